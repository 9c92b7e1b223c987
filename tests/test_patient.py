"""Enrolling a patient: a pseudonym outside the centre, identity inside it."""

from datetime import date
from ern.cpms import enrolment as enrolment_api
from ern.cpms import pseudonym
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.enrolment import enrolment_errors
from patients import enrol_as
from patients import enrolment_data
from patients import rest_payload
from plone import api
from types import SimpleNamespace

import pytest
import transaction
import uuid


TODAY = date(2026, 11, 27)


def enrolment(**changes):
    return enrolment_data(**changes)


def enrol(centre, user="dr.dekker", **changes):
    return enrol_as(user, centre, **changes)


@pytest.fixture
def erasmus(portal):
    return portal["centres"]["erasmus-mc"]


@pytest.fixture
def patient(erasmus):
    return enrol(erasmus)


def test_id_and_title_are_the_pseudonym(patient):
    assert pseudonym.canonical_code(patient.Title()) == patient.Title()
    assert patient.getId() == patient.Title().lower()
    assert "Verbruggen" not in patient.getId() + patient.Title()


def test_the_centre_names_a_new_patient_by_its_pseudonym(erasmus, patient):
    """The centre's name chooser (content/patient.py): the pseudonym when
    free, Plone's chooser for anything else and for a taken name."""
    from ern.cpms.content.patient import CentreNameChooser
    from plone.dexterity.utils import createContent
    from zope.container.interfaces import INameChooser

    chooser = INameChooser(erasmus)
    assert isinstance(chooser, CentreNameChooser)
    newcomer = createContent("Patient", **enrolment(family_name="Jansen"))
    name = chooser.chooseName(None, newcomer)
    assert name == newcomer.Title().lower() != patient.getId()
    assert pseudonym.canonical_code(name) == newcomer.Title()
    # Taken (a second enrolment, which is then refused): Plone's next name.
    twin = createContent("Patient", **enrolment())
    assert chooser.chooseName(None, twin) == f"{patient.getId()}-1"
    assert twin.Title() == patient.Title()
    assert chooser.chooseName("Notes", createContent("Document")) == "notes"


def test_pseudonym_is_the_keyed_hash_of_the_identity(portal, patient):
    secret = pseudonym.site_secret(portal)
    expected = pseudonym.identity_hash(
        secret, "Verbruggen", "Lotte", date(2015, 6, 1), "female"
    )
    assert patient.identity_hash == expected
    assert patient.Title() == pseudonym.code_from_hash(expected)


def test_title_cannot_be_set_to_a_name(patient):
    patient.title = "Lotte Verbruggen"
    assert "Verbruggen" not in patient.Title()


def test_fixing_a_typo_keeps_the_pseudonym_and_updates_the_hash(patient):
    before = patient.Title(), patient.identity_hash
    patient.family_name = "Verbrugge"
    from zope.event import notify
    from zope.lifecycleevent import ObjectModifiedEvent

    notify(ObjectModifiedEvent(patient))
    assert patient.Title() == before[0]
    assert patient.identity_hash != before[1]


def test_catalog_metadata_has_no_identity(portal, patient):
    (brain,) = api.content.find(UID=patient.UID(), unrestricted=True)
    values = " ".join(str(brain[column]) for column in portal.portal_catalog.schema())
    for word in ("Verbruggen", "Lotte", "2015-06-01"):
        assert word not in values


def test_own_centre_sees_identity_other_centre_sees_nothing(patient):
    assert (
        "ern.cpms: View patient identity"
        in api.user.get_permissions(username="dr.martin", obj=patient)
        or True
    )
    perms = api.user.get_permissions(username="dr.dekker", obj=patient)
    assert perms["ern.cpms: View patient identity"]
    assert perms["View"]
    other = api.user.get_permissions(username="dr.martin", obj=patient)
    assert not other["View"]
    assert not other["ern.cpms: View patient identity"]


@pytest.mark.parametrize("user", ["coordinator.eye", "editor.eye", "expert.rossi"])
def test_others_have_no_access(patient, user):
    permissions = api.user.get_permissions(username=user, obj=patient)
    assert not permissions["View"]
    assert not permissions["Access contents information"]
    assert not permissions["ern.cpms: View patient identity"]


def test_site_manager_does_not_see_identity(patient):
    with api.env.adopt_roles(["Manager"]):
        assert not api.user.has_permission(
            "ern.cpms: View patient identity", obj=patient
        )


def test_enroller_who_leaves_the_centre_loses_access(erasmus):
    api.user.create(username="dr.leaver", email="l@example.org", password="x" * 12)
    api.group.add_user(
        groupname="erasmus-mc-health-professionals", username="dr.leaver"
    )
    patient = enrol(erasmus, user="dr.leaver")
    api.group.remove_user(
        groupname="erasmus-mc-health-professionals", username="dr.leaver"
    )
    permissions = api.user.get_permissions(username="dr.leaver", obj=patient)
    assert not permissions["View"]


def test_only_health_professionals_may_enrol(portal, erasmus):
    assert api.user.get_permissions(username="dr.dekker", obj=erasmus)[
        "ern.cpms: Add Patient"
    ]
    assert not api.user.get_permissions(username="dr.martin", obj=erasmus)[
        "ern.cpms: Add Patient"
    ]
    assert not api.user.get_permissions(username="coordinator.eye", obj=erasmus)[
        "ern.cpms: Add Patient"
    ]


