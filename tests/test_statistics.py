"""An ERN's statistics for its coordinators: page, SVG charts, CSV."""

from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.statistics import figures
from panels import as_user
from panels import make_panel
from plone import api
from plone.dexterity.utils import createContentInContainer

import csv
import io
import transaction


def test_figures_of_the_demo_ern(portal):
    data = figures("ERN-EYE")
    states = dict(data["by_state"])
    assert data["total"] == 5
    assert states == {
        "draft": 1,
        "open": 1,
        "outcome_review": 0,
        "closed": 1,
        "archived": 1,
        "cancelled": 1,
    }
    assert data["closed"] == 2
    assert dict(data["contributions"])["2"] == 2
    assert data["few_contributions"] == 0
    # Opened and closed by the demo on the same day.
    assert dict(data["durations"])["≤ 30"] == 2
    assert data["median_days"] == 0
    assert sum(n for _month, n in data["by_month"]) == 5
    assert figures("EURO-NMD")["total"] == 1


def test_a_contribution_counts_at_once(portal):
    panel = make_panel(portal, ("Iris", "Bos"), members=["expert.rossi"])
    as_user(
        "expert.rossi",
        createContentInContainer,
        panel,
        "Contribution",
        checkConstraints=True,
        assessment="Likely RPGR.",
        recommendation="Test RPGR.",
    )
    catalog = portal.portal_catalog
    (brain,) = catalog.unrestrictedSearchResults(UID=panel.UID())
    assert brain.panel_contributions == 1
    assert brain.panel_opened is not None
    assert brain.panel_closed is None


def test_the_page_shows_charts_and_tables(portal, http_request):
    with api.env.adopt_user(username="coordinator.eye"):
        html = api.content.get_view(
            "statistics", portal["erns"]["ern-eye"], http_request
        )()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="cpms-chart"') == 4
    assert 'role="img"' in html
    assert "Panels per state" in html
    assert "@@statistics.csv" in html
    assert "Closed with fewer than 2 contributions" in html
    for name in ("Jansen", "Lotte", "de Vries", "Daan", "Schneider", "Fischer"):
        assert name not in html


def test_only_the_ern_coordinators_see_it(functional_portal, request_factory):
    transaction.commit()
    for userid, page, allowed in (
        ("coordinator.eye", "/erns/ern-eye/@@statistics", True),
        ("coordinator.eye", "/erns/euro-nmd/@@statistics", False),
        ("dr.dekker", "/erns/ern-eye/@@statistics", False),
        ("editor.eye", "/erns/ern-eye/@@statistics.csv", False),
    ):
        session = request_factory(basic_auth=(userid, DEMO_PASSWORD), api=False)
        response = session.get(page)
        refused = "insufficient-privileges" in response.url or response.status_code in (
            401,
            403,
        )
        assert refused is not allowed, (userid, page)


def test_the_csv_download(functional_portal, request_factory):
    transaction.commit()
    session = request_factory(basic_auth=("coordinator.eye", DEMO_PASSWORD), api=False)
    response = session.get("/erns/ern-eye/@@statistics.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "ern-eye-statistics.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    values = {(row["figure"], row["key"]): row["value"] for row in rows}
    assert values[("panels", "total")] == "5"
    assert values[("by_state", "closed")] == "1"
    assert values[("closed_with_fewer_than_2_contributions", "total")] == "0"
    assert "Jansen" not in response.text


def test_the_ern_page_links_its_coordinators_to_the_statistics(portal, http_request):
    ern = portal["erns"]["ern-eye"]
    with api.env.adopt_user(username="coordinator.eye"):
        coordinator = api.content.get_view("view", ern, http_request)()
    with api.env.adopt_user(username="dr.dekker"):
        doctor = api.content.get_view("view", ern, http_request)()
    assert "ern-eye/@@statistics" in coordinator
    assert "@@statistics" not in doctor


def ern_panels_page(portal, http_request, userid, **form):
    http_request.form.update(form)
    with api.env.adopt_user(username=userid):
        return api.content.get_view("panels", portal["erns"]["ern-eye"], http_request)()


def test_the_coordinator_lists_every_panel_of_the_ern(portal, http_request):
    html = ern_panels_page(portal, http_request, "coordinator.eye")
    rows = html.split("cpms-ern-panels", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 1 + 5  # the header and the 5 ERN-EYE panels
    assert "Erasmus MC" in rows
    assert "Charité" in rows
    for name in ("Jansen", "Lotte", "de Vries", "Daan", "Schneider", "Fischer"):
        assert name not in html


def test_the_ern_panels_by_state(portal, http_request):
    html = ern_panels_page(portal, http_request, "coordinator.eye", state="closed")
    rows = html.split("cpms-ern-panels", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 1 + 1
    http_request.form.clear()
    html = ern_panels_page(portal, http_request, "coordinator.eye", state="bogus")
    rows = html.split("cpms-ern-panels", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 1 + 5


def test_only_coordinators_list_the_ern_panels(functional_portal, request_factory):
    transaction.commit()
    for userid in ("dr.dekker", "editor.eye"):
        session = request_factory(basic_auth=(userid, DEMO_PASSWORD), api=False)
        response = session.get("/erns/ern-eye/@@panels")
        assert "insufficient-privileges" in response.url or response.status_code in (
            401,
            403,
        ), userid
