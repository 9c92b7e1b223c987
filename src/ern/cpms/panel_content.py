"""The rules for what members write on a panel: comments, contributions and
the outcome document, and how the outcome follows the panel's lifecycle."""

from Acquisition import aq_inner
from Acquisition import aq_parent
from DateTime import DateTime
from datetime import datetime
from datetime import UTC
from ern.cpms import _
from ern.cpms.content.panel import record_patient_facts
from ern.cpms.groups import centres_of_groups
from ern.cpms.notifications import send
from ern.cpms.people import user_property
from ern.cpms.refusals import FieldError
from ern.cpms.refusals import is_text
from ern.cpms.refusals import NotText
from ern.cpms.refusals import refusal
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
from zope.interface import provider
from zope.schema.interfaces import IContextAwareDefaultFactory


def children(panel, portal_type):
    """The panel's (or any folder's: an ERN's) children of one type
    (objects), oldest first.

    Read from the panel itself, not the catalog: a panel holds tens of
    items, and a catalog query would first index every change still queued
    in the transaction (each rule that asks during a write paid for it).
    """
    return items_by_type(panel).get(portal_type, [])


def items_by_type(panel):
    """The panel's children by portal type, each list oldest first (for
    pages that show every kind: the panel read once)."""
    grouped = {}
    for obj in panel.objectValues():
        grouped.setdefault(getattr(obj, "portal_type", None), []).append(obj)
    for found in grouped.values():
        found.sort(key=lambda obj: obj.created())
    return grouped


def participants(panel):
    """The lead and the members: who hears about the panel's discussion."""
    people = {panel.panel_lead} if panel.panel_lead else set()
    for principal, roles in panel.get_local_roles():
        if "PanelMember" in roles or "PanelLead" in roles:
            people.add(principal)
    return people


FULLNAMES = "ern.cpms.fullnames"


def fullname(userid):
    """The person's full name (or their user id), looked up once a request:
    a timeline names the same few people on every line."""
    request = getRequest()
    cache = {} if request is None else IAnnotations(request).setdefault(FULLNAMES, {})
    if userid not in cache:
        cache[userid] = user_property(userid, "fullname") or userid
    return cache[userid]


def centres_of(userid):
    """The titles of the centres whose health professional `userid` is."""
    user = api.user.get(userid=userid)
    if user is None:
        return []
    return [centre.Title() for centre in centres_of_groups(user.getGroups())]


def panel_of(obj):
    return aq_parent(aq_inner(obj))


def _others(panel):
    current = api.user.get_current().getId()
    return participants(panel) - {current}


# Comments


def check_new_comment(comment, event):
    panel = event.newParent
    if panel is None:
        return
    try:
        is_text(comment.text)
    except NotText:
        raise refusal(FieldError("text", NotText.__doc__)) from None
    parent = comment.in_reply_to
    answerable = [
        item.UID()
        for kind in ("Comment", "Contribution", "OutcomeDocument")
        for item in children(panel, kind)
    ]
    if parent and parent not in answerable:
        raise refusal(
            FieldError(
                "in_reply_to", _("The comment you reply to is not on this panel.")
            )
        )
    comment.title = api.portal.translate(
        _("Comment by ${name}", mapping={"name": fullname(_author())})
    )


def authored(item, event):
    """The author of a comment, contribution, data request or attachment
    holds Author on it (and only there)."""
    item.manage_setLocalRoles(_author(), ["Author"])
    item.reindexObjectSecurity()


def comment_added(comment, event):
    panel = panel_of(comment)
    send(
        "comment",
        _others(panel),
        _("${name} commented on the panel.", mapping={"name": fullname(_author())}),
        panel,
    )


def _author():
    return api.user.get_current().getId()


# Contributions


def author_of(obj):
    """Who wrote a comment or a contribution: the holder of Author on it."""
    for principal, roles in obj.get_local_roles():
        if "Author" in roles:
            return principal
    return None


def contribution_of(panel, userid):
    for contribution in children(panel, "Contribution"):
        if author_of(contribution) == userid:
            return contribution
    return None


def check_new_contribution(contribution, event):
    panel = event.newParent
    if panel is None:
        return
    if contribution_of(panel, _author()) is not None:
        raise refusal(
            FieldError(
                "assessment",
                _(
                    "You have already recorded your contribution to this "
                    "panel; edit it instead."
                ),
            )
        )
    contribution.title = api.portal.translate(
        _("Contribution of ${name}", mapping={"name": fullname(_author())})
    )


def missing_contributions(panel):
    """The members (and lead) who have not recorded a contribution yet."""
    done = {author_of(c) for c in children(panel, "Contribution")}
    return sorted(participants(panel) - done)