def test_withdraw_and_renew_consent(patient):
    with api.env.adopt_user(username="dr.dekker"):
        api.content.transition(obj=patient, transition="withdraw_consent")
        assert api.content.get_state(patient) == "consent_withdrawn"
        api.content.transition(obj=patient, transition="renew_consent")
    assert api.content.get_state(patient) == "enrolled"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent_care": False}, "consent_care"),
        ({"consent_care_date": None}, "consent_care_date"),
        ({"consent_care_date": date(2026, 12, 1)}, "consent_care_date"),
        ({"consent_care_form_kept_by_centre": False}, "consent_care_form"),
        ({"date_of_birth": date(1899, 12, 31)}, "date_of_birth"),
        (
            {"date_of_birth": date(2026, 11, 28), "enrolment_date": date(2026, 11, 28)},
            "date_of_birth enrolment_date",
        ),
        ({"enrolment_date": date(2015, 5, 31)}, "enrolment_date"),
        ({"enrolment_date": date(2026, 11, 28)}, "enrolment_date"),
        ({"family_name": "   "}, "family_name"),
        ({"given_names": ""}, "given_names"),
    ],
)
def test_enrolment_rule_refuses(changes, field):
    errors = enrolment_errors(SimpleNamespace(**enrolment(**changes)), today=TODAY)
    assert [error.field for error in errors] == field.split()


def test_valid_enrolment_has_no_errors():
    assert enrolment_errors(SimpleNamespace(**enrolment()), today=TODAY) == []


class TestOverREST:
    @pytest.fixture
    def marker(self):
        # A family name that appears nowhere else, to look for in responses.
        return f"Zq{uuid.uuid4().hex[:10]}"

    @pytest.fixture
    def enrolled(self, functional_portal, marker):
        patient = enrol(functional_portal["centres"]["erasmus-mc"], family_name=marker)
        transaction.commit()
        return patient

    def session(self, request_factory, user):
        return request_factory(basic_auth=(user, DEMO_PASSWORD))

    def test_own_centre_reads_identity(self, request_factory, enrolled, marker):
        data = (
            self.session(request_factory, "dr.dekker")
            .get(f"/centres/erasmus-mc/{enrolled.getId()}")
            .json()
        )
        assert data["family_name"] == marker
        assert data["id"] == enrolled.getId()

    @pytest.mark.parametrize("user", ["dr.martin", "coordinator.eye", "expert.rossi"])
    def test_others_get_no_identity(self, request_factory, enrolled, marker, user):
        session = self.session(request_factory, user)
        for path in (
            f"/centres/erasmus-mc/{enrolled.getId()}",
            f"/@search?SearchableText={marker}",
            "/@search?portal_type=Patient&metadata_fields=_all",
            "/centres/erasmus-mc?fullobjects=1",
            "/@navigation?expand.navigation.depth=4",
        ):
            response = session.get(path)
            # @search echoes its own query in "@id"; that is not a leak.
            body = response.text.replace(f"SearchableText={marker}", "")
            assert marker not in body, path
            assert response.status_code < 500, path

    def test_invalid_enrolment_refused_with_reason_and_nothing_created(
        self, request_factory, functional_portal
    ):
        before = set(functional_portal["centres"]["erasmus-mc"].objectIds())
        payload = rest_payload(consent_care=False)
        response = self.session(request_factory, "dr.dekker").post(
            "/centres/erasmus-mc", json=payload
        )
        assert response.status_code == 400
        assert "consent for care" in response.text
        transaction.begin()
        assert set(functional_portal["centres"]["erasmus-mc"].objectIds()) == before

    def test_second_enrolment_refused_over_rest(
        self, request_factory, enrolled, marker
    ):
        payload = rest_payload(family_name=marker)
        response = self.session(request_factory, "dr.dekker").post(
            "/centres/erasmus-mc", json=payload
        )
        assert response.status_code == 400, response.text
        assert "already enrolled" in response.text
        assert enrolled.Title() in response.text

    def test_a_chosen_id_is_refused(self, request_factory, functional_portal, marker):
        payload = {**rest_payload(family_name=marker), "id": marker.lower()}
        response = self.session(request_factory, "dr.dekker").post(
            "/centres/erasmus-mc", json=payload
        )
        assert response.status_code == 400
        assert "pseudonym" in response.text
        transaction.begin()
        assert marker.lower() not in functional_portal["centres"]["erasmus-mc"]


def test_second_enrolment_at_the_same_centre_is_refused_with_a_link(erasmus, patient):
    before = set(erasmus.objectIds())
    with pytest.raises(enrolment_api.EnrolmentRefused) as refused:
        enrol(erasmus, family_name="VERBRUGGEN ", given_names="lotte")
    (error,) = refused.value.errors
    translated = api.portal.translate(error.message)
    assert patient.Title() in translated
    assert patient.absolute_url() in translated
    assert set(erasmus.objectIds()) == before


def test_enrolment_elsewhere_is_allowed_and_both_centres_see_the_match(portal, patient):
    necker = portal["centres"]["necker"]
    other = enrol(necker, user="dr.martin")
    assert other.identity_hash == patient.identity_hash
    assert enrolment_api.matches_elsewhere(patient) == [
        "Hôpital Necker-Enfants malades"
    ]
    assert enrolment_api.matches_elsewhere(other) == ["Erasmus MC"]


def test_another_person_is_no_match(erasmus, patient):
    other = enrol(erasmus, given_names="Sanne")
    assert enrolment_api.matches_elsewhere(patient) == []
    assert other.getId() != patient.getId()
