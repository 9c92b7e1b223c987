"""Access requests: asked by anyone logged in, decided by the coordinators
of the ERN asked for (and site administrators).

- Asking (``check_new_request``, on add): the ERN exists; a centre is a
  member of it; the requester has no other pending request for it. The
  request gets its requester and title, the ERN's coordinators group holds
  ERNCoordinator on it (so they, and no other ERN's coordinators, see and
  decide it), and the coordinators get an e-mail.
- Deciding (the workflow's approve/reject, ``request_transitioned``):
  approval adds the requester to the group of the role asked for (the
  centre's health professionals, the ERN's coordinators, editors or guest
  experts) in the same transaction; rejection needs a reason and gives
  nothing. The requester gets an e-mail either way.
- Guests' access lasts ``GUEST_DAYS`` unless a coordinator extends it;
  ``expire_guests`` (``make expire-guests``, daily) takes it back: out of
  the guest group, and every role beyond a plain member's is withheld at
  login (second_factor.gate), so panels they joined stay closed to them.
"""

from Acquisition import aq_base
from BTrees.OOBTree import OOTreeSet
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from ern.cpms import _
from ern.cpms.content.access_request import COORDINATOR
from ern.cpms.content.access_request import EDITOR
from ern.cpms.content.access_request import GUEST
from ern.cpms.content.access_request import GUEST_EXPERT
from ern.cpms.content.access_request import HEALTH_PROFESSIONAL
from ern.cpms.content.access_request import ROLES
from ern.cpms.content.ern import ern_of
from ern.cpms.groups import group_id
from ern.cpms.notifications import email
from ern.cpms.refusals import FieldError
from ern.cpms.refusals import refusal
from plone import api
from zope.annotation.interfaces import IAnnotations


DIRECTORY = "access-requests"
GUEST_DAYS = 90
ENDED = "ern.cpms.guest_access_ended"


def now():
    """The time (UTC); one place for tests to fix the clock."""
    return datetime.now(UTC)


def centre_of(centre_id):
    centres = api.portal.get()["centres"]
    return centres.get(centre_id) if centre_id and centre_id != GUEST else None


def group_of(request):
    """The group that approval adds the requester to (None when its ERN or
    centre is gone)."""
    ern = ern_of(request.ern)
    if request.requested_role == HEALTH_PROFESSIONAL:
        centre = centre_of(request.centre)
        return group_id(centre, "health-professionals") if centre else None
    if ern is None:
        return None
    suffix = {
        COORDINATOR: "coordinators",
        EDITOR: "editors",
        GUEST_EXPERT: "guest-experts",
    }[request.requested_role]
    return group_id(ern, suffix)


def requests_of(userid, states=None):
    """A user's access requests (any ERN), newest first."""
    catalog = api.portal.get_tool("portal_catalog")
    query = {"portal_type": "AccessRequest", "Creator": userid}
    if states:
        query["review_state"] = states
    brains = catalog.unrestrictedSearchResults(
        sort_on="created", sort_order="descending", **query
    )
    return [brain._unrestrictedGetObject() for brain in brains]


def _fullname(userid):
    user = api.user.get(userid=userid)
    return (user.getProperty("fullname") if user else "") or userid


# -- asking ----------------------------------------------------------------


def new_request_refusal(request, userid):
    """Why this request cannot be made, as a FieldError, or None."""
    if not (request.motivation or "").strip():
        return FieldError("motivation", _("Say why you ask for this access."))
    if not (request.job_title or "").strip():
        return FieldError("job_title", _("Give your job title."))
    problem = _place_refusal(request)
    if problem is not None:
        return problem
    for earlier in requests_of(userid, states=["pending"]):
        if aq_base(earlier) is not aq_base(request) and earlier.ern == request.ern:
            return FieldError(
                "ern",
                _(
                    "You already asked for access to ${ern}. Its coordinators "
                    "will answer; you will get an e-mail.",
                    mapping={"ern": request.ern},
                ),
            )
    return None


def _place_refusal(request):
    """The ERN exists and the centre is one of its members (when asked,
    and again when approved: a centre may have left the ERN since)."""
    ern = ern_of(request.ern)
    if ern is None:
        return FieldError("ern", _("Choose one of the site's ERNs."))
    if request.centre != GUEST:
        centre = centre_of(request.centre)
        if centre is None or request.ern not in (centre.ern_memberships or ()):
            return FieldError(
                "centre",
                _(
                    "This centre is not a member of ${ern}: choose a member "
                    "centre, or ask as a guest expert.",
                    mapping={"ern": request.ern},
                ),
            )
    return None


def check_new_request(request, event):
    """Before it is added: the rules (a refusal adds nothing), then the
    requester and the title."""
    if event.newParent is None or event.oldParent is not None:
        return  # removed or moved, not asked
    userid = api.user.get_current().getId()
    if userid is None:
        raise refusal(FieldError("ern", _("Log in to ask for access.")))
    problem = new_request_refusal(request, userid)
    if problem is not None:
        raise refusal(problem)
    request.requester = userid
    request.title = f"{_fullname(userid)} — {request.ern}"


