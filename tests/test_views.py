"""The ERN and centre pages say what a visitor needs to know."""

from datetime import date
from patients import enrol_as
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


def enrol_same_person_elsewhere(portal):
    return enrol_as(
        "dr.martin",
        portal["centres"]["necker"],
        given_names="Lotte",
        family_name="Jansen",
        date_of_birth=date(2012, 4, 17),
    )


def lotte(portal):
    (brain,) = [
        b
        for b in api.content.find(portal_type="Patient", unrestricted=True)
        if b._unrestrictedGetObject().family_name == "Jansen"
    ]
    return brain._unrestrictedGetObject()


def test_patient_page_for_own_centre(portal, http_request):
    patient = lotte(portal)
    enrol_same_person_elsewhere(portal)
    with api.env.adopt_user(username="dr.dekker"):
        html = api.content.get_view("view", patient, http_request)()
    assert "Lotte Jansen" in html
    assert "2012-04-17" in html
    assert patient.Title() in html
    assert "recorded by" in html
    assert "dr.dekker" in html
    assert "also enrolled at" in html
    assert "Hôpital Necker-Enfants malades" in html
    assert "ERN-EYE: Diagnosis" in html
    assert "Draft" in html


def test_patient_page_without_identity_permission_shows_no_identity(
    portal, http_request
):
    patient = lotte(portal)
    enrol_same_person_elsewhere(portal)
    # Someone who may see the record but not the identity (a future role).
    patient.manage_setLocalRoles("expert.rossi", ["HealthProfessional"])
    patient.manage_permission("ern.cpms: View patient identity", ["Manager"], acquire=0)
    with api.env.adopt_user(username="expert.rossi"):
        html = api.content.get_view("view", patient, http_request)()
    assert patient.Title() in html
    assert "Jansen" not in html
    assert "2012-04-17" not in html
    # Centre names are public (navigation), the match is not.
    assert "also enrolled at" not in html


def test_consent_records_who_recorded_it(portal):
    assert lotte(portal).consent_care_recorded_by == "dr.dekker"


def test_ern_page_shows_thematic_areas_and_coordinators(portal, http_request):
    html = api.content.get_view("view", portal["erns"]["ern-eye"], http_request)()
    assert "Neuro-ophthalmology" in html
    assert "Sophie Laurent" in html


def test_coordinators_are_the_members_of_the_group(portal):
    ern = portal["erns"]["ern-eye"]
    assert ern.coordinators() == ["Sophie Laurent"]
    api.group.add_user(groupname="ern-eye-coordinators", username="dr.weber")
    assert ern.coordinators() == ["Jonas Weber", "Sophie Laurent"]
    assert portal["erns"]["euro-nmd"].coordinators() == []
