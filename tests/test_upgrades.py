"""The upgrade path from the first profile version reaches the latest."""

from ern.cpms.pseudonym import SECRET_ANNOTATION
from plone import api
from zope.annotation.interfaces import IAnnotations

import pytest


PROFILE = "ern.cpms:default"


def pending_steps(setup_tool):
    # Steps registered with <upgradeSteps> come grouped in lists.
    return [
        (step["ssource"], step["sdest"])
        for group in setup_tool.listUpgrades(PROFILE)
        for step in group
    ]


@pytest.fixture
def site_at_version_1000(portal, setup_tool):
    """A site as version 1000 left it: no directories, indexes or secret."""
    with api.env.adopt_roles(["Manager"]):
        api.content.delete(objects=[portal["erns"], portal["centres"]])
    portal.portal_types.manage_delObjects(["ERNDirectory", "ERN", "CentreDirectory"])
    portal.portal_types.manage_delObjects(["Centre", "Patient", "Panel"])
    portal.portal_types.manage_delObjects(
        ["Invitation", "Comment", "Contribution", "OutcomeDocument"]
    )
    portal.portal_workflow.manage_delObjects(
        [
            "cpms_patient_workflow",
            "cpms_panel_workflow",
            "cpms_invitation_workflow",
            "cpms_panel_content_workflow",
            "cpms_outcome_workflow",
        ]
    )
    portal.portal_catalog.delIndex("ern_memberships")
    portal.portal_catalog.delColumn("nav_title")
    portal.portal_catalog.delIndex("invitee")
    del IAnnotations(portal)[SECRET_ANNOTATION]
    setup_tool.setLastVersionForProfile(PROFILE, "1000")
    return portal


def test_every_step_is_offered_from_1000(site_at_version_1000, setup_tool):
    assert pending_steps(setup_tool) == [
        ("1000", "1001"),
        ("1001", "1002"),
        ("1002", "1003"),
        ("1003", "1004"),
        ("1004", "1005"),
        ("1005", "1006"),
        ("1006", "1007"),
        ("1007", "1008"),
        ("1008", "1009"),
        ("1009", "1010"),
        ("1010", "1011"),
        ("1011", "1012"),
    ]


def test_upgrade_from_1000_restores_everything(site_at_version_1000, setup_tool):
    portal = site_at_version_1000
    with api.env.adopt_roles(["Manager"]):
        setup_tool.upgradeProfile(PROFILE)
    # The version of profiles/default/metadata.xml.
    latest = setup_tool.getVersionForProfile(PROFILE)
    assert setup_tool.getLastVersionForProfile(PROFILE) == (latest,)
    assert "Centre" in portal.portal_types.objectIds()
    assert "ern_memberships" in portal.portal_catalog.indexes()
    assert "nav_title" in portal.portal_catalog.schema()
    assert "invitee" in portal.portal_catalog.indexes()
    assert "Patient" in portal.portal_types.objectIds()
    assert portal.portal_workflow.getChainForPortalType("Patient") == (
        "cpms_patient_workflow",
    )
    assert portal.portal_workflow.getChainForPortalType("Panel") == (
        "cpms_panel_workflow",
    )
    assert portal.portal_workflow.getChainForPortalType("Invitation") == (
        "cpms_invitation_workflow",
    )
    assert "OutcomeDocument" in portal.portal_repository.getVersionableContentTypes()
    assert "EasyForm" in portal.portal_types.objectIds()
    assert portal["centres"].portal_type == "CentreDirectory"
    assert portal["erns"].portal_type == "ERNDirectory"
    assert len(IAnnotations(portal)[SECRET_ANNOTATION]) == 32
    assert pending_steps(setup_tool) == []


def test_upgrade_from_1001_creates_the_secret_and_keeps_an_existing_one(
    portal, setup_tool
):
    existing = IAnnotations(portal)[SECRET_ANNOTATION]
    setup_tool.setLastVersionForProfile(PROFILE, "1001")
    assert pending_steps(setup_tool)[0] == ("1001", "1002")
    setup_tool.upgradeProfile(PROFILE)
    assert IAnnotations(portal)[SECRET_ANNOTATION] == existing


def test_upgrade_to_1007_keeps_published_pages_of_an_ern_public(portal, setup_tool):
    """Pages an ERN held before it had its workflow policy change workflow
    with the upgrade: a published one stays public, a private one is a
    draft."""
    ern = portal["erns"]["euro-nmd"]
    # As on a real site (the test fixture gives Plone's pages no workflow).
    portal.portal_workflow.setChainForPortalTypes(
        ["Document"], "simple_publication_workflow"
    )
    with api.env.adopt_roles(["Manager"]):
        ern._delObject(".wf_policy_config")
        published = api.content.create(container=ern, type="Document", title="Guide")
        api.content.transition(obj=published, transition="publish")
        private = api.content.create(container=ern, type="Document", title="Notes")
    assert api.content.get_state(published) == "published"
    setup_tool.setLastVersionForProfile(PROFILE, "1006")
    with api.env.adopt_roles(["Manager"]):
        setup_tool.upgradeProfile(PROFILE)
    assert api.content.get_state(published) == "public"
    assert api.content.get_state(private) == "draft"
    with api.env.adopt_roles(["Anonymous"]):
        assert api.user.has_permission("View", obj=published)
        assert not api.user.has_permission("View", obj=private)


def test_upgrade_to_1011_takes_site_building_from_owners(portal, setup_tool):
    """A site of 1010 gave the owner of a record Plone's defaults."""
    from ern.cpms.setuphandlers import ADMINISTRATORS_ONLY
    from patients import enrol_as

    patient = enrol_as("dr.dekker", portal["centres"]["erasmus-mc"])
    for folder in (portal["centres"], portal["access-requests"]):
        for permission in ADMINISTRATORS_ONLY:
            folder.manage_permission(permission, [], acquire=True)
    assert api.user.has_permission("Undo changes", username="dr.dekker", obj=patient)
    setup_tool.setLastVersionForProfile(PROFILE, "1010")
    with api.env.adopt_roles(["Manager"]):
        setup_tool.upgradeProfile(PROFILE)
    for permission in ("Undo changes", "View management screens", "Change local roles"):
        assert not api.user.has_permission(
            permission, username="dr.dekker", obj=patient
        ), permission
    workflow = portal.portal_workflow["cpms_outcome_workflow"]
    assert "CMFEditions: Revert to previous versions" in workflow.permissions


def test_upgrade_to_1012_fills_the_indexes_of_my_work(portal, setup_tool):
    """A site of 1011 had neither index: the upgrade adds and fills them,
    and my work answers as on a new site."""
    from ern.cpms.work import my_work

    expected = {userid: my_work(userid) for userid in ("dr.dekker", "expert.rossi")}
    assert expected["dr.dekker"]["data_requests"]
    catalog = portal.portal_catalog
    for name in ("panel_people", "open_request_people"):
        catalog.delIndex(name)
    setup_tool.setLastVersionForProfile(PROFILE, "1011")
    with api.env.adopt_roles(["Manager"]):
        setup_tool.upgradeProfile(PROFILE)
    assert {"panel_people", "open_request_people"} <= set(catalog.indexes())
    for userid, work in expected.items():
        assert my_work(userid) == work
