"""The enrolment form in the browser: refusals are shown in the form."""

import pytest
import re
import transaction


FORM = {
    "form.widgets.given_names": "Femke",
    "form.widgets.family_name": "Mulder",
    "form.widgets.date_of_birth": "2011-05-06",
    "form.widgets.sex:list": "female",
    "form.widgets.enrolment_date": "2026-11-02",
    "form.widgets.consent_care:list": "selected",
    "form.widgets.consent_care_date": "2026-11-01",
    "form.widgets.consent_care_form_kept_by_centre:list": "selected",
    "form.buttons.save": "Save",
}
# What a browser sends for every checkbox and select, ticked or not.
EMPTY_MARKERS = {
    f"form.widgets.{name}-empty-marker": "1"
    for name in (
        "sex",
        "consent_care",
        "consent_care_form_kept_by_centre",
        "consent_registries",
        "consent_research",
    )
}


@pytest.fixture
def add_url(functional_portal):
    return f"{functional_portal.absolute_url()}/centres/erasmus-mc/++add++Patient"


def submit(browser, add_url, **changes):
    page = browser.get(add_url).text
    token = re.search(r'name="_authenticator"[^>]*value="([^"]+)"', page).group(1)
    data = {**EMPTY_MARKERS, **FORM, **changes, "_authenticator": token}
    return browser.post(add_url, data={k: v for k, v in data.items() if v is not None})


def patients(functional_portal):
    transaction.begin()
    return set(functional_portal["centres"]["erasmus-mc"].objectIds())


def test_form_enrols_under_a_pseudonym(browser, add_url, functional_portal):
    before = patients(functional_portal)
    response = submit(browser, add_url)
    assert response.status_code == 200
    (new,) = patients(functional_portal) - before
    assert new.startswith("ern-")
    assert f"/{new}/" in response.url
    assert "Mulder" in response.text


def test_missing_consent_is_refused_in_the_form(browser, add_url, functional_portal):
    before = patients(functional_portal)
    response = submit(browser, add_url, **{"form.widgets.consent_care:list": None})
    assert response.status_code == 200
    assert "only be enrolled with signed consent for care" in response.text
    assert patients(functional_portal) == before


def test_a_crafted_form_without_the_consent_field_is_refused(
    browser, add_url, functional_portal
):
    before = patients(functional_portal)
    page = browser.get(add_url).text
    token = re.search(r'name="_authenticator"[^>]*value="([^"]+)"', page).group(1)
    data = {k: v for k, v in FORM.items() if "consent_care" not in k}
    response = browser.post(add_url, data={**data, "_authenticator": token})
    assert "only be enrolled with signed consent for care" in response.text
    assert patients(functional_portal) == before


def test_second_enrolment_is_refused_in_the_form_with_a_link(
    browser, add_url, functional_portal
):
    submit(browser, add_url)
    before = patients(functional_portal)
    response = submit(
        browser,
        add_url,
        **{"form.widgets.family_name": "MULDER", "form.widgets.given_names": "femke"},
    )
    assert response.status_code == 200
    assert "already enrolled at your centre" in response.text
    assert patients(functional_portal) == before


def test_edit_form_refuses_to_drop_the_consent(browser, add_url, functional_portal):
    submit(browser, add_url)
    transaction.begin()
    centre = functional_portal["centres"]["erasmus-mc"]
    (patient,) = [p for p in centre.objectValues() if p.family_name == "Mulder"]
    edit_url = f"{patient.absolute_url()}/@@edit"
    page = browser.get(edit_url).text
    token = re.search(r'name="_authenticator"[^>]*value="([^"]+)"', page).group(1)
    data = {
        **EMPTY_MARKERS,
        **{k: v for k, v in FORM.items() if k != "form.widgets.consent_care:list"},
        "form.buttons.save": "Save",
        "_authenticator": token,
    }
    response = browser.post(edit_url, data=data)
    assert "only be enrolled with signed consent for care" in response.text
    transaction.begin()
    assert patient.consent_care is True
