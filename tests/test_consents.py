"""The three consents: recorded with date and who, every change kept;
withdrawing the consent for care blocks new panels, closes nothing and
tells the leads of the panels still at work; all of it audited."""

from ern.cpms import consents
from panels import as_user
from panels import make_panel
from panels import messages
from plone import api

import pytest
import transaction


def _patient_with_panel(portal):
    panel = make_panel(portal, ("Jesper", "Vermeulen"))
    return panel.__parent__, panel


def test_enrolment_records_all_three(portal):
    patient, _panel = _patient_with_panel(portal)
    history = consents.history(patient)
    assert [(h["consent"], h["given"], h["how"]) for h in history] == [
        ("care", True, "enrolment"),
        ("registries", False, "enrolment"),
        ("research", False, "enrolment"),
    ]
    assert {h["userid"] for h in history} == {"dr.dekker"}
    assert history[0]["signed"] == patient.consent_care_date.isoformat()
    assert all(h["when"].endswith("Z") for h in history)


def test_a_corrected_consent_is_added_not_overwritten(portal):
    patient, _panel = _patient_with_panel(portal)
    with api.env.adopt_user(username="dr.dekker"):
        patient.consent_research = True
        from zope.event import notify
        from zope.lifecycleevent import ObjectModifiedEvent

        notify(ObjectModifiedEvent(patient))
    history = consents.history(patient)
    assert len(history) == 4
    assert (history[-1]["consent"], history[-1]["given"], history[-1]["how"]) == (
        "research",
        True,
        "edit",
    )
    assert consents.current(patient) == {
        "care": True,
        "registries": False,
        "research": True,
    }


def test_withdrawal_blocks_new_panels_and_tells_the_leads(portal):
    patient, panel = _patient_with_panel(portal)
    as_user(
        "dr.dekker", api.content.transition, obj=patient, transition="withdraw_consent"
    )
    # Nothing closed.
    assert api.content.get_state(panel) == "open"
    assert consents.withdrawn(panel)
    # New panels blocked.
    with api.env.adopt_user(username="dr.dekker"):
        assert not api.user.has_permission("ern.cpms: Add Panel", obj=patient)
    # The lead is told, at once.
    (told,) = [m for m in messages() if "withdrew the consent for care" in m]
    assert "Vermeulen" not in told
    assert "Jesper" not in told
    history = consents.history(patient)
    assert (history[-1]["consent"], history[-1]["given"], history[-1]["how"]) == (
        "care",
        False,
        "withdraw_consent",
    )
    as_user(
        "dr.dekker", api.content.transition, obj=patient, transition="renew_consent"
    )
    assert not consents.withdrawn(panel)
    assert consents.history(patient)[-1]["how"] == "renew_consent"
    assert consents.current(patient)["care"] is True


def test_consent_changes_are_audited(functional_portal, audit):
    patient, _panel = _patient_with_panel(functional_portal)
    transaction.commit()
    as_user(
        "dr.dekker", api.content.transition, obj=patient, transition="withdraw_consent"
    )
    transaction.commit()
    rows, _total = audit.entries(action="consent", newest_first=False)
    assert [r["detail"] for r in rows] == [
        "care: given (enrolment)",
        "registries: not given (enrolment)",
        "research: not given (enrolment)",
        "care: not given (withdraw_consent)",
    ]
    assert {r["pseudonym"] for r in rows} == {patient.pseudonym}
    transitions, _total = audit.entries(action="transition")
    assert any("withdraw_consent" in r["detail"] for r in transitions)


def test_the_pages_show_the_history_and_the_withdrawal(
    functional_portal, request_factory
):
    from ern.cpms.demo import DEMO_PASSWORD

    patient, panel = _patient_with_panel(functional_portal)
    as_user(
        "dr.dekker", api.content.transition, obj=patient, transition="withdraw_consent"
    )
    transaction.commit()
    dekker = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    html = {"Accept": "text/html"}
    page = dekker.get(patient.absolute_url(), headers=html).text
    assert "Consent history" in page
    assert "withdrawn" in page
    panel_page = dekker.get(panel.absolute_url(), headers=html).text
    assert "withdrew the consent for care" in panel_page


@pytest.mark.parametrize("userid", ["dr.martin", "coordinator.eye"])
def test_only_the_centre_reads_the_consent_history(
    functional_portal, request_factory, userid
):
    from ern.cpms.demo import DEMO_PASSWORD

    patient, _panel = _patient_with_panel(functional_portal)
    transaction.commit()
    session = request_factory(basic_auth=(userid, DEMO_PASSWORD), api=False)
    response = session.get(
        patient.absolute_url(), allow_redirects=False, headers={"Accept": "text/html"}
    )
    assert response.status_code in (302, 401, 403)
