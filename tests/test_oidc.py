"""Login with OpenID Connect against a real provider (tests/oidc: node
oidc-provider, started here on loopback): the whole authorization-code flow
through the site's login URL, the second factor read from the ID token,
and forged, tampered and replayed answers refused."""

from ern.cpms import oidc
from ern.cpms import second_factor
from ern.cpms.groups import group_id
from pathlib import Path
from plone import api
from servers import free_port
from urllib.parse import parse_qs
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
import re
import requests
import shutil
import subprocess
import time
import transaction


PROVIDER = Path(__file__).resolve().parent / "oidc"
ANNA = "eu-7f3a91"  # the provider's subject for Anna Visser
PASSWORD = "provider-secret"
PROVIDER_CODE = "246810"  # the provider's own second factor


@pytest.fixture
def provider(functional_portal):
    """The provider process, and the site's plugin pointed at it."""
    node = shutil.which("node")
    if node is None or not (PROVIDER / "node_modules").is_dir():
        pytest.fail("The OpenID Connect tests need node and `make oidc-provider`.")
    port = free_port()
    site = functional_portal.absolute_url()
    redirect_uri = f"{site}/acl_users/oidc/callback"
    process = subprocess.Popen(
        [node, "provider.mjs", str(port), "cpms-test", "test-secret", redirect_uri],
        cwd=PROVIDER,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"provider did not start: {process.stdout.read()}")
    oidc.configure(
        oidc.plugin(),
        {
            "issuer": issuer,
            "client_id": "cpms-test",
            "client_secret": "test-secret",
            "scope": "profile email",
        },
    )
    oidc.plugin().manage_changeProperties(title="EU Login")
    transaction.commit()
    yield issuer
    process.terminate()
    process.wait(timeout=10)


def site_url(portal):
    return portal.absolute_url()


def start(site, came_from=None):
    """Press "Log in with EU Login": return the session and the provider's
    login page."""
    session = requests.Session()
    params = {"came_from": came_from} if came_from else None
    page = session.get(f"{site}/acl_users/oidc/login", params=params, timeout=30)
    assert "Test provider login" in page.text, page.text[:500]
    return session, page


def provider_login(session, page, login=ANNA, otp="", follow=True):
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    return session.post(
        urljoin(page.url, action),
        data={"login": login, "password": PASSWORD, "otp": otp},
        allow_redirects=follow,
        timeout=30,
    )


def to_callback(session, response):
    """Follow the provider's redirects up to (not into) the site's callback."""
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if "/acl_users/oidc/callback" in location:
            return location
        response = session.get(location, allow_redirects=False, timeout=30)
    raise AssertionError("the provider did not send the browser back")


def log_in(site, otp="", came_from=None):
    session, page = start(site, came_from)
    return session, provider_login(session, page, otp=otp)


def replace_cookie(session, name, value):
    (cookie,) = [c for c in session.cookies if c.name == name]
    session.cookies.clear(cookie.domain, cookie.path, name)
    session.cookies.set(name, value, domain=cookie.domain, path=cookie.path)


def patient_of_erasmus(portal):
    brains = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Patient", path="/plone/centres/erasmus-mc"
    )
    return brains[0]._unrestrictedGetObject()


def test_the_login_form_offers_the_provider(functional_portal, provider):
    site = site_url(functional_portal)
    page = requests.get(f"{site}/login", timeout=30)
    assert "Log in with" in page.text
    assert "EU Login" in page.text
    assert f"{site}/acl_users/oidc/login" in page.text
    # Plone's own form stays, for the site's local accounts.
    assert 'id="__ac_password"' in page.text


def test_without_an_issuer_no_button(functional_portal):
    transaction.commit()
    page = requests.get(f"{site_url(functional_portal)}/login", timeout=30)
    assert "/acl_users/oidc/login" not in page.text
    assert 'id="__ac_password"' in page.text


