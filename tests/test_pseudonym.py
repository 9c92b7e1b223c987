"""Pseudonyms: keyed, stable, folded, typo-proof, and secret."""

from datetime import date
from ern.cpms import enrolment
from ern.cpms import pseudonym
from ern.cpms.content.patient import rotate_pseudonym_secret
from ern.cpms.demo import DEMO_PASSWORD
from patients import enrol_as

import pytest
import transaction


SECRET = b"k" * 32
IDENTITY = ("Müller-Lüdenscheidt", "Anna  Maria", date(2011, 3, 14), "female")


def code(secret=SECRET, identity=IDENTITY):
    return pseudonym.code_from_hash(pseudonym.identity_hash(secret, *identity))


def test_code_has_the_documented_shape():
    value = code()
    prefix, *groups = value.split("-")
    assert prefix == "ERN"
    assert [len(group) for group in groups] == [4, 4, 4]
    assert set("".join(groups)) <= set(pseudonym.ALPHABET)


def test_same_identity_same_code():
    assert code() == code()


@pytest.mark.parametrize(
    "variant",
    [
        ("MULLER LUDENSCHEIDT", "anna maria", date(2011, 3, 14), "Female"),
        ("  müller-lüdenscheidt ", "Anna Maria", date(2011, 3, 14), "female"),
        ("Muller Ludenscheidt", "ANNA-MARIA", date(2011, 3, 14), "FEMALE"),
    ],
)
def test_case_accents_and_white_space_are_folded(variant):
    assert code(identity=variant) == code()


@pytest.mark.parametrize(
    "other",
    [
        ("Müller-Lüdenscheidt", "Anna Maria", date(2011, 3, 15), "female"),
        ("Müller-Lüdenscheidt", "Anna Maria", date(2011, 3, 14), "male"),
        ("Müller", "Anna Maria", date(2011, 3, 14), "female"),
        ("Müller-Lüdenscheidt", "Anna", date(2011, 3, 14), "female"),
    ],
)
def test_another_identity_another_code(other):
    assert code(identity=other) != code()


def test_code_depends_on_the_secret():
    assert code(secret=b"x" * 32) != code()


def test_code_does_not_contain_the_identity():
    value = pseudonym.identity_hash(SECRET, *IDENTITY) + code()
    for part in ("MULLER", "ANNA", "2011", "0314"):
        assert part not in value.upper()


def test_canonical_code_accepts_how_people_type_it():
    value = code()
    typed = value.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert pseudonym.canonical_code(typed) == value
    assert pseudonym.canonical_code(value.replace("ERN-", "")) == value


def test_every_single_mistyped_character_is_detected():
    value = code()
    compact = value.replace("ERN-", "").replace("-", "")
    for position, original in enumerate(compact):
        for replacement in pseudonym.ALPHABET:
            if replacement == original:
                continue
            typo = compact[:position] + replacement + compact[position + 1 :]
            assert pseudonym.canonical_code(typo) is None, typo


def test_swapped_neighbours_are_detected():
    for data in ("7K3F9QD2MX4", "0Z3F9QD2MX4", "ABCDEFGHJKM"):
        compact = data + pseudonym.check_character(data)
        for i in range(len(compact) - 1):
            pair = compact[i : i + 2]
            if pair[0] == pair[1] or set(pair) == {"0", "Z"}:
                continue
            swapped = compact[:i] + pair[::-1] + compact[i + 2 :]
            assert pseudonym.canonical_code(swapped) is None, swapped


@pytest.mark.parametrize("text", ["", "ERN-1234", "ERN-UUUU-UUUU-UUUU", None])
def test_not_a_code(text):
    assert pseudonym.canonical_code(text) is None


def test_date_of_birth_must_be_a_date():
    with pytest.raises(TypeError):
        pseudonym.normalise_identity("A", "B", "2011-03-14", "female")


def test_site_has_a_secret_from_install(portal):
    secret = pseudonym.site_secret(portal)
    assert isinstance(secret, bytes)
    assert len(secret) == pseudonym.SECRET_BYTES


def test_secret_is_not_reachable_over_rest(request_factory, functional_portal):
    secret = pseudonym.site_secret(functional_portal)
    session = request_factory(role="Manager")
    body = session.get("/").content + session.get("/@registry").content
    assert secret.hex().encode() not in body
    assert pseudonym.SECRET_ANNOTATION.encode() not in body


def test_rotation_keeps_pseudonyms_and_recomputes_hashes(portal):
    patients = [
        brain._unrestrictedGetObject()
        for brain in portal.portal_catalog.unrestrictedSearchResults(
            portal_type="Patient"
        )
    ]
    before = {p.UID(): (p.getId(), p.identity_hash) for p in patients}
    old_secret = pseudonym.site_secret(portal)

    assert rotate_pseudonym_secret(portal) == len(patients)

    assert pseudonym.site_secret(portal) != old_secret
    for patient in patients:
        old_id, old_hash = before[patient.UID()]
        assert patient.getId() == old_id
        assert patient.identity_hash != old_hash
        (brain,) = portal.portal_catalog.unrestrictedSearchResults(
            identity_hash=patient.identity_hash
        )
        assert patient.UID() == brain.UID


def test_duplicates_are_still_refused_after_rotation(portal):
    rotate_pseudonym_secret(portal)
    with pytest.raises(enrolment.EnrolmentRefused):
        enrol_as(
            "dr.dekker",
            portal["centres"]["erasmus-mc"],
            given_names="Lotte",
            family_name="Jansen",
            date_of_birth=date(2012, 4, 17),
        )


def test_rotation_page_is_for_managers_only(request_factory, functional_portal):
    url = f"{functional_portal.absolute_url()}/@@rotate-pseudonym-secret"
    doctor = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    assert "Replace the secret now" not in doctor.get(url).text
    manager = request_factory(role="Manager", api=False)
    assert "Replace the secret now" in manager.get(url).text


def test_rotation_needs_the_form_token(request_factory, functional_portal):
    secret = pseudonym.site_secret(functional_portal)
    manager = request_factory(role="Manager", api=False)
    url = f"{functional_portal.absolute_url()}/@@rotate-pseudonym-secret"
    refused = manager.post(url, data={"rotate": "1"})
    assert refused.status_code == 403
    transaction.begin()
    assert pseudonym.site_secret(functional_portal) == secret

    page = manager.get(url).text
    token = page.split('name="_authenticator" value="')[1].split('"')[0]
    done = manager.post(url, data={"rotate": "1", "_authenticator": token})
    assert done.status_code == 200
    assert "Pseudonyms did not change" in done.text
    transaction.begin()
    assert pseudonym.site_secret(functional_portal) != secret
