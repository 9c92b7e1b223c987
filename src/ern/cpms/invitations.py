"""Inviting experts to a panel, their answers, and the roles that follow.

The invitations of a panel decide who holds which role on it: an expert
with a pending invitation is an InvitedExpert (reads the summary only), one
who accepted is a PanelMember, one who declined or whose invitation was
withdrawn holds nothing. ``sync_member_roles`` derives the panel's local
roles from the invitations after every change, so the two cannot drift.
"""

from Acquisition import aq_inner
from Acquisition import aq_parent
from datetime import date
from ern.cpms import _
from ern.cpms.content.ern import ern_of
from ern.cpms.content.panel import PANEL_AT_WORK
from ern.cpms.groups import centres_of_groups
from ern.cpms.groups import group_id
from ern.cpms.notifications import send
from ern.cpms.panel_content import children
from ern.cpms.refusals import FieldError
from ern.cpms.refusals import refusal
from ern.cpms.workflow_history import last_record
from plone import api
from plone.dexterity.utils import createContentInContainer

import typing


WORKFLOW = "cpms_invitation_workflow"
ROLE_BY_STATE = {"pending": "InvitedExpert", "accepted": "PanelMember"}
ACTIVE_STATES = tuple(ROLE_BY_STATE)
MEMBER_ROLES = frozenset(ROLE_BY_STATE.values())
INVITING_PANEL_STATES = ("open", "outcome_review")


class Expert(typing.NamedTuple):
    userid: str
    fullname: str
    centres: tuple  # ((centre title, country code), ...)
    expertise: str = ""

    @property
    def label(self):
        """``Marco Rossi — Charité (DE) — muscle diseases``: what the lead
        searches in (name, centre, country, expertise)."""
        places = "; ".join(f"{title} ({country})" for title, country in self.centres)
        parts = [self.fullname, places, self.expertise]
        return " — ".join(part for part in parts if part)


def profile_of(user):
    """What a lead searches besides name and centre: the job title and the
    areas of expertise the person keeps on their profile."""
    parts = (user.getProperty("job_title", ""), user.getProperty("expertise", ""))
    return "; ".join(part for part in parts if part)


def experts_of(ern_code):
    """The health professionals of the centres that are members of an ERN."""
    catalog = api.portal.get_tool("portal_catalog")
    experts = {}
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Centre", ern_memberships=ern_code, sort_on="sortable_title"
    ):
        centre = brain._unrestrictedGetObject()
        place = (centre.Title(), centre.country or "")
        groupname = group_id(centre, "health-professionals")
        for user in api.user.get_users(groupname=groupname):
            userid = user.getId()
            known = experts.get(userid)
            fullname = user.getProperty("fullname") or userid
            centres = (known.centres if known else ()) + (place,)
            experts[userid] = Expert(userid, fullname, centres, profile_of(user))
    for expert in guest_experts_of(ern_code):
        experts.setdefault(expert.userid, expert)
    return sorted(experts.values(), key=lambda expert: expert.fullname.lower())


def expert_of(userid, ern_code):
    """The Expert `userid` is in an ERN, or None: what the invitation rules
    ask of one person. Reads the person's groups and the ERN's member
    centres, never the users of every centre (experts_of lists those)."""
    user = api.user.get(userid=userid) if userid else None
    if user is None:
        return None
    groups = set(user.getGroups())
    places = [
        (centre.Title(), centre.country or "")
        for centre in centres_of_groups(groups)
        if ern_code in (centre.ern_memberships or ())
    ]
    fullname = user.getProperty("fullname") or userid
    if places:
        return Expert(userid, fullname, tuple(places), profile_of(user))

    ern = ern_of(ern_code)
    if ern is None or group_id(ern, "guest-experts") not in groups:
        return None
    return next((e for e in guest_experts_of(ern_code) if e.userid == userid), None)


def guest_experts_of(ern_code):
    """The ERN's guest experts (approved access requests, not expired),
    with the institution they named."""
    from ern.cpms.access_requests import requests_of

    ern = ern_of(ern_code)
    if ern is None:
        return []
    experts = []
    for user in api.user.get_users(groupname=group_id(ern, "guest-experts")):
        userid = user.getId()
        places = tuple(
            (request.guest_institution, request.guest_country or "")
            for request in requests_of(userid, states=["approved"])
            if request.ern == ern_code
        )
        fullname = user.getProperty("fullname") or userid
        experts.append(Expert(userid, fullname, places[:1], profile_of(user)))
    return experts


