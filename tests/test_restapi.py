"""plone.restapi is installed and usable by the demo accounts."""

from ern.cpms.demo import DEMO_PASSWORD

import pytest


@pytest.fixture
def doctor(request_factory):
    return request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD))


def test_site_answers_json_to_a_demo_account(doctor):
    response = doctor.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["@type"] == "Plone Site"


def test_accept_header_on_plain_url(request_factory, functional_portal):
    session = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    session.headers["Accept"] = "application/json"
    response = session.get(functional_portal.absolute_url())
    assert response.status_code == 200
    assert response.json()["@id"] == functional_portal.absolute_url()


def test_demo_account_is_authenticated(doctor):
    response = doctor.get("/@users/dr.dekker")
    assert response.status_code == 200
    assert response.json()["fullname"] == "Anna Dekker"


def test_wrong_password_is_unauthorised(request_factory):
    session = request_factory(basic_auth=("dr.dekker", "wrong"))
    assert session.get("/@users/dr.dekker").status_code == 401


def test_centre_serialised_with_its_fields(doctor):
    data = doctor.get("/centres/erasmus-mc").json()
    assert data["@type"] == "Centre"
    assert data["country"]["token"] == "NL"
    assert data["city"] == "Rotterdam"
    assert {term["token"] for term in data["ern_memberships"]} == {
        "ERN-EYE",
        "EURO-NMD",
    }


def test_login_endpoint_issues_a_token(request_factory):
    session = request_factory()
    response = session.post(
        "/@login", json={"login": "coordinator.eye", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["token"]


def test_a_second_ern_of_a_network_is_refused_with_400(
    request_factory, functional_portal
):
    manager = request_factory(role="Manager")
    response = manager.post(
        "/erns", json={"@type": "ERN", "code": "ERN-EYE", "title": "x"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "There is already an ERN for ERN-EYE" in error["message"]
    assert error["field"] == "code"


def test_unreadable_search_text_is_a_400_naming_the_field(request_factory):
    """Only stop words or control characters: Plone's full-text index cannot
    parse it (plone.restapi answered 500; found by schemathesis)."""
    session = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD))
    response = session.get("/@search", params={"SearchableText": "\u00b4\x1a"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "SearchableText"
    found = session.get("/@search", params={"SearchableText": "Dekker"})
    assert found.status_code == 200


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"metadata_fields": "_all"},
        {"metadata_fields": ["UID", "Creator", "created"]},
    ],
)
def test_brain_summaries_are_plone_restapis(portal, form):
    """The items of a folder and the rows of @search are summarised by
    ern.cpms's BrainSummary (settings and type titles worked out once per
    request) with exactly the fields and values of plone.restapi's own
    summary, for every kind of content of the demo network."""
    from ern.cpms.interfaces import IBrowserLayer
    from ern.cpms.restapi.serializers import BrainSummary
    from plone.restapi.interfaces import ISerializeToJsonSummary
    from plone.restapi.serializer.summary import DefaultJSONSummarySerializer
    from zope.component import getMultiAdapter
    from zope.interface import alsoProvides

    request = portal.REQUEST
    alsoProvides(request, IBrowserLayer)
    request.form.update(form)
    brains = portal.portal_catalog.unrestrictedSearchResults(
        path="/".join(portal.getPhysicalPath())
    )
    types = {brain.portal_type for brain in brains}
    assert {"Panel", "Comment", "Patient", "Centre", "DataRequest"} <= types
    for brain in brains:
        ours = getMultiAdapter((brain, request), ISerializeToJsonSummary)
        assert isinstance(ours, BrainSummary)
        assert ours() == DefaultJSONSummarySerializer(brain, request)()


def test_no_item_of_a_panel_has_publication_dates(portal):
    """The panel's REST listing skips Plone's publication-date filter
    (PanelSerializer._build_query): right only while nothing a panel may
    hold can be given an effective or expiration date."""
    from plone.dexterity.utils import iterSchemataForType

    panel_type = portal.portal_types["Panel"]
    assert panel_type.filter_content_types
    allowed = panel_type.allowed_content_types
    assert {"Comment", "Contribution", "DataRequest"} <= set(allowed)
    for portal_type in allowed:
        fields = {
            name for schema in iterSchemataForType(portal_type) for name in schema
        }
        assert not fields & {"effective", "expires"}, portal_type