def test_the_authorization_request_uses_pkce_and_asks_for_a_second_factor(
    functional_portal, provider
):
    site = site_url(functional_portal)
    first = requests.get(
        f"{site}/acl_users/oidc/login", allow_redirects=False, timeout=30
    )
    location = first.headers["Location"]
    assert location.startswith(f"{provider}/auth")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"]
    assert "openid" in query["scope"][0].split()
    assert query["acr_values"] == [" ".join(oidc.EU_LOGIN_MFA_ACR)]
    # The flow's state is in a signed, HttpOnly cookie.
    set_cookie = first.headers["Set-Cookie"]
    assert oidc.SESSION_COOKIE in set_cookie
    assert "HttpOnly" in set_cookie
    value = first.cookies[oidc.SESSION_COOKIE]
    assert value.count(".") == 1


def test_a_login_creates_the_user_from_the_subject(functional_portal, provider, audit):
    site = site_url(functional_portal)
    session, landed = log_in(site, otp=PROVIDER_CODE, came_from=f"{site}/erns")
    assert landed.status_code == 200
    assert landed.url == f"{site}/erns"
    transaction.begin()
    user = api.user.get(userid=ANNA)
    assert user is not None
    assert user.getProperty("fullname") == "Anna Visser"
    assert user.getProperty("email") == "anna.visser@example.org"
    # Not the e-mail: the subject, which the provider never reassigns.
    assert api.user.get(userid="anna.visser@example.org") is None
    assert "userrole-authenticated" in session.get(site, timeout=30).text
    # The login is in the audit trail.
    logins = [e["userid"] for e in audit.entries(action="login")[0]]
    assert logins == [ANNA]


def test_patient_data_opens_only_to_a_two_factor_login(functional_portal, provider):
    site = site_url(functional_portal)
    log_in(site, otp=PROVIDER_CODE)  # the first login creates the account
    transaction.begin()
    centre = functional_portal["centres"]["erasmus-mc"]
    api.group.add_user(
        groupname=group_id(centre, "health-professionals"), username=ANNA
    )
    patient = patient_of_erasmus(functional_portal)
    family_name, url = patient.family_name, patient.absolute_url()
    transaction.commit()

    strong, _landed = log_in(site, otp=PROVIDER_CODE)
    assert second_factor.COOKIE in strong.cookies
    page = strong.get(url, timeout=30)
    assert page.status_code == 200
    assert family_name in page.text

    weak, _landed = log_in(site, otp="")
    assert second_factor.COOKIE not in weak.cookies
    page = weak.get(url, timeout=30)
    assert "/@@second-factor" in page.url
    assert family_name not in page.text


def test_a_forged_answer_is_refused(functional_portal, provider):
    site = site_url(functional_portal)
    session = requests.Session()
    answer = session.get(
        f"{site}/acl_users/oidc/callback?code=made-up&state=made-up", timeout=30
    )
    assert answer.status_code == 400
    assert "does not belong to a login started in this browser" in answer.text
    assert "__ac" not in session.cookies
    assert "Traceback" not in answer.text


def test_an_answer_for_another_login_is_refused(functional_portal, provider):
    """A victim's browser sent the attacker's answer (login CSRF): its
    state is not the one the victim's browser waits for."""
    site = site_url(functional_portal)
    attacker, page = start(site)
    callback = to_callback(
        attacker, provider_login(attacker, page, otp=PROVIDER_CODE, follow=False)
    )
    victim, _page = start(site)
    answer = victim.get(callback, timeout=30)
    assert answer.status_code == 400
    assert "not the one this browser waits for" in answer.text
    assert "__ac" not in victim.cookies


def test_a_tampered_flow_cookie_is_refused(functional_portal, provider):
    site = site_url(functional_portal)
    session, page = start(site)
    callback = to_callback(
        session, provider_login(session, page, otp=PROVIDER_CODE, follow=False)
    )
    payload, _dot, _signature = session.cookies[oidc.SESSION_COOKIE].partition(".")
    replace_cookie(session, oidc.SESSION_COOKIE, payload)  # the signature dropped
    answer = session.get(callback, timeout=30)
    assert answer.status_code == 400
    assert "__ac" not in session.cookies


