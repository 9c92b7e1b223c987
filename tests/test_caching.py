"""With plone.app.caching switched on (its `with-caching-proxy` profile, as
docs/deployment.md describes), clinical pages still say that nothing may
keep them, and static resources may be kept long."""

from ern.cpms.demo import DEMO_PASSWORD

import pytest
import transaction


ENABLED = "plone.caching.interfaces.ICacheSettings.enabled"


@pytest.fixture
def caching(functional_portal):
    from plone import api

    api.addon.install("plone.app.caching")
    setup = functional_portal.portal_setup
    setup.runAllImportStepsFromProfile("profile-plone.app.caching:with-caching-proxy")
    # "Enable caching" in Site Setup > Caching, as an operator would.
    api.portal.set_registry_record(ENABLED, True)
    transaction.commit()
    return functional_portal


def _open_panel(portal):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="open"
    )
    return brain._unrestrictedGetObject()


def test_clinical_pages_are_never_kept_with_plone_app_caching(caching, request_factory):
    from plone.registry.interfaces import IRegistry
    from zope.component import getUtility

    assert getUtility(IRegistry)[ENABLED]
    panel = _open_panel(caching)
    doctor = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    for obj in (panel.__parent__, panel):
        for accept in ("text/html", "application/json"):
            response = doctor.get(obj.absolute_url(), headers={"Accept": accept})
            assert response.status_code == 200, (obj, accept)
            control = response.headers.get("Cache-Control", "")
            assert "no-store" in control, (obj.portal_type, accept, control)
            assert "public" not in control, (obj, accept, control)
            # No validator: no "has it changed?" answered from a copy.
            assert "ETag" not in response.headers, (obj, accept)
            assert "Last-Modified" not in response.headers, (obj, accept)


def test_clinical_pages_are_never_kept_without_plone_app_caching(
    functional_portal, request_factory
):
    transaction.commit()
    panel = _open_panel(functional_portal)
    doctor = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    for accept in ("text/html", "application/json"):
        response = doctor.get(panel.absolute_url(), headers={"Accept": accept})
        assert response.headers.get("Cache-Control") == "private, no-store", accept
    # Pages outside the patients' records are left to Plone.
    response = doctor.get(
        f"{functional_portal.absolute_url()}/erns", headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_static_resources_are_kept_long_with_plone_app_caching(
    caching, request_factory
):
    visitor = request_factory(api=False)
    response = visitor.get(f"{caching.absolute_url()}/++plone++ern.cpms/cpms.css")
    assert response.status_code == 200
    control = response.headers.get("Cache-Control", "")
    assert "public" in control, control
    max_age = max(
        int(part.split("=")[1])
        for part in control.replace(" ", "").split(",")
        if part.startswith(("max-age", "s-maxage"))
    )
    assert max_age >= 24 * 3600, control