# The outcome document


def outcome_of(panel):
    found = children(panel, "OutcomeDocument")
    return found[0] if found else None


def check_new_outcome(outcome, event):
    panel = event.newParent
    if panel is None:
        return
    if outcome_of(panel) is not None:
        raise refusal(
            FieldError(
                "conclusions",
                _("This panel already has an outcome document; edit it instead."),
            )
        )
    outcome.title = api.portal.translate(_("Outcome document"))


def _panel_for_default(context):
    """The panel, from the add form (context is the panel) or the outcome."""
    return context if getattr(context, "portal_type", None) == "Panel" else None


@provider(IContextAwareDefaultFactory)
def default_questions(context):
    panel = _panel_for_default(context)
    if panel is None:
        return None
    return "\n".join(f"- {question}" for question in panel.questions or ())


@provider(IContextAwareDefaultFactory)
def default_contributions_summary(context):
    panel = _panel_for_default(context)
    if panel is None:
        return None
    parts = []
    for contribution in children(panel, "Contribution"):
        author = author_of(contribution)
        centres = ", ".join(centres_of(author))
        heading = f"{fullname(author)} ({centres})" if centres else fullname(author)
        parts.append(
            f"{heading}\n{contribution.assessment}\n{contribution.recommendation}"
        )
    return "\n\n".join(parts)


def outcome_refusal(outcome, transition):
    """Why the outcome document may not take `transition` now, or None."""
    state = api.content.get_state(panel_of(outcome), default=None)
    if transition == "submit_review" and state != "outcome_review":
        return _("The outcome goes to review with the panel.")
    if transition == "revise" and state != "open":
        return _("The outcome returns to draft when the panel is reopened.")
    if transition == "finalise" and state != "outcome_review":
        return _("The outcome can be finalised while the panel is in outcome review.")
    return None


def outcome_transitioned(outcome, event):
    """Sign-off on finalising; the members hear about it."""
    if event.transition is None or event.transition.id != "finalise":
        return
    userid = api.user.get_current().getId()
    outcome.signed_off_by = userid
    outcome.signed_off_name = fullname(userid)
    outcome.signed_off_centre = ", ".join(centres_of(userid))
    outcome.signed_off_date = datetime.now(UTC)
    outcome.reindexObject()
    panel = panel_of(outcome)
    send(
        "outcome_final",
        _others(panel),
        _("The outcome document of the panel is final."),
        panel,
    )


PANEL_TO_OUTCOME = {"submit_outcome": "submit_review", "reopen": "revise"}
FREEZING = ("close", "cancel")
EDITABLE_TYPES = ("Comment", "Contribution", "Meeting")


def set_state(item, state):
    """Put `item` in `state` and apply that state's permissions: a system
    step, like DCWorkflow's own, where no user transition exists."""
    workflows = api.portal.get_tool("portal_workflow")
    (workflow,) = workflows.getWorkflowsFor(item)
    # No status yet when the item has just changed workflow (an upgrade).
    status = workflows.getStatusOf(workflow.getId(), item) or {
        "action": None,
        "actor": api.user.get_current().getId(),
        "comments": "",
        "time": DateTime(),
    }
    workflows.setStatusOf(workflow.getId(), item, {**status, "review_state": state})
    workflow.updateRoleMappingsFor(item)
    item.reindexObject(idxs=["review_state", "allowedRolesAndUsers"])


def freeze(panel):
    """A closed or cancelled panel is read-only: its comments, contributions
    and meetings become ``frozen``; its open data requests are cancelled
    (no longer needed)."""
    for portal_type in EDITABLE_TYPES:
        for item in children(panel, portal_type):
            set_state(item, "frozen")
    for request in children(panel, "DataRequest"):
        if api.content.get_state(request) == "open":
            set_state(request, "cancelled")


def panel_transitioned(panel, event):
    """The outcome document follows the panel; members hear of the change."""
    if event.transition is None:
        return
    if event.transition.id == "open":
        record_patient_facts(panel)
    outcome = outcome_of(panel)
    follow = PANEL_TO_OUTCOME.get(event.transition.id)
    if outcome is not None and follow is not None:
        api.content.transition(obj=outcome, transition=follow)
    if event.transition.id in FREEZING:
        freeze(panel)
    if event.transition.id == "submit_outcome":
        send(
            "outcome_review",
            _others(panel),
            _("The outcome document is ready for your review and comments."),
            panel,
        )
    if event.transition.id == "close":
        send("panel_closed", _others(panel), _("The panel is closed."), panel)
