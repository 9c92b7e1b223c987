"""The ERN and centre pages say what a visitor needs to know."""

from plone import api


def test_ern_page_lists_member_centres(portal, http_request):
    view = api.content.get_view("view", portal["erns"]["euro-nmd"], http_request)
    html = view()
    assert "Rare neuromuscular diseases" in html
    assert "Erasmus MC" in html
    assert "Charité – Universitätsmedizin Berlin" in html


def test_ern_page_lists_only_its_members(portal, http_request):
    with api.env.adopt_roles(["Manager"]):
        api.content.create(
            container=portal["centres"],
            type="Centre",
            id="karolinska",
            title="Karolinska University Hospital",
            country="SE",
            city="Stockholm",
            ern_memberships=["ERKNet"],
        )
    html = api.content.get_view("view", portal["erns"]["euro-nmd"], http_request)()
    assert "Karolinska" not in html


def test_centre_page_shows_country_name_and_networks(portal, http_request):
    html = api.content.get_view("view", portal["centres"]["necker"], http_request)()
    assert "France" in html
    assert "Paris" in html
    assert "EURO-NMD" in html


def test_ern_thematic_area_falls_back_to_network_default(portal):
    ern = portal["erns"]["ern-eye"]
    assert ern.thematic_area_or_default() == "Rare eye diseases"
    ern.thematic_area = "Rare and low-prevalence eye diseases"
    assert ern.thematic_area_or_default() == "Rare and low-prevalence eye diseases"


def test_networks_vocabulary_has_the_24_erns(portal, get_vocabulary):
    vocabulary = get_vocabulary("ern.cpms.vocabularies.Networks", portal)
    assert len(vocabulary) == 24
    assert "ERN-EYE" in vocabulary
    assert "VASCERN" in vocabulary


def test_countries_vocabulary_uses_iso_codes(portal, get_vocabulary):
    vocabulary = get_vocabulary("ern.cpms.vocabularies.Countries", portal)
    assert vocabulary.getTerm("NL").title == "Netherlands"
    assert "XX" not in vocabulary
