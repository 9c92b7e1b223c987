"""What waits for one person: "my work", for the ERN application's home and
the REST service ``@my-work``.

Lists come from the catalog. "Mine" is the catalog's security entry
``user:<id>`` of panels (the ``panel_people`` index): the panels where the
person holds a role of their own (lead, member, invited), not every panel
their centre may see. Rows are read from the catalog (the ``invitee``
index, the ``reply_by``, ``urgent`` and ``panel_lead`` columns, the
``Creator`` of contributions); objects are woken only where a rule must be
asked: an open data request's answer permission (the requests come from
the ``open_request_people`` index).
"""

from AccessControl.SecurityManagement import getSecurityManager
from contextlib import nullcontext
from ern.cpms.content.panel import PANEL_AT_WORK
from plone import api


ACTIVE = PANEL_AT_WORK
LISTED = (*ACTIVE, "closed")
ANSWER = "ern.cpms: Answer data request"


def _summary(brain):
    return {
        "@id": brain.getURL(),
        "title": brain.Title,
        "review_state": brain.review_state,
        "pseudonym": brain.getPath().split("/")[-2].upper(),
    }


def _parent(brain):
    return brain.getPath().rsplit("/", 1)[0]


def _iso(value):
    """A date's ISO form; None for none (or a catalog row without it)."""
    return value.isoformat() if hasattr(value, "isoformat") else None


def my_work(userid=None):
    """A dict of lists: pending invitations, panels by state, data requests
    to answer, contributions to record, outcomes to review.

    Four catalog queries, read from the rows (panels, the person's pending
    invitations, the contributions they wrote); no panel is woken. Which
    open data requests the person answers is asked as them: as the current
    user, or, for someone else, adopting them once.
    """
    current = api.user.get_current()
    someone_else = userid is not None and userid != current.getId()
    user = api.user.get(userid=userid) if someone_else else current
    userid = user.getId()
    catalog = api.portal.get_tool("portal_catalog")
    # The searches ask the person's own index entries (a role of their own,
    # their invitations, what they wrote) and keep the rows they need by
    # their columns: asking the state or the type as well would intersect
    # those few rows with sets of the whole network, a cost that grows with
    # it (docs/performance.md).
    mine = sorted(
        (
            brain
            for brain in catalog.unrestrictedSearchResults(
                panel_people=f"user:{userid}"
            )
            if brain.review_state in LISTED
        ),
        key=lambda brain: brain.modified,
        reverse=True,
    )
    pending = {}
    for brain in catalog.unrestrictedSearchResults(invitee=userid):
        if brain.portal_type == "Invitation" and brain.review_state == "pending":
            pending.setdefault(_parent(brain), brain)
    contributed = {
        _parent(brain)
        for brain in catalog.unrestrictedSearchResults(Creator=userid)
        if brain.portal_type == "Contribution"
    }
    work = {
        "invitations": [],
        "panels": {state: [] for state in LISTED},
        "data_requests": [],
        "contributions": [],
        "reviews": [],
    }
    for brain in mine:
        invitation = pending.get(brain.getPath())
        if invitation is not None:
            work["invitations"].append(
                {
                    **_summary(brain),
                    "invitation": invitation.getURL(),
                    "reply_by": _iso(invitation.reply_by),
                    "urgent": brain.urgent is True,
                }
            )
            continue
        work["panels"][brain.review_state].append(_summary(brain))
        if brain.review_state not in ("open", "outcome_review"):
            continue
        if brain.getPath() not in contributed:
            work["contributions"].append(_summary(brain))
        if brain.review_state == "outcome_review" and brain.panel_lead != userid:
            work["reviews"].append(_summary(brain))
    work["data_requests"] = _requests_to_answer(user, adopt=someone_else)
    return work


def _requests_to_answer(user, adopt):
    """Open data requests the person may answer (their centre's panels);
    `adopt` when `user` is not the current user."""
    catalog = api.portal.get_tool("portal_catalog")
    principals = [f"user:{user.getId()}"] + [
        f"user:{group}" for group in user.getGroups()
    ]
    rows = []
    found = catalog.unrestrictedSearchResults(open_request_people=principals)
    if not found:
        return rows
    portal = api.portal.get()
    with api.env.adopt_user(user=user) if adopt else nullcontext():
        checker = getSecurityManager()
        for brain in sorted(found, key=lambda brain: brain.created):
            request = _wake(portal, brain)
            if checker.checkPermission(ANSWER, request):
                rows.append(_request_row(brain, request))
    return rows


def _wake(portal, brain):
    """The object of a row, reached from the site by item access: a
    brain's ``_unrestrictedGetObject`` asks each step of the path as an
    attribute first, and a Dexterity container looks an attribute it lacks
    up in its type's schemata and behaviours before its items."""
    obj = portal
    for name in brain.getPath().split("/")[len(portal.getPhysicalPath()) :]:
        obj = obj[name]
    return obj


def _request_row(brain, request):
    return {
        "@id": brain.getURL(),
        "panel": brain.getURL().rsplit("/", 1)[0],
        "question": request.question,
        "due_date": _iso(request.due_date),
        "pseudonym": _parent(brain).split("/")[-2].upper(),
    }
