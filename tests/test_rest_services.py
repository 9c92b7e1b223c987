"""The named REST services: @timeline, @ern-statistics, @outcome-pdf."""

from ern.cpms.demo import DEMO_PASSWORD
from plone import api

import pytest
import transaction


def panel_in(portal, state):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state=state
    )
    return brain._unrestrictedGetObject()


@pytest.fixture
def api_as(functional_portal, request_factory):
    transaction.commit()

    def session(userid=None):
        if userid is None:
            return request_factory()
        return request_factory(basic_auth=(userid, DEMO_PASSWORD))

    return session


def refused(response):
    return response.status_code in (401, 403, 404)


def path_of(portal, obj):
    return obj.absolute_url()[len(portal.absolute_url()) :]


# @timeline


def test_the_timeline_of_a_panel(functional_portal, api_as):
    panel = panel_in(functional_portal, "open")
    path = path_of(functional_portal, panel)
    response = api_as("dr.dekker").get(f"{path}/@timeline")
    assert response.status_code == 200
    body = response.json()
    kinds = {item["kind"] for item in body["items"]}
    assert {"state", "invitation", "comment"} <= kinds
    assert body["items_total"] == len(body["items"])
    whens = [item["when"] for item in body["items"]]
    assert whens == sorted(whens)
    comments = api_as("expert.rossi").get(f"{path}/@timeline?kind=comment").json()
    assert comments["items_total"] == 2
    assert all(item["kind"] == "comment" for item in comments["items"])
    assert all(
        item["@id"].startswith(panel.absolute_url()) for item in comments["items"]
    )
    for name in ("Daan", "de Vries"):
        assert name not in response.text


def test_the_timeline_in_pages(functional_portal, api_as):
    path = path_of(functional_portal, panel_in(functional_portal, "open"))
    page = api_as("dr.dekker").get(f"{path}/@timeline?b_size=2").json()
    assert len(page["items"]) == 2
    assert page["items_total"] > 2
    assert "next" in page["batching"]


def test_an_unknown_kind_names_the_field(functional_portal, api_as):
    path = path_of(functional_portal, panel_in(functional_portal, "open"))
    response = api_as("dr.dekker").get(f"{path}/@timeline?kind=gossip")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "kind"
    assert "gossip" in error["message"]


@pytest.mark.parametrize("userid", ["dr.martin", "coordinator.eye", None])
def test_no_timeline_without_the_clinical_data(functional_portal, api_as, userid):
    """The pending invitee reads the summary only; others nothing."""
    path = path_of(functional_portal, panel_in(functional_portal, "open"))
    response = api_as(userid).get(f"{path}/@timeline")
    assert refused(response)
    assert "commented" not in response.text


# @ern-statistics


def test_the_statistics_of_an_ern(functional_portal, api_as):
    response = api_as("coordinator.eye").get("/erns/ern-eye/@ern-statistics")
    assert response.status_code == 200
    body = response.json()
    assert body["ern"] == "ERN-EYE"
    assert body["panels_total"] == 5
    assert body["panels_by_state"]["closed"] == 1
    assert body["closed_with_fewer_than_2_contributions"] == 0
    assert body["contributions_per_closed_panel"]["2"] == 2


@pytest.mark.parametrize("userid", ["dr.dekker", "editor.eye", None])
def test_only_coordinators_read_the_statistics(functional_portal, api_as, userid):
    assert refused(api_as(userid).get("/erns/ern-eye/@ern-statistics"))


def test_a_coordinator_reads_only_their_ern(functional_portal, api_as):
    assert refused(api_as("coordinator.eye").get("/erns/euro-nmd/@ern-statistics"))


# @outcome-pdf


def test_the_outcome_pdf_of_a_closed_panel(functional_portal, api_as):
    panel = panel_in(functional_portal, "closed")
    response = api_as("dr.dekker").get(
        f"{path_of(functional_portal, panel)}/@outcome-pdf"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]
    patient = panel.__parent__
    for name in (patient.family_name, patient.given_names):
        assert name.encode() not in response.content


def test_no_pdf_before_the_outcome_is_final(functional_portal, api_as):
    panel = panel_in(functional_portal, "outcome_review")
    response = api_as("dr.martin").get(
        f"{path_of(functional_portal, panel)}/@outcome-pdf"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "outcome"


def test_no_pdf_without_an_outcome(functional_portal, api_as):
    panel = panel_in(functional_portal, "open")
    response = api_as("dr.dekker").get(
        f"{path_of(functional_portal, panel)}/@outcome-pdf"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("userid", ["coordinator.eye", "editor.eye", None])
def test_no_pdf_for_outsiders(functional_portal, api_as, userid):
    panel = panel_in(functional_portal, "closed")
    response = api_as(userid).get(f"{path_of(functional_portal, panel)}/@outcome-pdf")
    assert refused(response)
    assert not response.content.startswith(b"%PDF")
    with api.env.adopt_roles(["Manager"]):
        assert panel.__parent__.family_name.encode() not in response.content