def expert_groups_of(ern_code):
    """The expert groups kept in an ERN's folder, by title."""
    ern = ern_of(ern_code)
    groups = children(ern, "ExpertGroup") if ern is not None else []
    return sorted(groups, key=lambda group: group.Title().lower())


GROUP_PREFIX = "group:"


def on_panel(panel):
    """The user ids no one may invite again: the lead, and whoever holds an
    active invitation."""
    return {panel.panel_lead} | {
        invitation.invitee for invitation in invitations_of(panel, ACTIVE_STATES)
    }


def expand_groups(panel, choices):
    """The user ids chosen: an expert group stands for those of its experts
    who are experts of the ERN and not on the panel yet."""
    groups = {f"{GROUP_PREFIX}{g.UID()}": g for g in expert_groups_of(panel.ern)}
    taken = on_panel(panel)
    userids = []
    for choice in choices or ():
        if choice in groups:
            userids.extend(
                u
                for u in groups[choice].experts or ()
                if u not in taken and expert_of(u, panel.ern) is not None
            )
        elif choice.startswith(GROUP_PREFIX):
            raise refusal(FieldError("experts", _("This expert group does not exist.")))
        else:
            userids.append(choice)
    return list(dict.fromkeys(userids))


def panel_of(obj):
    return aq_parent(aq_inner(obj))


def invitations_of(panel, states=None):
    """The invitations of a panel (objects), oldest first.

    The state is read from each invitation, not from the catalog: during a
    transition the catalog's review_state is not updated yet.
    """
    found = children(panel, "Invitation")
    if states is None:
        return found
    return [i for i in found if state_of(i) in states]


def state_of(invitation):
    """The invitation's workflow state ("pending" before it has one), from
    its stored history."""
    last = last_record(invitation, WORKFLOW) or {}
    return last.get("review_state", "pending")


def invitation_refusal(panel, userid, experts=None, invited=None):
    """Why `userid` cannot be invited to `panel` now, or None.

    `experts` (user id → Expert, or None for someone who is not one) and
    `invited` (user ids with an active invitation) may be passed when many
    are checked at once.
    """
    if api.content.get_state(panel, default=None) not in INVITING_PANEL_STATES:
        return _("Experts can be invited while the panel is open.")
    expert = expert_of(userid, panel.ern) if experts is None else experts.get(userid)
    if invited is None:
        invited = {i.invitee for i in invitations_of(panel, ACTIVE_STATES)}
    if expert is None:
        return _(
            "${user} is not an expert of ${ern}.",
            mapping={"user": userid, "ern": panel.ern},
        )
    if userid == panel.panel_lead:
        return _("${name} leads this panel.", mapping={"name": expert.fullname})
    if userid in invited:
        return _(
            "${name} is already invited to this panel.",
            mapping={"name": expert.fullname},
        )
    return None


def invite(panel, userids, message="", reply_by=None):
    """Invite experts (user ids, or ``group:<uid>`` for an expert group);
    all are invited, or none (and the refusal says why)."""
    chosen = list(userids or ())
    userids = expand_groups(panel, chosen)
    if chosen and not userids:
        raise refusal(
            FieldError("experts", _("Everyone you chose is already on the panel."))
        )
    if not userids:
        raise refusal(FieldError("experts", _("Choose at least one expert.")))
    if reply_by is not None and reply_by < date.today():
        raise refusal(FieldError("reply_by", _("The reply-by date is in the past.")))
    experts = {userid: expert_of(userid, panel.ern) for userid in userids}
    invited = {i.invitee for i in invitations_of(panel, ACTIVE_STATES)}
    for userid in userids:
        reason = invitation_refusal(panel, userid, experts, invited)
        if reason is not None:
            raise refusal(FieldError("experts", reason))
    return [
        createContentInContainer(
            panel,
            "Invitation",
            checkConstraints=True,
            invitee=userid,
            message=message or "",
            reply_by=reply_by,
        )
        for userid in userids
    ]


def check_new_invitation(invitation, event):
    """The rules hold however the invitation is made (form, REST, script)."""
    panel = event.newParent
    if panel is None:
        return
    reason = invitation_refusal(panel, invitation.invitee)
    if reason is not None:
        raise refusal(FieldError("invitee", reason))
    user = api.user.get(userid=invitation.invitee)
    invitation.invitee_name = user.getProperty("fullname") or invitation.invitee
    invitation.title = api.portal.translate(
        _("Invitation of ${name}", mapping={"name": invitation.invitee_name})
    )


