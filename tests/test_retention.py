"""Retention: archived panels, then their patient, erased when the period
is over — object, versions, catalog entries; only pseudonymous audit
entries remain. A dry run lists and changes nothing."""

from datetime import timedelta
from ern.cpms import retention
from plone import api

import pytest
import transaction


def _cancelled(portal):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="cancelled"
    )
    return brain._unrestrictedGetObject()


def _archived(portal):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="archived"
    )
    return brain._unrestrictedGetObject()


@pytest.fixture
def later():
    """Today, 16 years on (the default period is 15)."""
    return retention.now() + timedelta(days=round(365.25 * 16))


def test_nothing_is_due_before_the_period_ends(portal):
    assert retention.due(portal) == []
    assert retention.run(portal, apply=True) == []


def test_the_dry_run_lists_and_changes_nothing(portal, later):
    panel = _archived(portal)
    patient = panel.__parent__
    lines = retention.run(portal, apply=False, today=later)
    # The demo's archived panel and its cancelled one, each its patient's
    # only panel.
    assert len(lines) == 2
    (line,) = [line for line in lines if patient.pseudonym in line]
    assert line.startswith("patient ")
    assert panel.getId() in line
    assert "Fischer" not in "".join(lines)  # the demo patient's name
    assert panel.getId() in patient.objectIds()
    assert _cancelled(portal).getId() in _cancelled(portal).__parent__.objectIds()


def test_the_period_comes_from_the_registry(portal):
    api.portal.set_registry_record(retention.REGISTRY, 1)
    in_two_years = retention.now() + timedelta(days=800)
    due = retention.due(portal, in_two_years)
    assert sorted(p.getId() for _pt, panels, _w in due for p in panels) == sorted(
        [_archived(portal).getId(), _cancelled(portal).getId()]
    )
    api.portal.set_registry_record(retention.REGISTRY, 3)
    assert retention.due(portal, in_two_years) == []


def test_erasure_leaves_only_pseudonymous_audit_entries(
    functional_portal, audit, later
):
    portal = functional_portal
    panel = _archived(portal)
    patient = panel.__parent__
    pseudonym, identity_hash = patient.pseudonym, patient.identity_hash
    path = "/".join(patient.getPhysicalPath())
    outcome = next(
        i for i in panel.objectValues() if i.portal_type == "OutcomeDocument"
    )
    storage = api.portal.get_tool("portal_historiesstorage")
    history_id = api.portal.get_tool("portal_historyidhandler").queryUid(outcome)
    assert len(storage.getHistory(history_id, countPurged=False)) > 0
    every_panel = [p for p in patient.objectValues() if p.portal_type == "Panel"]
    assert every_panel == [panel]  # the demo's archived patient has one
    transaction.commit()

    lines = retention.run(portal, apply=True, today=later)
    transaction.commit()
    assert len(lines) == 2
    assert patient.getId() not in patient.__parent__.objectIds()
    catalog = portal.portal_catalog
    assert len(catalog.unrestrictedSearchResults(path=path)) == 0
    assert len(catalog.unrestrictedSearchResults(identity_hash=identity_hash)) == 0
    assert len(catalog.unrestrictedSearchResults(SearchableText="Fischer")) == 0
    # Every version of the outcome is purged from CMFEditions' storage.
    assert len(storage.getHistory(history_id, countPurged=False)) == 0
    erased = audit.entries(action="erase")[0]
    assert (pseudonym, "Patient") in [(e["pseudonym"], e["detail"]) for e in erased]
    assert len(erased) == 2
    text = repr(audit.entries()[0])
    assert "Fischer" not in text
    assert "Leon" not in text
    # Nothing else was touched.
    assert catalog.unrestrictedSearchResults(portal_type="Panel", review_state="open")


def test_a_patient_with_a_panel_at_work_keeps_it(portal, later):
    panel = _archived(portal)
    patient = panel.__parent__
    with api.env.adopt_user(username="dr.weber"):
        other = api.content.create(
            container=patient,
            type="Panel",
            ern="ERN-EYE",
            panel_type="treatment",
            reason="A new question.",
            title="x",
        )
    retention.run(portal, apply=True, today=later)
    assert patient.getId() in patient.__parent__.objectIds()
    assert other.getId() in patient.objectIds()
    assert panel.getId() not in patient.objectIds()


def test_a_withdrawn_consent_starts_the_clock(portal, later):
    """Withdrawn longer ago than the period: the patient goes, with their
    panels — unless one is still at work."""
    from panels import as_user
    from panels import make_panel
    from patients import enrol_as

    alone = enrol_as("dr.dekker", portal["centres"]["erasmus-mc"], family_name="Alone")
    busy = make_panel(portal, ("Busy", "Withbusy")).__parent__
    for patient in (alone, busy):
        as_user(
            "dr.dekker",
            api.content.transition,
            obj=patient,
            transition="withdraw_consent",
        )
    assert retention.due(portal) == []  # not yet
    due = {
        patient.getId(): whole
        for patient, _panels, whole in retention.due(portal, later)
    }
    assert due.get(alone.getId()) is True
    assert busy.getId() not in due  # its panel is open
    retention.run(portal, apply=True, today=later)
    assert alone.getId() not in portal["centres"]["erasmus-mc"].objectIds()
    assert busy.getId() in portal["centres"]["erasmus-mc"].objectIds()
