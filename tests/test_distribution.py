"""The CPMS flavour creates a working site from Plone's site-creation form."""

from plone import api
from plone.distribution.api import distribution as distribution_api

import pytest


@pytest.fixture(scope="session")
def distribution_name():
    return "cpms"


@pytest.fixture
def cpms_answers():
    return {
        "site_id": "network",
        "title": "ERN CPMS",
        "description": "Test network",
        "default_language": "en",
        "portal_timezone": "Europe/Brussels",
        "setup_content": True,
    }


def test_distribution_is_offered():
    distribution = distribution_api.get("cpms")
    assert distribution.title == "ERN Clinical Patient Management System"
    assert "ern.cpms:default" in distribution.profiles
    assert distribution.contents["profiles"] == ["ern.cpms:demo"]


def test_distribution_answers_default_to_no_demo_data():
    schema = distribution_api.get("cpms").schema
    assert schema["properties"]["setup_content"]["default"] is False
    assert schema["properties"]["site_id"]["default"] == "cpms"


def test_site_with_demo_network(app, create_site, cpms_answers):
    site = create_site(app, cpms_answers)
    assert site.getId() == "network"
    installer = api.content.get_view("installer", site, site.REQUEST)
    assert installer.is_product_installed("ern.cpms")
    assert installer.is_product_installed("plone.restapi")
    assert "euro-nmd" in site["erns"].objectIds()
    assert api.user.get(userid="dr.dekker") is not None
    assert api.portal.get_registry_record("plone.portal_timezone") == "Europe/Brussels"


def test_site_without_demo_network(app, create_site, cpms_answers):
    site = create_site(app, {**cpms_answers, "setup_content": False})
    assert site["erns"].objectIds() == []
    assert site["centres"].portal_type == "CentreDirectory"
