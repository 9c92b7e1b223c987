"""What waits for one person: "my work", for the ERN application's home and
the REST service ``@my-work``.

Lists come from the catalog. "Mine" is the catalog's own security index
filtered to ``user:<id>``: the panels where the person holds a role of
their own (lead, member, invited), not every panel their centre may see.
Rows are read from the catalog (the ``invitee`` index, the ``reply_by``,
``urgent`` and ``panel_lead`` columns, the ``Creator`` of contributions);
objects are woken only where a rule must be asked: an open data request's
answer permission.
"""

from ern.cpms.content.panel import PANEL_AT_WORK
from plone import api


ACTIVE = PANEL_AT_WORK
LISTED = (*ACTIVE, "closed")


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
    invitations, the contributions they wrote); no panel is woken.
    """
    userid = userid or api.user.get_current().getId()
    catalog = api.portal.get_tool("portal_catalog")
    mine = catalog.unrestrictedSearchResults(
        portal_type="Panel",
        review_state=list(LISTED),
        allowedRolesAndUsers=[f"user:{userid}"],
        sort_on="modified",
        sort_order="descending",
    )
    pending = {}
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Invitation", review_state="pending", invitee=userid
    ):
        pending.setdefault(_parent(brain), brain)
    contributed = {
        _parent(brain)
        for brain in catalog.unrestrictedSearchResults(
            portal_type="Contribution", Creator=userid
        )
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
    work["data_requests"] = _requests_to_answer(userid)
    return work


def _requests_to_answer(userid):
    """Open data requests the person may answer (their centre's panels)."""
    catalog = api.portal.get_tool("portal_catalog")
    user = api.user.get(userid=userid)
    principals = [f"user:{userid}"] + [
        f"user:{group.getId()}" for group in api.group.get_groups(user=user)
    ]
    rows = []
    for brain in catalog.unrestrictedSearchResults(
        portal_type="DataRequest",
        review_state="open",
        allowedRolesAndUsers=principals,
        sort_on="created",
    ):
        request = brain._unrestrictedGetObject()
        with api.env.adopt_user(username=userid):
            if not api.user.has_permission(
                "ern.cpms: Answer data request", obj=request
            ):
                continue
        rows.append(
            {
                "@id": brain.getURL(),
                "panel": brain.getURL().rsplit("/", 1)[0],
                "question": request.question,
                "due_date": _iso(request.due_date),
                "pseudonym": _parent(brain).split("/")[-2].upper(),
            }
        )
    return rows
