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


def test_form_searches_the_hpo_as_one_types(browser, patient_url):
    response = browser.get(
        f"{patient_url}/++add++Panel/@@getVocabulary",
        params={
            "name": "ern.cpms.vocabularies.HPOTerms",
            "field": "phenotype_present",
            "query": "nyctalopia",
        },
    )
    assert response.status_code == 200
    assert "HP:0000662" in {item["id"] for item in response.json()["results"]}
