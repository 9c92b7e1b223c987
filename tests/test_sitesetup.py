"""`make start`'s create-or-reuse of the site keeps existing data."""

from Acquisition import aq_base
from ern.cpms.sitesetup import ensure_admin
from ern.cpms.sitesetup import ensure_site
from plone import api
from zope.component.hooks import getSite
from zope.component.hooks import setSite

import pytest


@pytest.fixture
def app(app):
    """The Zope application; the site hook is put back after the test.

    Committing is left to tests/test_start_script.py, which restarts a real
    process on a real FileStorage; here everything is rolled back.
    """
    previous = getSite()
    yield app
    setSite(previous)


def test_first_call_creates_site_with_demo_network(app):
    report = ensure_site(app, "network", with_demo=True)
    assert report.created
    assert "network" in app.objectIds()
    assert {a.userid for a in report.demo_accounts} >= {"dr.dekker", "coordinator.eye"}


def test_second_call_reuses_site_and_keeps_data(app):
    ensure_site(app, "network", with_demo=True)
    site = app["network"]
    site["centres"]["necker"].city = "Paris 15e"
    site.setTitle("Our CPMS")

    report = ensure_site(app, "network", with_demo=True)

    assert not report.created
    assert aq_base(app["network"]) is aq_base(site)
    assert site["centres"]["necker"].city == "Paris 15e"
    assert site.Title() == "Our CPMS"


def test_reuse_runs_pending_upgrades(app):
    ensure_site(app, "network", with_demo=False)
    setup = app["network"].portal_setup
    setup.setLastVersionForProfile("ern.cpms:default", "1000")

    report = ensure_site(app, "network")

    assert report.upgraded
    assert setup.getLastVersionForProfile("ern.cpms:default") == (
        setup.getVersionForProfile("ern.cpms:default"),
    )


def test_site_without_demo_has_no_demo_accounts(app):
    report = ensure_site(app, "empty", with_demo=False)
    assert report.demo_accounts == ()
    assert api.user.get(userid="dr.dekker") is None


def test_admin_is_created_once_with_a_generated_password(app):
    first = ensure_admin(app, user="keeper")
    second = ensure_admin(app, user="keeper")
    assert len(first) >= 20
    assert second is None
    assert app.acl_users.authenticate("keeper", first, app.REQUEST)
