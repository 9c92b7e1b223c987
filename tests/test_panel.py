"""Panels: opened for a patient, led by one clinician, guarded transitions."""

from AccessControl import Unauthorized
from datetime import date
from ern.cpms.panels import transition_refusal
from panels import write_outcome
from patients import enrol_as
from plone import api
from plone.api.exc import InvalidParameterError
from plone.dexterity.utils import createContentInContainer

import pytest


@pytest.fixture
def patient(portal):
    return enrol_as(
        "dr.dekker",
        portal["centres"]["erasmus-mc"],
        given_names="Daan",
        family_name="Smit",
        date_of_birth=date(2009, 2, 2),
        sex="male",
    )


def open_panel(patient, user="dr.dekker", **fields):
    values = {
        "ern": "ERN-EYE",
        "panel_type": "diagnosis",
        "reason": "Progressive loss of night vision since age 10.",
        **fields,
    }
    with api.env.adopt_user(username=user):
        return createContentInContainer(patient, "Panel", **values)


@pytest.fixture
def panel(patient):
    return open_panel(patient)


def transition(panel, name, user="dr.dekker"):
    with api.env.adopt_user(username=user):
        api.content.transition(obj=panel, transition=name)
    return api.content.get_state(panel)


def test_panel_starts_as_draft_led_by_its_creator(panel):
    assert api.content.get_state(panel) == "draft"
    assert panel.panel_lead == "dr.dekker"
    assert "PanelLead" in api.user.get_roles(username="dr.dekker", obj=panel)


def test_title_and_id_name_the_ern_and_type_never_the_patient(panel):
    assert panel.Title() == "ERN-EYE: Diagnosis"
    assert panel.getId() == "ern-eye-diagnosis"
    panel.title = "Daan Smit"
    assert "Smit" not in panel.Title()


def colleague():
    """A second health professional of Erasmus MC."""
    api.user.create(username="dr.bakker", email="b@example.org", password="x" * 12)
    api.group.add_user(
        groupname="erasmus-mc-health-professionals", username="dr.bakker"
    )
    return "dr.bakker"


def test_changing_the_lead_moves_the_role(panel):
    from zope.event import notify
    from zope.lifecycleevent import ObjectModifiedEvent

    panel.panel_lead = colleague()
    notify(ObjectModifiedEvent(panel))
    assert "PanelLead" in api.user.get_roles(username="dr.bakker", obj=panel)
    assert "PanelLead" not in api.user.get_roles(username="dr.dekker", obj=panel)


def test_the_lead_is_a_health_professional_of_the_centre(patient, panel):
    from zExceptions import BadRequest
    from zope.event import notify
    from zope.lifecycleevent import ObjectModifiedEvent

    # Someone of another centre, or a mistyped id, cannot lead the panel:
    # they would get its clinical data uninvited, or orphan it.
    for lead in ("dr.weber", "dr.dekkr"):
        with pytest.raises(BadRequest) as info:
            open_panel(patient, panel_lead=lead)
        assert "is not a health professional of Erasmus MC" in str(info.value)
    panel.panel_lead = "dr.weber"
    with pytest.raises(BadRequest):
        notify(ObjectModifiedEvent(panel))


def test_draft_is_seen_by_the_centre_only(panel):
    assert api.user.get_permissions(username="dr.dekker", obj=panel)["View"]
    for user in ("dr.martin", "coordinator.eye", "expert.rossi"):
        assert not api.user.get_permissions(username=user, obj=panel)["View"], user


def test_lifecycle_open_review_reopen(panel):
    assert transition(panel, "open") == "open"
    write_outcome(panel)
    assert transition(panel, "submit_outcome") == "outcome_review"
    assert transition(panel, "reopen") == "open"
    assert transition(panel, "cancel") == "cancelled"


def test_close_is_refused_without_a_final_outcome_and_says_why(panel):
    transition(panel, "open")
    write_outcome(panel)
    transition(panel, "submit_outcome")
    refusal = transition_refusal(panel, "close")
    assert "outcome document is final" in api.portal.translate(refusal)
    with pytest.raises(InvalidParameterError):
        transition(panel, "close")
    assert api.content.get_state(panel) == "outcome_review"


def test_open_is_refused_once_consent_is_withdrawn(patient, panel):
    with api.env.adopt_user(username="dr.dekker"):
        api.content.transition(obj=patient, transition="withdraw_consent")
    assert "withdrawn consent" in api.portal.translate(
        transition_refusal(panel, "open")
    )
    with pytest.raises(InvalidParameterError):
        transition(panel, "open")


def test_no_new_panel_once_consent_is_withdrawn(patient):
    with api.env.adopt_user(username="dr.dekker"):
        api.content.transition(obj=patient, transition="withdraw_consent")
    assert not api.user.get_permissions(username="dr.dekker", obj=patient)[
        "ern.cpms: Add Panel"
    ]
    with pytest.raises(Unauthorized):
        open_panel(patient)


def test_only_the_lead_runs_transitions(panel):
    with pytest.raises(InvalidParameterError):
        transition(panel, "open", user="dr.martin")
    assert api.content.get_state(panel) == "draft"


def test_other_centre_cannot_open_a_panel_for_the_patient(patient):
    assert not api.user.get_permissions(username="dr.martin", obj=patient)[
        "ern.cpms: Add Panel"
    ]


def test_a_panel_can_only_be_added_inside_a_patient(portal, patient):
    centre = portal["centres"]["erasmus-mc"]
    with api.env.adopt_user(username="dr.dekker"):
        assert [t.getId() for t in patient.allowedContentTypes()] == ["Panel"]
    with api.env.adopt_roles(["Manager"]):
        for container in (portal, portal["erns"], centre):
            assert "Panel" not in [t.getId() for t in container.allowedContentTypes()]


def test_a_patient_can_only_be_added_inside_a_centre(portal, patient):
    centre = portal["centres"]["erasmus-mc"]
    with api.env.adopt_user(username="dr.dekker"):
        assert [t.getId() for t in centre.allowedContentTypes()] == ["Patient"]
    with api.env.adopt_roles(["Manager"]):
        for container in (portal, portal["erns"], portal["centres"], patient):
            assert "Patient" not in [t.getId() for t in container.allowedContentTypes()]


def test_lead_is_told_why_close_is_not_offered(panel, http_request):
    transition(panel, "open")
    write_outcome(panel)
    transition(panel, "submit_outcome")
    with api.env.adopt_user(username="dr.dekker"):
        html = panel.restrictedTraverse("@@view")()
    assert "cpms-panel-refusals" in html
    assert "outcome document is final" in html


def test_members_are_not_told_about_steps_they_cannot_take(panel, http_request):
    transition(panel, "open")
    write_outcome(panel)
    transition(panel, "submit_outcome")
    panel.manage_setLocalRoles("expert.rossi", ["PanelMember"])
    with api.env.adopt_user(username="expert.rossi"):
        html = panel.restrictedTraverse("@@view")()
    assert "cpms-panel-refusals" not in html


def test_lead_is_told_why_a_draft_cannot_be_opened(patient, panel):
    with api.env.adopt_user(username="dr.dekker"):
        api.content.transition(obj=patient, transition="withdraw_consent")
        html = panel.restrictedTraverse("@@view")()
    assert "withdrawn consent for care" in html
