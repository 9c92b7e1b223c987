"""The consultation form in the browser stays light with large vocabularies."""

from plone import api

import pytest


@pytest.fixture
def patient_url(functional_portal):
    centre = functional_portal["centres"]["erasmus-mc"]
    (brain, *_) = api.content.find(
        context=centre, portal_type="Patient", unrestricted=True
    )
    return brain.getURL()


def test_add_form_does_not_list_the_ontologies(browser, patient_url):
    response = browser.get(f"{patient_url}/++add++Panel")
    assert response.status_code == 200
    # Loaded as one types (@@getVocabulary), not written into the page.
    assert "Nyctalopia" not in response.text
    assert len(response.text) < 300_000
    assert "ern.cpms.vocabularies.HPOTerms" in response.text


def autocomplete(browser, patient_url, vocabulary, field, query):
    """What the consultation form's autocomplete gets for `query` (results)."""
    response = browser.get(
        f"{patient_url}/++add++Panel/@@getVocabulary",
        params={
            "name": f"ern.cpms.vocabularies.{vocabulary}",
            "field": field,
            "query": query,
        },
    )
    assert response.status_code == 200
    return response.json()["results"]


def test_form_searches_the_hpo_as_one_types(browser, patient_url):
    results = autocomplete(
        browser, patient_url, "HPOTerms", "phenotype_present", "nyctalopia"
    )
    assert "HP:0000662" in {item["id"] for item in results}
    # Only what matches, not the 19,903 terms.
    assert all("nyctalopia" in item["text"].lower() for item in results)


def test_the_autocomplete_matches_every_word_in_a_short_list(browser, patient_url):
    results = autocomplete(
        browser, patient_url, "HPOTerms", "phenotype_present", "Pendular NYST"
    )
    assert 0 < len(results) <= 50
    for item in results:
        words = item["text"].lower().split()
        assert any(w.startswith("pendular") for w in words)
        assert any(w.startswith("nyst") for w in words)
    # A name that starts with the first word comes first.
    assert results[0]["text"].lower().startswith("pendular")


def test_the_autocomplete_finds_a_code(browser, patient_url):
    results = autocomplete(
        browser, patient_url, "OrphaDiseases", "confirmed_orpha", "ORPHA:791"
    )
    assert "ORPHA:791" in [item["id"] for item in results]
