"""The upgrade path from the first profile version reaches the latest."""

from plone import api

import pytest


PROFILE = "ern.cpms:default"


@pytest.fixture
def site_at_version_1000(portal, setup_tool):
    """A site as version 1000 left it: no directory types, indexes or folders."""
    with api.env.adopt_roles(["Manager"]):
        api.content.delete(objects=[portal["erns"], portal["centres"]])
    portal.portal_types.manage_delObjects(["ERNDirectory", "ERN", "CentreDirectory"])
    portal.portal_types.manage_delObjects(["Centre"])
    portal.portal_catalog.delIndex("ern_memberships")
    setup_tool.setLastVersionForProfile(PROFILE, "1000")
    return portal


def test_upgrade_step_is_offered_from_1000(site_at_version_1000, setup_tool):
    # Steps registered with <upgradeSteps> come grouped in a list.
    (group,) = setup_tool.listUpgrades(PROFILE)
    assert [(step["ssource"], step["sdest"]) for step in group] == [("1000", "1001")]


def test_upgrade_from_1000_restores_everything(site_at_version_1000, setup_tool):
    portal = site_at_version_1000
    with api.env.adopt_roles(["Manager"]):
        setup_tool.upgradeProfile(PROFILE)
    assert setup_tool.getLastVersionForProfile(PROFILE) == ("1001",)
    assert "Centre" in portal.portal_types.objectIds()
    assert "ern_memberships" in portal.portal_catalog.indexes()
    assert portal["centres"].portal_type == "CentreDirectory"
    assert portal["erns"].portal_type == "ERNDirectory"
    assert setup_tool.listUpgrades(PROFILE) == []
