"""HPO, Orphanet and ICD-10 vocabularies, offline, searchable over REST."""

from ern.cpms.demo import DEMO_PASSWORD

import pytest


def test_hpo_terms(portal, get_vocabulary):
    vocabulary = get_vocabulary("ern.cpms.vocabularies.HPOTerms", portal)
    assert len(vocabulary) > 15000
    assert vocabulary.getTerm("HP:0000662").title == "Nyctalopia (HP:0000662)"
    assert "HP:9999999" not in vocabulary


def test_orpha_diseases(portal, get_vocabulary):
    vocabulary = get_vocabulary("ern.cpms.vocabularies.OrphaDiseases", portal)
    assert len(vocabulary) > 4000
    assert vocabulary.getTerm("ORPHA:791").title == "Retinitis pigmentosa (ORPHA:791)"


def test_icd10_codes_without_chapters_and_blocks(portal, get_vocabulary):
    vocabulary = get_vocabulary("ern.cpms.vocabularies.ICD10", portal)
    assert vocabulary.getTerm("H35.5").title == "Hereditary retinal dystrophy (H35.5)"
    assert "A00-A09" not in vocabulary
    assert "I" not in vocabulary


def test_vocabularies_are_built_once(portal, get_vocabulary):
    first = get_vocabulary("ern.cpms.vocabularies.HPOTerms", portal)
    assert get_vocabulary("ern.cpms.vocabularies.HPOTerms", portal) is first


@pytest.mark.parametrize(
    ("name", "query", "token"),
    [
        ("HPOTerms", "nyctalopia", "HP:0000662"),
        ("OrphaDiseases", "retinitis pigmentosa", "ORPHA:791"),
        ("ICD10", "hereditary retinal dystrophy", "H35.5"),
    ],
)
def test_search_over_rest(request_factory, name, query, token):
    session = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD))
    response = session.get(
        f"/@vocabularies/ern.cpms.vocabularies.{name}", params={"title": query}
    )
    assert response.status_code == 200
    tokens = [item["token"] for item in response.json()["items"]]
    assert token in tokens
    assert len(tokens) < 200
