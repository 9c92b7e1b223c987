"""Fixtures shared by the whole suite."""

from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.testing import FUNCTIONAL_TESTING
from ern.cpms.testing import INTEGRATION_TESTING
from pytest_plone import fixtures_factory

import pytest


pytest_plugins = ["pytest_plone"]


globals().update(
    fixtures_factory(
        (
            (FUNCTIONAL_TESTING, "functional"),
            (INTEGRATION_TESTING, "integration"),
        )
    )
)


@pytest.fixture(scope="session")
def package_name() -> str:
    return "ern.cpms"


@pytest.fixture
def browser(request_factory):
    """dr.dekker's session asking for pages (not plone.restapi's JSON)."""
    session = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    session.headers["Accept"] = "text/html"
    return session
