"""WCAG 2.1 AA in a real browser: axe-core (bundled by axe-playwright-python)
finds no serious or critical violation on the main pages."""

from axe_playwright_python.sync_playwright import Axe
from plone import api
from web import accept_cookie_notice
from web import screenshot

import pytest
import transaction


WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
}
SERIOUS = ("serious", "critical")

# (who, page, screenshot name)
PAGES = (
    (None, "", "front-page"),
    (None, "/login", "login"),
    (None, "/@@ern-map", "ern-map"),
    (None, "/@@privacy", "privacy"),
    (None, "/erns/ern-eye", "ern"),
    (None, "/erns/ern-eye/@@webinars", "webinars"),
    ("dr.dekker", "/centres/erasmus-mc/@@patients", "patient-list"),
    ("dr.dekker", "/@@my-ern", "my-ern-lead"),
    ("expert.rossi", "/@@my-ern", "my-ern-member"),
    ("coordinator.eye", "/erns/ern-eye/@@statistics", "statistics"),
    ("coordinator.eye", "/erns/ern-eye/@@panels", "ern-panels"),
    ("coordinator.eye", "/@@my-ern", "my-ern-coordinator"),
    ("dr.dekker", "/@@my-centre", "my-centre"),
    ("expert.rossi", "/@@my-calendar", "my-calendar"),
    ("expert.rossi", "/@@notifications", "notifications"),
    ("expert.rossi", "/@@notification-settings", "notification-settings"),
    (None, "/erns/ern-eye/resources/cpms-for-panel-leads", "webinar"),
    (None, "/erns/ern-eye/resources/user-manual", "user-manual"),
    ("dr.dekker", "/@@my-profile", "my-profile"),
    ("dr.dekker", "/@@second-factor", "second-factor"),
    ("guest.visser", "/access-requests/++add++AccessRequest", "access-request-form"),
    ("coordinator.eye", "/access-requests/request-ern-eye", "access-request"),
    ("coordinator.eye", "/access-requests", "access-requests"),
    ("dr.dekker", "/centres/erasmus-mc/@@access-log", "access-log"),
    ("privacy.officer", "/@@audit-log", "audit-log"),
)


@pytest.fixture(autouse=True)
def local_map_tiles(functional_portal):
    """The machines' network is closed: the map's tiles come from the site
    (one image for every tile; enough for a page that must not log errors)."""
    api.portal.set_registry_record(
        "ern.cpms.map_tile_url",
        functional_portal.absolute_url()
        + "/++plone++ern.cpms/leaflet/images/layers.png?{z}/{x}/{y}",
    )
    transaction.commit()


def serious_violations(page):
    # Plone's patterns render parts of the page after load (dates, menus).
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize(("userid", "path", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_main_pages_have_no_serious_violation(web, userid, path, name):
    page = web.window(userid)
    page.goto(f"{web.url}{path}")
    # The cookie notice is checked too, then put away for the picture.
    assert serious_violations(page) == []
    # No page's style leaks into Plone's navigation bar (one row of tabs).
    navigation = page.locator("#mainnavigation-wrapper").bounding_box()
    assert navigation["height"] < 120, navigation
    accept_cookie_notice(page)
    screenshot(page, name)


def open_panel_path(portal):
    """The demo's open ERN-EYE panel (members, an invitee, a data request)."""
    catalog = portal.portal_catalog
    (brain,) = catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="open"
    )
    return brain.getPath()[len("/".join(portal.getPhysicalPath())) :]


@pytest.mark.parametrize(
    "userid", ["expert.rossi", "dr.martin"], ids=["member", "pending-invitee"]
)
def test_the_panel_page_for_its_experts(web, functional_portal, userid):
    page = web.window(userid)
    page.goto(f"{web.url}{open_panel_path(functional_portal)}")
    screenshot(page, f"panel-{userid}")
    assert serious_violations(page) == []


def test_the_patient_and_panel_pages(web):
    """The clinical pages, reached by following links as a doctor would."""
    page = web.window("dr.dekker")
    page.goto(f"{web.url}/centres/erasmus-mc/@@patients?q=vries")
    page.click("table.cpms-patients a")
    assert serious_violations(page) == []
    page.click(".cpms-panels a[href*='ern-eye']")
    screenshot(page, "panel-lead")
    assert serious_violations(page) == []
