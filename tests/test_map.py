"""The ERN map: ERNs and their member centres on a map and in a list, for
everyone, filterable by ERN and country, with Leaflet served by the add-on."""

from ern.cpms.demo import CENTRES
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.demo import PATIENTS
from plone import api

import html
import json
import pytest
import re
import transaction


MAP_DATA = re.compile(r'id="cpms-ern-map"[^>]*?data-centres="([^"]*)"', re.DOTALL)
TILE_URL = re.compile(r'id="cpms-ern-map"[^>]*?data-tile-url="([^"]*)"', re.DOTALL)
LIST = re.compile(r'<section class="cpms-ern-map-list".*?</section>', re.DOTALL)


@pytest.fixture
def map_url(functional_portal):
    return f"{functional_portal.absolute_url()}/@@ern-map"


def add_centre(portal, id, title, country, city, networks, **coordinates):
    with api.env.adopt_roles(["Manager"]):
        api.content.create(
            container=portal["centres"],
            type="Centre",
            id=id,
            title=title,
            country=country,
            city=city,
            ern_memberships=networks,
            **coordinates,
        )


@pytest.fixture
def karolinska(functional_portal):
    """A centre of another ERN (ERKNet) and another country (Sweden)."""
    with api.env.adopt_roles(["Manager"]):
        api.content.create(
            container=functional_portal["erns"],
            type="ERN",
            id="erknet",
            code="ERKNet",
            title="European Rare Kidney Disease Reference Network",
        )
    add_centre(
        functional_portal,
        "karolinska",
        "Karolinska University Hospital",
        "SE",
        "Stockholm",
        ["ERKNet"],
        latitude=59.3498,
        longitude=18.0336,
    )
    transaction.commit()


def page(session, url, **params):
    response = session.get(url, params=params)
    assert response.status_code == 200, response.status_code
    return response.text


def markers(text):
    return json.loads(html.unescape(MAP_DATA.search(text).group(1)))


def select(text, id):
    return text.split(f'id="{id}"')[1].split("</select>")[0]


def listed(text):
    return LIST.search(text).group(0)


def test_page_lists_every_demo_centre_on_the_map(anonymous, map_url):
    text = page(anonymous, map_url)
    by_title = {marker["title"]: marker for marker in markers(text)}
    assert set(by_title) == {centre.title for centre in CENTRES}
    for centre in CENTRES:
        marker = by_title[centre.title]
        assert (marker["lat"], marker["lon"]) == (centre.latitude, centre.longitude)
        assert marker["city"] == centre.city
        assert sorted(marker["erns"]) == sorted(centre.ern_memberships)
        assert marker["url"].endswith(f"/centres/{centre.id}")
        assert html.escape(centre.title, quote=False) in listed(text)
    assert by_title["Erasmus MC"]["country"] == "Netherlands"
    # The list is grouped by ERN, with a caption per network.
    captions = re.findall(r"<caption>(.*?)</caption>", listed(text), re.DOTALL)
    assert len(captions) == 2
    assert "ERN-EYE" in captions[0]
    assert "EURO-NMD" in captions[1]


def test_form_offers_the_erns_and_the_countries_with_centres(
    anonymous, map_url, karolinska
):
    text = page(anonymous, map_url)
    assert '<label class="form-label" for="cpms-map-ern">' in text
    assert '<label class="form-label" for="cpms-map-country">' in text
    ern_select = select(text, "cpms-map-ern")
    assert re.findall(r'<option value="([^"]+)"', ern_select) == [
        "ERKNet",
        "ERN-EYE",
        "EURO-NMD",
    ]
    country_select = select(text, "cpms-map-country")
    assert re.findall(r'<option value="([^"]+)"', country_select) == [
        "FR",
        "DE",
        "NL",
        "SE",
    ]
    assert ">Sweden</option>" in country_select


