"""The second factor (second_factor.py): no clinical data on a password
alone, in pages, REST and search; TOTP set-up, codes used once, recovery
codes, lock-out, reset; the proof in a signed cookie or in the token."""

from ern.cpms import second_factor
from ern.cpms.demo import DEMO_PASSWORD
from logins import json_session
from plone import api

import pyotp
import pytest
import re
import requests
import time
import transaction


PASSWORD = "a-long-password-2026"


# -- the codes themselves (in the database, no HTTP) ------------------------


@pytest.fixture
def clock(monkeypatch):
    """A fixed clock that the test moves."""
    state = {"now": 1_800_000_000.0}
    monkeypatch.setattr(second_factor, "now", lambda: state["now"])
    return state


def code_at(secret, when):
    return pyotp.TOTP(secret).at(when)


def wrong_code(secret, when):
    """A code that is none of those accepted around `when`."""
    right = {code_at(secret, when + offset) for offset in (-30, 0, 30)}
    return next(f"{n:06d}" for n in range(100) if f"{n:06d}" not in right)


def test_setting_up_needs_a_code_of_the_new_key(portal, clock):
    secret = second_factor.start_enrolment("dr.weber-new")
    assert not second_factor.is_enrolled("dr.weber-new")
    wrong = wrong_code(secret, clock["now"])
    with pytest.raises(second_factor.SecondFactorRefused):
        second_factor.confirm_enrolment("dr.weber-new", wrong)
    codes = second_factor.confirm_enrolment(
        "dr.weber-new", code_at(secret, clock["now"])
    )
    assert second_factor.is_enrolled("dr.weber-new")
    assert len(codes) == 10 == len(set(codes))
    assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code) for code in codes)
    # Only hashes are kept.
    record = second_factor._record("dr.weber-new")
    assert not any(code in repr(dict(record)) for code in codes)


def test_a_code_works_once(portal, clock):
    secret = pyotp.random_base32()
    second_factor.enrol_with_secret("someone", secret)
    code = code_at(secret, clock["now"])
    assert second_factor.verify("someone", code) == "totp"
    with pytest.raises(second_factor.SecondFactorRefused):
        second_factor.verify("someone", code)
    # The previous step's code is older than the one used: refused too.
    with pytest.raises(second_factor.SecondFactorRefused):
        second_factor.verify("someone", code_at(secret, clock["now"] - 30))
    # The next one works, and a clock a step off is forgiven.
    clock["now"] += 30
    assert second_factor.verify("someone", code_at(secret, clock["now"] + 30))


def test_five_wrong_codes_lock_for_five_minutes(portal, clock):
    secret = pyotp.random_base32()
    second_factor.enrol_with_secret("someone", secret)
    for _attempt in range(5):
        with pytest.raises(second_factor.SecondFactorRefused):
            second_factor.verify("someone", wrong_code(secret, clock["now"]))
    with pytest.raises(second_factor.SecondFactorRefused) as refused:
        second_factor.verify("someone", code_at(secret, clock["now"]))
    assert "Too many wrong codes" in refused.value.message
    clock["now"] += 301
    assert second_factor.verify("someone", code_at(secret, clock["now"]))


def test_a_recovery_code_works_once(portal, clock):
    second_factor.enrol_with_secret("someone", pyotp.random_base32())
    codes = second_factor.new_recovery_codes("someone")
    assert second_factor.verify("someone", codes[3].lower()) == "recovery"
    assert second_factor.recovery_codes_left("someone") == 9
    with pytest.raises(second_factor.SecondFactorRefused):
        second_factor.verify("someone", codes[3])


def test_a_reset_forgets_the_key(portal, clock):
    second_factor.enrol_with_secret("someone", pyotp.random_base32())
    before = second_factor.generation("someone")
    second_factor.reset("someone")
    assert not second_factor.is_enrolled("someone")
    assert second_factor.generation("someone") == before + 1
    with pytest.raises(second_factor.SecondFactorRefused):
        second_factor.verify("someone", "123456")


# -- the gate, through HTTP --------------------------------------------------


@pytest.fixture
def site(functional_portal):
    transaction.commit()
    return functional_portal.absolute_url()


def demo_patient_path(portal):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Patient", path="/plone/centres/erasmus-mc", sort_limit=1
    )[:1]
    return brain.getPath()[len("/plone/") :]


def demo_panel_path(portal):
    brains = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="open"
    )
    return brains[0].getPath()[len("/plone/") :]