def test_a_replayed_answer_is_refused(functional_portal, provider):
    site = site_url(functional_portal)
    session, page = start(site)
    callback = to_callback(
        session, provider_login(session, page, otp=PROVIDER_CODE, follow=False)
    )
    flow_cookie = session.cookies[oidc.SESSION_COOKIE]
    assert session.get(callback, timeout=30).status_code == 200
    assert "__ac" in session.cookies
    # The same browser again: the flow state was used up.
    again = session.get(callback, timeout=30)
    assert again.status_code == 400
    # Someone who copied the URL and the flow cookie: the code was used up
    # at the provider, which refuses it.
    thief = requests.Session()
    thief.cookies.set(oidc.SESSION_COOKIE, flow_cookie)
    stolen = thief.get(callback, timeout=30)
    assert stolen.status_code == 400
    assert "__ac" not in thief.cookies


def test_mfa_is_read_from_acr_and_amr(portal):
    assert oidc.mfa_asserted({"acr": "https://ecas.ec.europa.eu/loa/high"})
    assert not oidc.mfa_asserted({"acr": "https://ecas.ec.europa.eu/loa/basic"})
    assert oidc.mfa_asserted({"amr": ["pwd", "otp"]})
    assert oidc.mfa_asserted({"amr": ["mfa"]})
    assert not oidc.mfa_asserted({"amr": ["pwd"]})
    assert not oidc.mfa_asserted({"amr": "pwd"})
    assert not oidc.mfa_asserted({})
    api.portal.set_registry_record("ern.cpms.oidc_mfa_acr_values", ("urn:loa:3",))
    assert oidc.mfa_asserted({"acr": "urn:loa:3"})
    assert not oidc.mfa_asserted({"acr": "https://ecas.ec.europa.eu/loa/high"})


def test_configuration_from_the_environment(portal):
    environ = {
        "CPMS_OIDC_ISSUER": "https://ecas.ec.europa.eu/cas/oauth2",
        "CPMS_OIDC_CLIENT_ID": "cpms-prod",
        "CPMS_OIDC_CLIENT_SECRET": "from-the-vault",
        "CPMS_OIDC_SCOPES": "email,profile",
    }
    assert oidc.configure_from_environment(environ)
    plugin = oidc.plugin()
    assert plugin.getProperty("issuer") == "https://ecas.ec.europa.eu/cas/oauth2"
    assert plugin.getProperty("client_id") == "cpms-prod"
    assert plugin.getProperty("client_secret") == "from-the-vault"
    assert plugin.getProperty("scope") == ("openid", "email", "profile")
    assert plugin.getProperty("use_pkce") is True
    assert plugin.getProperty("user_property_as_userid") == "sub"
    assert not oidc.configure_from_environment({})


def test_a_password_and_a_question_are_not_two_factors(portal):
    assert not oidc.mfa_asserted({"amr": ["pwd", "kba"]})
    assert oidc.mfa_asserted({"amr": ["pwd", "hwk"]})
    # The methods are the operator's to choose.
    api.portal.set_registry_record("ern.cpms.oidc_mfa_amr_values", ("hwk",))
    assert not oidc.mfa_asserted({"amr": ["pwd", "otp"]})
    assert oidc.mfa_asserted({"amr": ["pwd", "hwk"]})


def test_a_subject_equal_to_a_local_account_is_refused(functional_portal, provider):
    """A provider's subject that is the id of a local account never logs
    into that account."""
    api.user.create(email="local@example.org", username=ANNA, password="x" * 16)
    transaction.commit()
    session, answer = log_in(site_url(functional_portal), otp=PROVIDER_CODE)
    assert answer.status_code == 400
    assert "__ac" not in session.cookies