def test_ern_filter_narrows_map_and_list(anonymous, map_url, karolinska):
    everything = page(anonymous, map_url)
    assert "Karolinska University Hospital" in {m["title"] for m in markers(everything)}
    assert "Karolinska University Hospital" in listed(everything)

    text = page(anonymous, map_url, ern="EURO-NMD")
    assert {m["title"] for m in markers(text)} == {c.title for c in CENTRES}
    assert "Karolinska" not in listed(text)
    assert '<option selected="selected" value="EURO-NMD">' in text
    # Only the chosen network's group is listed.
    assert len(re.findall(r"<caption>", listed(text))) == 1

    text = page(anonymous, map_url, ern="ERKNet")
    assert [m["title"] for m in markers(text)] == ["Karolinska University Hospital"]
    assert "Erasmus MC" not in listed(text)
    assert "Erasmus MC" not in text.split('id="cpms-ern-map"')[1]


def test_country_filter_narrows_map_and_list(anonymous, map_url, karolinska):
    text = page(anonymous, map_url, country="FR")
    assert [m["title"] for m in markers(text)] == ["Hôpital Necker-Enfants malades"]
    assert "Necker" in listed(text)
    for absent in ("Erasmus MC", "Charité", "Karolinska"):
        assert absent not in listed(text)
    assert '<option selected="selected" value="FR">' in text

    text = page(anonymous, map_url, country="SE", ern="ERN-EYE")
    assert markers(text) == []
    assert "No centre matches this choice." in text


def test_unknown_filter_values_are_ignored(anonymous, map_url):
    text = page(anonymous, map_url, ern="<script>", country="XX")
    assert len(markers(text)) == len(CENTRES)
    assert "<script>" not in listed(text)


def test_centre_without_coordinates_is_listed_not_mapped(
    functional_portal, anonymous, map_url
):
    add_centre(
        functional_portal,
        "hus",
        "Helsinki University Hospital",
        "FI",
        "Helsinki",
        ["ERN-EYE"],
    )
    transaction.commit()
    text = page(anonymous, map_url)
    assert "Helsinki University Hospital" in listed(text)
    assert "Helsinki University Hospital" not in {m["title"] for m in markers(text)}


def test_leaflet_is_served_by_the_add_on(functional_portal, anonymous, map_url):
    base = f"{functional_portal.absolute_url()}/++plone++ern.cpms"
    for path in (
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/images/marker-icon.png",
        "ern-map.js",
    ):
        response = anonymous.get(f"{base}/{path}")
        assert response.status_code == 200, path
        assert response.content, path
    assert "Leaflet 1.9.4" in anonymous.get(f"{base}/leaflet/leaflet.js").text
    # The page loads them from the add-on, never from a CDN, and has no
    # inline script code.
    text = page(anonymous, map_url)
    assert f'src="{base}/leaflet/leaflet.js"' in text
    assert f'src="{base}/ern-map.js"' in text
    assert f'href="{base}/leaflet/leaflet.css"' in text
    assert not re.search(r"//[^\"' ]*(cdn|unpkg|jsdelivr)", text, re.IGNORECASE)


def test_tile_url_and_attribution_come_from_the_registry(
    functional_portal, anonymous, map_url
):
    text = page(anonymous, map_url)
    assert TILE_URL.search(text).group(1) == (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )
    assert 'data-attribution="© OpenStreetMap contributors"' in text
    api.portal.set_registry_record(
        "ern.cpms.map_tile_url", "https://tiles.example.org/{z}/{x}/{y}.png"
    )
    api.portal.set_registry_record("ern.cpms.map_attribution", "© Example Tiles")
    transaction.commit()
    text = page(anonymous, map_url)
    assert TILE_URL.search(text).group(1) == (
        "https://tiles.example.org/{z}/{x}/{y}.png"
    )
    assert 'data-attribution="© Example Tiles"' in text


def test_anonymous_sees_the_map_and_no_patient_data(
    functional_portal, anonymous, map_url
):
    pseudonyms = [
        brain.Title
        for brain in api.content.find(portal_type="Patient", unrestricted=True)
    ]
    assert pseudonyms
    text = page(anonymous, map_url)
    assert "ERN map" in text
    assert "Erasmus MC" in text
    for pseudonym in pseudonyms:
        assert pseudonym not in text
    for patient in PATIENTS:
        assert patient.family_name not in text


def test_the_map_is_in_the_global_navigation(functional_portal, request_factory):
    session = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    session.headers["Accept"] = "text/html"
    text = session.get(functional_portal.absolute_url()).text
    assert f'href="{functional_portal.absolute_url()}/@@ern-map"' in text