def clinical_answers(site, portal, session):
    """What a health professional of Erasmus MC gets of clinical data."""
    patient = demo_patient_path(portal)
    search = session.get(
        f"{site}/++api++/@search?portal_type=Patient&portal_type=Panel", timeout=30
    ).json()
    return {
        "patient REST": session.get(
            f"{site}/++api++/{patient}", timeout=30
        ).status_code,
        "patient page": session.get(
            f"{site}/{patient}",
            headers={"Accept": "text/html"},
            allow_redirects=False,
            timeout=30,
        ).status_code,
        "found": search.get("items_total", 0),
    }


def test_a_password_alone_opens_no_clinical_data(functional_portal, site, logins):
    basic = json_session(auth=("dr.dekker", DEMO_PASSWORD))
    refused = clinical_answers(site, functional_portal, basic)
    assert refused["patient REST"] == 401
    # Plone's challenge sends a logged-in visitor on (to the code page).
    assert refused["patient page"] in (302, 401)
    assert refused["found"] == 0
    # A token from @login without a code: the same.
    answer = requests.post(
        f"{site}/@login",
        json={"login": "dr.dekker", "password": DEMO_PASSWORD},
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()
    assert answer["second_factor"] is False
    plain = json_session({"Authorization": f"Bearer {answer['token']}"})
    assert clinical_answers(site, functional_portal, plain) == refused
    # With the code: the same requests are answered.
    proved = json_session(logins.authorization("dr.dekker"))
    opened = clinical_answers(site, functional_portal, proved)
    assert opened["patient REST"] == 200
    assert opened["patient page"] == 200
    assert opened["found"] > 0


def test_without_a_second_factor_the_profile_and_help_stay_open(site):
    basic = json_session(auth=("dr.dekker", DEMO_PASSWORD))
    assert basic.get(f"{site}/++api++/@users/dr.dekker", timeout=30).status_code == 200
    page = basic.get(
        f"{site}/@@personal-information", headers={"Accept": "text/html"}, timeout=30
    )
    assert page.status_code == 200
    assert 'name="form.widgets.fullname"' in page.text
    assert basic.get(f"{site}/@@privacy", timeout=30).status_code == 200
    # The help pages: the user manual the demo publishes.
    manual = basic.get(
        f"{site}/erns/ern-eye/resources/user-manual",
        headers={"Accept": "text/html"},
        timeout=30,
    )
    assert manual.status_code == 200
    assert "Asking for access" in manual.text
    # And the access request.
    form = basic.get(
        f"{site}/@@request-access", headers={"Accept": "text/html"}, timeout=30
    )
    assert "form.widgets.motivation" in form.text


def test_local_roles_of_a_user_without_second_factor_find_nothing(
    functional_portal, site, logins
):
    """expert.rossi holds PanelMember on the demo's open panel as a user
    (not a group): neither the panel nor search answers a password."""
    panel = demo_panel_path(functional_portal)
    basic = json_session(auth=("expert.rossi", DEMO_PASSWORD))
    assert basic.get(f"{site}/++api++/{panel}", timeout=30).status_code == 401
    found = basic.get(f"{site}/++api++/@search?portal_type=Panel", timeout=30).json()
    assert found["items_total"] == 0
    proved = json_session(logins.authorization("expert.rossi"))
    assert proved.get(f"{site}/++api++/{panel}", timeout=30).status_code == 200
    found = proved.get(f"{site}/++api++/@search?portal_type=Panel", timeout=30).json()
    assert found["items_total"] >= 1


def test_a_wrong_or_replayed_code_issues_no_token(site, logins):
    def login(otp):
        return requests.post(
            f"{site}/@login",
            json={"login": "dr.dekker", "password": DEMO_PASSWORD, "otp": otp},
            headers={"Accept": "application/json"},
            timeout=30,
        )

    wrong = login("000000")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["field"] == "otp"
    assert "token" not in wrong.json()
    code = logins.code("dr.dekker")
    assert login(code).status_code == 200
    replayed = login(code)
    assert replayed.status_code == 401
    assert "token" not in replayed.json()
    assert login(12345).status_code == 400


def test_logout_revokes_the_token(functional_portal, site, logins):
    headers = logins.authorization("dr.dekker")
    session = json_session(headers)
    patient = demo_patient_path(functional_portal)
    assert session.get(f"{site}/++api++/{patient}", timeout=30).status_code == 200
    assert session.post(f"{site}/@logout", timeout=30).status_code == 204
    assert session.get(f"{site}/++api++/{patient}", timeout=30).status_code == 401


def test_a_reset_takes_the_proof_from_issued_tokens(functional_portal, site, logins):
    session = json_session(logins.authorization("dr.dekker"))
    patient = demo_patient_path(functional_portal)
    assert session.get(f"{site}/++api++/{patient}", timeout=30).status_code == 200
    transaction.begin()
    second_factor.reset("dr.dekker")
    transaction.commit()
    assert session.get(f"{site}/++api++/{patient}", timeout=30).status_code == 401


def test_renewing_a_token_keeps_the_second_factor(functional_portal, site, logins):
    session = json_session(logins.authorization("dr.dekker"))
    token = session.post(f"{site}/@login-renew", timeout=30).json()["token"]
    renewed = json_session({"Authorization": f"Bearer {token}"})
    patient = demo_patient_path(functional_portal)
    assert renewed.get(f"{site}/++api++/{patient}", timeout=30).status_code == 200


# -- the pages: log in, the code page, the cookie ----------------------------


def form_token(text):
    match = re.search(r'name="_authenticator"[^>]*value="([^"]+)"', text) or re.search(
        r'value="([^"]+)"[^>]*name="_authenticator"', text
    )
    return match.group(1)


def send_code(session, site, code, page, came_from=None):
    """Type `code` into the code page (`page`: an answer that has the form)."""
    data = {"action": "verify", "code": code, "_authenticator": form_token(page.text)}
    if came_from is not None:
        data["came_from"] = came_from
    return session.post(f"{site}/@@second-factor", data=data, timeout=30)


def put_cookie(session, name, value):
    """Replace any cookie `name` in the session's jar by `value`."""
    for cookie in [c for c in session.cookies if c.name == name]:
        session.cookies.clear(cookie.domain, cookie.path, name)
    session.cookies.set(name, value)


def log_in(site, userid, password=DEMO_PASSWORD, came_from=""):
    session = requests.Session()
    session.headers["Accept"] = "text/html"
    response = session.post(
        f"{site}/login",
        data={
            "__ac_name": userid,
            "__ac_password": password,
            "came_from": came_from,
            "buttons.login": "Log in",
        },
        timeout=30,
    )
    return session, response


def test_after_the_password_the_code_page_then_the_page_asked_for(
    functional_portal, site, logins
):
    patient = f"{site}/{demo_patient_path(functional_portal)}"
    session, response = log_in(site, "dr.dekker", came_from=patient)
    assert "/@@second-factor" in response.url
    assert 'id="cpms-code"' in response.text
    # Straight to the patient without the code: led to the code page.
    detour = session.get(patient, timeout=30)
    assert "/@@second-factor" in detour.url
    family_name = functional_portal.unrestrictedTraverse(
        demo_patient_path(functional_portal)
    ).family_name
    assert family_name not in detour.text
    wrong = send_code(session, site, "000000", response, came_from=patient)
    assert wrong.status_code == 400
    assert "not valid now" in wrong.text
    assert second_factor.COOKIE not in session.cookies
    code = logins.code("dr.dekker")
    confirmed = send_code(session, site, code, response, came_from=patient)
    assert confirmed.url == patient
    assert confirmed.status_code == 200
    assert family_name in confirmed.text
    cookie = next(c for c in session.cookies if c.name == second_factor.COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly")
    # Logging out forgets it; logging in again asks again.
    session.get(f"{site}/logout", timeout=30)
    assert second_factor.COOKIE not in session.cookies
    # plone.session's ticket names the user and the second it was made: two
    # logins within one second share it (they are the same session).
    time.sleep(1.1)
    again, response = log_in(site, "dr.dekker")
    put_cookie(again, second_factor.COOKIE, cookie.value)
    # The cookie of the earlier session was dropped by the new login.
    assert "/@@second-factor" in again.get(patient, timeout=30).url


def test_a_forged_or_borrowed_cookie_proves_nothing(functional_portal, site, logins):
    patient = f"{site}/{demo_patient_path(functional_portal)}"
    # dr.martin's own proof, carried into dr.dekker's session.
    martin, response = log_in(site, "dr.martin")
    send_code(martin, site, logins.code("dr.martin"), response)
    borrowed = martin.cookies.get(second_factor.COOKIE)
    assert borrowed
    # The cookie set by hand as below is sent: it works in its own session.
    (necker_patient,) = functional_portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Patient", path="/plone/centres/necker"
    )[:1]
    put_cookie(martin, second_factor.COOKIE, borrowed)
    own = martin.get(f"{site}/{necker_patient.getPath()[len('/plone/') :]}")
    assert own.status_code == 200
    assert "/@@second-factor" not in own.url
    payload, _dot, signature = borrowed.partition(".")
    for value in (borrowed, f"{payload}.{'0' * len(signature)}", "x.y", payload):
        dekker, _response = log_in(site, "dr.dekker")
        put_cookie(dekker, second_factor.COOKIE, value)
        assert "/@@second-factor" in dekker.get(patient, timeout=30).url


def test_setting_up_from_the_page(functional_portal, site):
    api.user.create(email="new@example.org", username="dr.new", password="pw-new-2026x")
    transaction.commit()
    session, response = log_in(site, "dr.new", "pw-new-2026x")
    assert "Set up the second factor" in response.text
    token = form_token(response.text)
    setup = session.post(
        f"{site}/@@second-factor",
        data={"action": "start", "_authenticator": token},
        timeout=30,
    )
    assert "<svg" in setup.text
    key = re.search(r'class="cpms-totp-secret"\s*>([A-Z2-7]+)<', setup.text).group(1)
    done = session.post(
        f"{site}/@@second-factor",
        data={
            "action": "confirm",
            "code": pyotp.TOTP(key).now(),
            "_authenticator": token,
        },
        timeout=30,
    )
    codes = re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", done.text)
    assert len(codes) == 10
    transaction.begin()
    assert second_factor.secret_of("dr.new") == key


def test_a_password_cannot_set_up_a_new_phone(functional_portal, site, logins):
    """Someone with the password only must not replace the owner's key."""
    key = logins.key("dr.dekker")
    session, response = log_in(site, "dr.dekker")
    refused = session.post(
        f"{site}/@@second-factor",
        data={"action": "start", "_authenticator": form_token(response.text)},
        timeout=30,
    )
    assert refused.status_code == 400
    assert "not available" in refused.text
    transaction.begin()
    assert second_factor.secret_of("dr.dekker") == key
    assert second_factor.pending_secret("dr.dekker") is None


def test_cookies_are_secure_over_https(functional_portal, site):
    """Behind an HTTPS proxy (virtual hosting says so), Plone's session
    cookie and ours are Secure."""
    from Products.SiteAccess.VirtualHostMonster import manage_addVirtualHostMonster

    app = functional_portal.aq_parent
    if "virtual_hosting" not in app.objectIds():
        manage_addVirtualHostMonster(app, "virtual_hosting")
        transaction.commit()
    host = site.split("/plone")[0]
    url = f"{host}/VirtualHostBase/https/cpms.example.org:443/plone/VirtualHostRoot"
    response = form_login(url)
    set_cookie = response.headers["Set-Cookie"]
    assert "__ac=" in set_cookie
    assert all("secure" in part.lower() for part in set_cookie.split(", __"))
    plain = form_login(site)
    assert "secure" not in plain.headers["Set-Cookie"].lower()


def form_login(url):
    """dr.dekker's password sent to the login form; its first answer."""
    return requests.post(
        f"{url}/login",
        data={
            "__ac_name": "dr.dekker",
            "__ac_password": DEMO_PASSWORD,
            "buttons.login": "Log in",
        },
        allow_redirects=False,
        timeout=30,
    )


# -- what the review found (attacker's view) ---------------------------------


def test_locks_grow_longer(portal, clock):
    secret = pyotp.random_base32()
    second_factor.enrol_with_secret("someone", secret)

    def five_wrong():
        for _attempt in range(5):
            with pytest.raises(second_factor.SecondFactorRefused):
                second_factor.verify("someone", wrong_code(secret, clock["now"]))

    five_wrong()
    assert second_factor._record("someone")["locked_until"] == clock["now"] + 300
    clock["now"] += 301
    five_wrong()
    assert second_factor._record("someone")["locked_until"] == clock["now"] + 600
    clock["now"] += 601
    assert second_factor.verify("someone", code_at(secret, clock["now"])) == "totp"
    assert second_factor._record("someone")["locks"] == 0


@pytest.mark.parametrize(
    "code",
    [
        "\u0661\u0662\u0663\u0664\u0665\u0666",  # Arabic-Indic digits
        "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits
        "12345\u00e9",
        ["123456"],
    ],
)
def test_odd_codes_are_refused_not_errors(portal, clock, code):
    second_factor.enrol_with_secret("someone", pyotp.random_base32())
    with pytest.raises(second_factor.SecondFactorRefused):
        second_factor.verify("someone", code)


def test_a_new_phone_ends_what_the_old_key_proved(functional_portal, site, logins):
    token_session = json_session(logins.authorization("dr.dekker"))
    patient = demo_patient_path(functional_portal)
    assert token_session.get(f"{site}/++api++/{patient}", timeout=30).status_code == 200
    transaction.begin()
    secret = second_factor.start_enrolment("dr.dekker")
    second_factor.confirm_enrolment("dr.dekker", pyotp.TOTP(secret).now())
    transaction.commit()
    assert token_session.get(f"{site}/++api++/{patient}", timeout=30).status_code == 401


def test_lists_made_from_the_user_id_need_the_second_factor(site, logins):
    """My work, my calendar and my ERN page list a person's panels from
    their id, not through the catalog's security: a password is not
    enough for them either."""
    basic = json_session(auth=("expert.rossi", DEMO_PASSWORD))
    assert basic.get(f"{site}/@my-work", timeout=30).status_code == 401
    assert basic.get(f"{site}/@calendar", timeout=30).status_code == 401
    for page in ("@@my-ern", "@@my-calendar"):
        answer = basic.get(f"{site}/{page}", headers={"Accept": "text/html"})
        assert "/@@second-factor" in answer.url, page
    proved = json_session(logins.authorization("expert.rossi"))
    assert proved.get(f"{site}/@my-work", timeout=30).status_code == 200
    assert proved.get(f"{site}/@calendar", timeout=30).status_code == 200


def test_a_reset_gives_a_new_calendar_feed_address(portal):
    from ern.cpms.meetings import feed_token
    from ern.cpms.meetings import token_is_valid

    before = feed_token("expert.rossi")
    assert token_is_valid("expert.rossi", before)
    second_factor.reset("expert.rossi")
    assert not token_is_valid("expert.rossi", before)
    assert token_is_valid("expert.rossi", feed_token("expert.rossi"))
    assert not token_is_valid("expert.rossi", "\u0663" * 32)


def test_without_a_session_a_code_is_not_kept(site, logins):
    """HTTP Basic credentials have no session to bind the proof to."""
    basic = requests.Session()
    basic.auth = ("dr.dekker", DEMO_PASSWORD)
    page = basic.get(f"{site}/@@second-factor", timeout=30)
    answer = send_code(basic, site, logins.code("dr.dekker"), page)
    assert answer.status_code == 400
    assert "Log in through the login form" in answer.text
    assert second_factor.COOKIE not in basic.cookies


def test_a_wrong_code_at_login_leaves_no_session(site):
    answer = requests.post(
        f"{site}/@login",
        json={"login": "dr.dekker", "password": DEMO_PASSWORD, "otp": "000000"},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 401
    assert "__ac" not in answer.cookies or not answer.cookies["__ac"]


def test_an_administrator_resets_a_second_factor(functional_portal, site, logins):
    api.user.create(email="a@example.org", username="site.admin", password=PASSWORD)
    api.user.grant_roles(username="site.admin", roles=["Site Administrator"])
    transaction.commit()
    # Without a second factor, even an administrator is a plain member.
    plain = requests.Session()
    plain.auth = ("site.admin", PASSWORD)
    refused = plain.get(f"{site}/@@reset-second-factor", timeout=30)
    assert "/@@second-factor" in refused.url
    admin, response = log_in(site, "site.admin", PASSWORD)
    send_code(admin, site, logins.code("site.admin"), response)
    page = admin.get(f"{site}/@@reset-second-factor", timeout=30)
    assert page.status_code == 200
    transaction.begin()
    before = second_factor.generation("dr.dekker")
    done = admin.post(
        f"{site}/@@reset-second-factor",
        data={"userid": "dr.dekker", "_authenticator": form_token(page.text)},
        timeout=30,
    )
    assert "was reset" in done.text
    transaction.begin()
    assert second_factor.generation("dr.dekker") == before + 1
    assert not second_factor.is_enrolled("dr.dekker")
    unknown = admin.post(
        f"{site}/@@reset-second-factor",
        data={"userid": "nobody.here", "_authenticator": form_token(page.text)},
        timeout=30,
    )
    assert unknown.status_code == 400


def test_form_logins_codes_and_logouts_are_audited(
    functional_portal, site, logins, audit
):
    logins.key("dr.dekker")  # enrolled
    session, page = log_in(site, "dr.dekker")
    send_code(session, site, "000000", page)
    session.get(f"{site}/logout", timeout=30)
    log_in(site, "dr.dekker", password="wrong")
    actions = [(e["action"], e["userid"]) for e in audit.entries(newest_first=False)[0]]
    assert ("login", "dr.dekker") in actions
    assert ("second_factor_failed", "dr.dekker") in actions
    assert ("logout", "dr.dekker") in actions
    assert ("login_failed", "dr.dekker") in actions