def request_added(request, event):
    """Once added: the ERN's coordinators decide it, and hear of it."""
    if event.oldParent is not None:
        return
    userid = request.requester
    coordinators = group_id(ern_of(request.ern), "coordinators")
    request.manage_setLocalRoles(coordinators, ["ERNCoordinator"])
    request.reindexObject()
    request.reindexObjectSecurity()
    text = _(
        "${name} asks for access to ${ern} (${role}). Please decide: ${url}",
        mapping={
            "name": _fullname(userid),
            "ern": request.ern,
            "role": api.portal.translate(dict(ROLES)[request.requested_role]),
            "url": request.absolute_url(),
        },
    )
    subject = api.portal.translate(
        _("[CPMS] Access request for ${ern}", mapping={"ern": request.ern})
    )
    for member in api.user.get_users(groupname=coordinators):
        email(member.getId(), subject, api.portal.translate(text))


# -- deciding --------------------------------------------------------------


def decision_refusal(request, transition):
    """Why `transition` cannot happen now (the workflow's guard), or None."""
    state = api.content.get_state(request, default=None)
    if transition in ("approve", "reject") and state != "pending":
        return _("This request has already been decided.")
    if transition in ("approve", "reject") and _is_own(request):
        return _("Someone else decides your own request.")
    if transition == "approve":
        problem = _place_refusal(request)
        if problem is not None:
            return problem.message
    if transition == "reject" and not (request.decision_reason or "").strip():
        return _("Say why the request is rejected: the requester reads it.")
    if transition == "approve" and api.user.get(userid=request.requester) is None:
        return _("The account that asked no longer exists.")
    if transition == "expire":
        if request.requested_role != GUEST_EXPERT or state != "approved":
            return _("Only a guest's access expires.")
        if request.access_until is None or request.access_until > now():
            return _("This guest's access has not reached its end.")
    return None


def _is_own(request):
    return api.user.get_current().getId() == request.requester


def decide(request, approve, reason=""):
    """A coordinator's decision, from the page or a script."""
    request.decision_reason = (reason or "").strip() or None
    transition = "approve" if approve else "reject"
    problem = decision_refusal(request, transition)
    if problem is not None:
        raise refusal(FieldError("reason", problem))
    api.content.transition(obj=request, transition=transition)


def _ended():
    annotations = IAnnotations(api.portal.get())
    if ENDED not in annotations:
        annotations[ENDED] = OOTreeSet()
    return annotations[ENDED]


def access_ended(userid):
    """Did this user's guest access end (and no approval since)?"""
    ended = IAnnotations(api.portal.get()).get(ENDED)
    return bool(ended is not None and userid in ended)


def _grant(request):
    userid = request.requester
    api.group.add_user(groupname=group_of(request), username=userid)
    if access_ended(userid):
        _ended().remove(userid)
    if request.requested_role == GUEST_EXPERT:
        request.access_until = now() + timedelta(days=GUEST_DAYS)
    # What the request says becomes the profile's, where it is empty.
    user = api.user.get(userid=userid)
    properties = {}
    if not user.getProperty("job_title", ""):
        properties["job_title"] = request.job_title or ""
    if not user.getProperty("expertise", "") and request.thematic_areas:
        properties["expertise"] = ", ".join(request.thematic_areas)
    if properties:
        user.setMemberProperties(properties)


def _take_back(request):
    """Out of the guest group; and, unless another access of theirs is
    still approved (which keeps its roles), every role beyond a plain
    member's is withheld from now on."""
    userid = request.requester
    groupname = group_of(request)
    members = api.user.get_users(groupname=groupname) if groupname else []
    if userid in {u.getId() for u in members}:
        api.group.remove_user(groupname=groupname, username=userid)
    others = [
        other
        for other in requests_of(userid, ["approved"])
        if aq_base(other) is not aq_base(request)
    ]
    if not others:
        _ended().insert(userid)


ANSWERS = {
    "approve": _(
        "Your request for access to ${ern} was approved. Log in to start: ${url}"
    ),
    "reject": _("Your request for access to ${ern} was rejected: ${reason}"),
    "expire": _(
        "Your guest access to ${ern} has ended. Ask again if you still need it: ${url}"
    ),
}


def request_transitioned(request, event):
    """Approval grants, expiry takes back; the requester hears of it."""
    if event.transition is None or event.transition.id not in ANSWERS:
        return
    transition = event.transition.id
    if transition == "approve":
        _grant(request)
    elif transition == "expire":
        _take_back(request)
    text = _(
        ANSWERS[transition],
        mapping={
            "ern": request.ern,
            "reason": request.decision_reason or "",
            "url": api.portal.get().absolute_url(),
        },
    )
    subject = api.portal.translate(
        _("[CPMS] Your access request for ${ern}", mapping={"ern": request.ern})
    )
    email(request.requester, subject, api.portal.translate(text))


def extend(request, days=GUEST_DAYS):
    """A coordinator keeps a guest's access for `days` more."""
    if request.requested_role != GUEST_EXPERT:
        raise refusal(FieldError("access_until", _("Only a guest's access expires.")))
    if _is_own(request):
        raise refusal(
            FieldError("access_until", _("Someone else decides your own request."))
        )
    if api.content.get_state(request) != "approved":
        raise refusal(FieldError("access_until", _("This request is not approved.")))
    start = max(request.access_until or now(), now())
    request.access_until = start + timedelta(days=days)


def expire_guests():
    """End every guest access whose time is over; return how many."""
    catalog = api.portal.get_tool("portal_catalog")
    count = 0
    for brain in catalog.unrestrictedSearchResults(
        portal_type="AccessRequest", review_state="approved"
    ):
        request = brain._unrestrictedGetObject()
        if decision_refusal(request, "expire") is None:
            api.content.transition(obj=request, transition="expire")
            count += 1
    return count