def invitation_added(invitation, event):
    """The invitee holds Invitee on it; the panel gets its roles; mail goes."""
    invitation.manage_setLocalRoles(invitation.invitee, ["Invitee"])
    invitation.reindexObjectSecurity()
    panel = panel_of(invitation)
    sync_member_roles(panel)
    text = _(
        "You are invited to an ERN virtual consultation panel. Open the "
        "panel to read the questions and to answer whether you are "
        "interested."
    )
    if panel.urgent:
        text = _(
            "Urgent: you are invited to an ERN virtual consultation panel. "
            "Open the panel to read the questions and to answer whether you "
            "are interested."
        )
    send("invitation", [invitation.invitee], text, panel, urgent=panel.urgent)


def sync_member_roles(panel):
    """Give the panel's local roles from its invitations, and only those."""
    wanted = {}
    for invitation in invitations_of(panel, ACTIVE_STATES):
        state = api.content.get_state(invitation, default="pending")
        role = ROLE_BY_STATE[state]
        if wanted.get(invitation.invitee) != "PanelMember":
            wanted[invitation.invitee] = role
    changed = False
    left = set()
    principals = {principal for principal, _roles in panel.get_local_roles()}
    for principal in principals | set(wanted):
        current = set(panel.get_local_roles_for_userid(principal))
        target = (current - MEMBER_ROLES) | (
            {wanted[principal]} if principal in wanted else set()
        )
        if target == current:
            continue
        changed = True
        if "PanelMember" in current and "PanelMember" not in target:
            left.add(principal)
        if target:
            panel.manage_setLocalRoles(principal, sorted(target))
        else:
            panel.manage_delLocalRoles([principal])
    if left:
        _forget_authors(panel, left)
    if changed:
        panel.reindexObjectSecurity()
    return changed


def _forget_authors(panel, principals):
    """Who leaves a panel no longer edits or cancels what they wrote there
    (the Author role on their items goes; the items stay)."""
    for item in panel.objectValues():
        for principal in principals:
            roles = set(item.get_local_roles_for_userid(principal))
            if "Author" in roles:
                remaining = sorted(roles - {"Author"})
                if remaining:
                    item.manage_setLocalRoles(principal, remaining)
                else:
                    item.manage_delLocalRoles([principal])


ANSWERS = {"accept": _("accepted"), "decline": _("declined")}


def answer_refusal(invitation, transition):
    """Why the invitee cannot answer now (or the lead withdraw), or None."""
    if transition == "withdraw":
        return withdraw_refusal(invitation)
    if api.content.get_state(invitation) != "pending":
        return _("This invitation has already been answered or withdrawn.")
    panel = panel_of(invitation)
    if api.content.get_state(panel, default=None) not in INVITING_PANEL_STATES:
        return _("This panel no longer takes new members.")
    return None


def answer(invitation, accept, reason=""):
    """The invitee's answer: interested (accept) or not (decline, with why)."""
    transition = "accept" if accept else "decline"
    problem = answer_refusal(invitation, transition)
    if problem is not None:
        raise refusal(FieldError("answer", problem))
    invitation.answer_reason = (reason or "").strip() or None
    api.content.transition(obj=invitation, transition=transition)


def withdraw_refusal(invitation):
    """Why the lead cannot withdraw this invitation now, or None."""
    if api.content.get_state(invitation) not in ACTIVE_STATES:
        return _("This invitation is no longer active.")
    panel = panel_of(invitation)
    # A closed, archived or cancelled panel's record stays its members'.
    if api.content.get_state(panel, default=None) not in PANEL_AT_WORK:
        return _(
            "A closed panel keeps its members: they must still read its record "
            "and its outcome."
        )
    return None


def withdraw(invitation):
    """The lead withdraws an invitation (pending or accepted), while the
    panel is at work."""
    problem = withdraw_refusal(invitation)
    if problem is not None:
        raise refusal(FieldError("answer", problem))
    api.content.transition(obj=invitation, transition="withdraw")


def invitation_transitioned(invitation, event):
    """Roles follow the invitation; the lead hears the answer."""
    if event.transition is None:
        return
    panel = panel_of(invitation)
    sync_member_roles(panel)
    if event.transition.id in ANSWERS:
        text = _(
            "${name} has ${answer} the invitation to this panel.",
            mapping={
                "name": invitation.invitee_name,
                "answer": api.portal.translate(ANSWERS[event.transition.id]),
            },
        )
        send("invitation_answer", [panel.panel_lead], text, panel)
