"""Fixtures shared by the whole suite."""

from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.testing import FUNCTIONAL_TESTING
from ern.cpms.testing import INTEGRATION_TESTING
from logins import Logins
from pathlib import Path
from playwright.sync_api import sync_playwright
from pytest_plone import fixtures_factory
from web import WebWindows

import json
import os
import pytest
import shutil
import transaction


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
def audit(tmp_path, monkeypatch):
    """This test's own audit trail (ern.cpms.audit), empty at the start."""
    from ern.cpms import audit as trail

    monkeypatch.setenv(trail.ENVIRONMENT, str(tmp_path / "audit.sqlite"))
    return trail.store()


@pytest.fixture
def logins(functional_portal):
    """Second-factor logins of this test (tests/logins.py)."""
    return Logins(functional_portal)


@pytest.fixture
def request_factory(request_factory, logins):
    """pytest-plone's sessions, where ``basic_auth=(user, password)`` logs
    in as that user with a second factor (a token from POST @login with a
    TOTP code). ``second_factor=False`` keeps HTTP Basic credentials, which
    prove no second factor; so do wrong credentials."""

    def factory(role="Anonymous", basic_auth=None, api=True, second_factor=True):
        session = request_factory(role=role, basic_auth=basic_auth, api=api)
        if basic_auth is not None and second_factor:
            token = logins.token(*basic_auth)
            if token is not None:
                session.auth = None
                session.headers["Authorization"] = f"Bearer {token}"
        return session

    return factory


@pytest.fixture
def anonymous(request_factory):
    """A visitor's session asking for pages (not plone.restapi's JSON)."""
    session = request_factory(api=False)
    session.headers["Accept"] = "text/html"
    return session


@pytest.fixture
def browser(request_factory):
    """dr.dekker's session asking for pages (not plone.restapi's JSON)."""
    session = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    session.headers["Accept"] = "text/html"
    return session


# Real-browser tests: Debian's chromium driven by Playwright (never a
# downloaded browser). `.ci/run` and `make test` install the package.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machines' network is closed: Chromium's own background
    # connections would only fail (and slow every start).
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    executable = os.environ.get("CPMS_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "The browser tests need Debian's chromium (apt-get install chromium; "
            "`make test` installs it when run as root), or CPMS_CHROMIUM=/path."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def web(chromium, functional_portal):
    """Open browser windows on the test site; fail on any console error.

    `web.window()` gives a fresh page (its own cookies: one per person);
    `web.url` is the site's address.
    """
    transaction.commit()
    url = functional_portal.absolute_url()
    opened = WebWindows(chromium, url, Logins(functional_portal))
    yield opened
    opened.close()
    assert opened.errors == [], "errors in the browser console"


CONCURRENCY = Path(__file__).resolve().parent.parent / "test-artifacts"
CONCURRENCY = CONCURRENCY / "concurrency.json"


def pytest_sessionstart(session):
    # The concurrent-writer tests add their figures to this file: a run
    # starts it anew, so that it (and the summary below) holds this run's.
    CONCURRENCY.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter, config):
    """The conflict-error rates of the concurrent-writer tests of this run
    (issue 9 asks for them to be reported; test-artifacts keeps the detail)."""
    if not CONCURRENCY.exists():
        return
    terminalreporter.section("conflict errors of concurrent writers")
    for name, figures in json.loads(CONCURRENCY.read_text()).items():
        terminalreporter.write_line(
            f"{name}: {figures['conflicts']} of {figures['writes']} writes "
            f"met a conflict ({figures['rate']:.0%}), retried by the server; "
            f"on {', '.join(figures['objects']) or 'nothing'}"
        )
