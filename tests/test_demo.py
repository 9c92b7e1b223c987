"""The demo profile builds a believable small network, once."""

from ern.cpms import demo
from plone import api

import pytest


def test_two_real_erns(portal):
    erns = portal["erns"]
    assert {erns[id_].code for id_ in erns.objectIds()} >= {"ERN-EYE", "EURO-NMD"}


def test_three_centres_in_three_countries(portal):
    brains = api.content.find(portal_type="Centre")
    assert len(brains) >= 3
    assert len({brain.getObject().country for brain in brains}) >= 3


def test_centres_are_found_by_ern_membership(portal):
    brains = api.content.find(portal_type="Centre", ern_memberships="EURO-NMD")
    assert {brain.getId for brain in brains} == {"erasmus-mc", "necker", "charite"}


@pytest.mark.parametrize("account", demo.ACCOUNTS, ids=lambda a: a.userid)
def test_demo_account_can_log_in(portal, account):
    acl_users = api.portal.get_tool("acl_users")
    assert acl_users.authenticate(account.userid, demo.DEMO_PASSWORD, portal.REQUEST)


def test_wrong_password_is_refused(portal):
    acl_users = api.portal.get_tool("acl_users")
    assert not acl_users.authenticate("dr.dekker", "not-the-password", portal.REQUEST)


def test_centre_doctor_is_health_professional_of_own_centre_only(portal):
    own = portal["centres"]["erasmus-mc"]
    other = portal["centres"]["necker"]
    assert "HealthProfessional" in api.user.get_roles(username="dr.dekker", obj=own)
    assert "HealthProfessional" not in api.user.get_roles(
        username="dr.dekker", obj=other
    )


def test_coordinator_holds_role_on_own_ern_only(portal):
    eye = portal["erns"]["ern-eye"]
    nmd = portal["erns"]["euro-nmd"]
    assert "ERNCoordinator" in api.user.get_roles(username="coordinator.eye", obj=eye)
    assert "ERNCoordinator" not in api.user.get_roles(
        username="coordinator.eye", obj=nmd
    )


def test_editor_holds_editor_role_on_ern(portal):
    eye = portal["erns"]["ern-eye"]
    roles = api.user.get_roles(username="editor.eye", obj=eye)
    assert "ERNEditor" in roles
    assert "ERNCoordinator" not in roles


def test_running_demo_again_keeps_everything(portal):
    centre = portal["centres"]["erasmus-mc"]
    centre.city = "Rotterdam (edited)"
    before = set(portal["centres"].objectIds())
    with api.env.adopt_roles(["Manager"]):
        demo.create_demo_network()
    assert set(portal["centres"].objectIds()) == before
    assert centre.city == "Rotterdam (edited)"
    assert len(api.user.get_users(groupname="erasmus-mc-health-professionals")) == 1


def test_front_page_welcomes_with_links_and_accounts(portal):
    html = portal.text.output_relative_to(portal)
    assert f'href="{portal["erns"].absolute_url()}"' in html
    assert f'href="{portal["centres"].absolute_url()}"' in html
    assert demo.DEMO_PASSWORD in html
    assert "never enter real" in html


def test_each_centre_has_enrolled_patients(portal):
    for centre in ("erasmus-mc", "necker", "charite"):
        brains = api.content.find(
            path="/".join(portal["centres"][centre].getPhysicalPath()),
            portal_type="Patient",
            unrestricted=True,
        )
        assert len(brains) >= 2, centre


def test_demo_patients_are_known_by_pseudonym_only(portal):
    for brain in api.content.find(portal_type="Patient", unrestricted=True):
        for person in demo.PATIENTS:
            assert person.family_name not in brain.Title
            assert person.family_name.lower() not in brain.getPath()


def panels_by_state(portal):
    return {
        brain.review_state: brain._unrestrictedGetObject()
        for brain in api.content.find(portal_type="Panel", unrestricted=True)
    }


def test_panels_in_every_state(portal):
    panels = panels_by_state(portal)
    assert set(panels) == {
        "draft",
        "open",
        "outcome_review",
        "closed",
        "archived",
        "cancelled",
    }
    assert panels["draft"].panel_lead == "dr.dekker"
    assert panels["draft"].ern == "ERN-EYE"


def test_the_open_panel_is_lived_in(portal):
    from ern.cpms.invitations import invitations_of
    from ern.cpms.panel_content import children

    panel = panels_by_state(portal)["open"]
    states = {i.invitee: api.content.get_state(i) for i in invitations_of(panel)}
    assert states == {
        "expert.rossi": "accepted",
        "dr.martin": "pending",
        "dr.weber": "declined",
    }
    assert len(children(panel, "Comment")) == 2
    assert len(children(panel, "Meeting")) == 1
    assert len(children(panel, "Contribution")) == 1
    (request,) = children(panel, "DataRequest")
    assert api.content.get_state(request) == "open"


def test_closed_panels_have_a_final_outcome_and_two_contributions(portal):
    from ern.cpms.panel_content import children
    from ern.cpms.panel_content import outcome_of

    panels = panels_by_state(portal)
    for state in ("closed", "archived"):
        panel = panels[state]
        assert api.content.get_state(outcome_of(panel)) == "final"
        assert len(children(panel, "Contribution")) == 2
    review = panels["outcome_review"]
    assert api.content.get_state(outcome_of(review)) == "in_review"


def test_demo_patients_not_enrolled_twice_on_a_second_run(portal):
    before = len(api.content.find(portal_type="Patient", unrestricted=True))
    with api.env.adopt_roles(["Manager"]):
        demo.create_demo_network()
    assert len(api.content.find(portal_type="Patient", unrestricted=True)) == before
    assert len(api.content.find(portal_type="Panel", unrestricted=True)) == 6


def test_the_privacy_officer_reads_the_whole_trail(portal):
    assert api.user.has_permission(
        "ern.cpms: View audit log", username="privacy.officer", obj=portal
    )
    assert not api.user.has_permission(
        "ern.cpms: View audit log", username="dr.dekker", obj=portal
    )
