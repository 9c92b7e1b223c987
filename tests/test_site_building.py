"""Plone's site-building tools inside patients' records and access requests
(setuphandlers.ADMINISTRATORS_ONLY).

Plone gives the owner of an item the ZMI, the Sharing tab, ownership,
properties, display templates and default pages, URL aliases and more. The
clinician who enrolled a patient owns everything in the record, and
whoever asks for access owns their request: there these tools are the site
administrators' only. Before, the owner could change a record through the
ZMI's Properties and Ownership tabs (outside the forms' rules and the
audit), give it a URL alias (an address that may name the patient), make a
comment the panel's page, or share it.
"""

from ern.cpms.panel_content import set_state
from ern.cpms.setuphandlers import ADMINISTRATORS_ONLY
from panels import make_panel
from panels import write_outcome
from plone import api
from plone.dexterity.utils import createContentInContainer
from test_access_requests import GUEST_REQUEST
from test_panel_pages import refused_page
from test_panel_pages import session_of  # noqa: F401 (a fixture)

import pytest
import transaction


IDENTITY = ("Maud", "Jansen", "HRN-5531")
REVERT = "CMFEditions: Revert to previous versions"


@pytest.fixture
def panel(functional_portal):
    panel = make_panel(
        functional_portal,
        IDENTITY,
        hospital_record_number=IDENTITY[2],
        members=("expert.rossi",),
    )
    transaction.commit()
    return panel


def held(userid, obj):
    """Which of the site-building permissions `userid` holds on `obj`."""
    return {
        name
        for name in ADMINISTRATORS_ONLY
        if api.user.has_permission(name, username=userid, obj=obj)
    }


def test_the_owner_of_a_record_has_none_of_them(panel):
    patient = panel.__parent__
    assert "Owner" in patient.get_local_roles_for_userid("dr.dekker")
    write_outcome(panel)  # among the panel's items
    for obj in (patient, panel, *panel.objectValues()):
        # The lead reverts a draft outcome (below), as its lead, not owner.
        allowed = {REVERT} if obj.portal_type == "OutcomeDocument" else set()
        assert held("dr.dekker", obj) == allowed, obj
        assert held("expert.rossi", obj) == set(), obj
    # Outside records Plone's defaults stay: the creator of a page in an
    # ERN still chooses its display.
    ern = api.portal.get()["erns"]["ern-eye"]
    with api.env.adopt_user(username="editor.eye"):
        page = api.content.create(container=ern, type="Document", title="Guide")
    assert "Modify view template" in held("editor.eye", page)


def test_site_administrators_keep_them(panel):
    api.user.create(
        email="it@example.org", username="it.admin", password="a long demo password"
    )
    api.user.grant_roles(username="it.admin", roles=["Site Administrator"])
    portal = api.portal.get()
    expected = held("it.admin", portal)
    assert {"Undo changes", "Modify view template", "Change local roles"} <= expected
    # Plone gives the ZMI to Manager only: no one else gains it here.
    assert "View management screens" not in expected
    for obj in (panel.__parent__, panel):
        assert held("it.admin", obj) == expected


def test_the_requester_of_access_has_none_of_them(functional_portal):
    api.user.create(
        email="anna@example.org",
        username="anna.visser",
        password="a-long-password-2026",
    )
    with api.env.adopt_user(username="anna.visser"):
        fields = {k: v for k, v in GUEST_REQUEST.items() if k != "@type"}
        request = createContentInContainer(
            functional_portal["access-requests"], "AccessRequest", **fields
        )
    assert "Owner" in request.get_local_roles_for_userid("anna.visser")
    assert api.user.has_permission("View", username="anna.visser", obj=request)
    assert held("anna.visser", request) == set()


# Each answered the owner with its page (or, for the addable types, an
# error) before profile 1011.
SITE_BUILDING_PAGES = (
    "manage_main",
    "manage_propertiesForm",
    "manage_owner",
    "select_default_page",
    "selectViewTemplate?templateId=listing_view",
    "folder_constraintypes_form",
    "@@manage-aliases",
    "@@sharing",
)


def test_their_pages_are_refused_to_the_owner_by_url(panel, session_of):  # noqa: F811
    dekker = session_of("dr.dekker")
    for obj in (panel.__parent__, panel):
        for page in SITE_BUILDING_PAGES:
            response = dekker.get(f"{obj.absolute_url()}/{page}")
            assert refused_page(response), (obj.portal_type, page, response.url)
    assert panel.getLayout() == "view"


def test_the_lead_reverts_an_outcome_until_it_is_final(panel):
    outcome = write_outcome(panel)
    assert api.user.has_permission(REVERT, username="dr.dekker", obj=outcome)
    set_state(outcome, "in_review")
    assert api.user.has_permission(REVERT, username="dr.dekker", obj=outcome)
    assert not api.user.has_permission(REVERT, username="expert.rossi", obj=outcome)
    set_state(outcome, "final")
    assert not api.user.has_permission(REVERT, username="dr.dekker", obj=outcome)
