"""The cookie notice on every page until "OK", and the privacy statement.

The site sets only strictly necessary cookies; the notice informs and
remembers that it was read in a cookie of its own (one year, SameSite=Lax).
"""

from datetime import datetime
from datetime import UTC
from email.utils import parsedate_to_datetime
from ern.cpms.browser.cookie_notice import same_site_url
from plone import api
from web import screenshot

import pytest
import re
import transaction


NOTICE = 'id="cpms-cookie-notice"'
ONE_YEAR = 365 * 24 * 60 * 60


@pytest.fixture
def site_url(functional_portal):
    transaction.commit()
    return functional_portal.absolute_url()


def notice(html):
    """The banner's markup, or None."""
    match = re.search(r'<div[^>]*id="cpms-cookie-notice".*?</form>', html, re.DOTALL)
    return match.group(0) if match else None


def accept(session, site_url, came_from, **kwargs):
    return session.post(
        f"{site_url}/@@accept-cookie-notice", data={"came_from": came_from}, **kwargs
    )


# The notice.


def test_notice_on_the_front_page_for_anonymous_visitors(anonymous, site_url):
    response = anonymous.get(site_url)
    assert response.status_code == 200
    banner = notice(response.text)
    assert banner is not None
    assert 'role="region"' in banner
    assert 'aria-label="Cookie notice"' in banner
    assert "With the usage of our services you permit us to use cookies." in banner
    assert f'href="{site_url}/@@privacy"' in banner
    assert f'action="{site_url}/@@accept-cookie-notice"' in banner
    assert 'method="post"' in banner
    assert f'name="came_from" type="hidden" value="{site_url}"' in banner
    assert ">OK</button>" in banner
    # The script is a file of the add-on; the page has no inline script.
    assert f'src="{site_url}/++plone++ern.cpms/cookie-notice.js"' in response.text
    script = anonymous.get(f"{site_url}/++plone++ern.cpms/cookie-notice.js")
    assert script.status_code == 200
    assert "cpms_cookie_notice" in script.text


def test_notice_on_a_page_for_logged_in_users(browser, site_url):
    response = browser.get(f"{site_url}/centres/erasmus-mc")
    assert response.status_code == 200
    assert "userrole-authenticated" in response.text
    banner = notice(response.text)
    assert banner is not None
    assert f'value="{site_url}/centres/erasmus-mc"' in banner


def test_ok_hides_the_notice_for_good(anonymous, site_url):
    assert NOTICE in anonymous.get(f"{site_url}/erns").text
    response = accept(anonymous, site_url, f"{site_url}/erns")
    # Back on the page the visitor came from, without the notice.
    assert response.history[0].status_code == 302
    assert response.url == f"{site_url}/erns"
    assert NOTICE not in response.text
    assert anonymous.cookies.get("cpms_cookie_notice") == "seen"
    assert NOTICE not in anonymous.get(site_url).text
    assert NOTICE not in anonymous.get(f"{site_url}/@@privacy").text


def test_ok_comes_back_to_the_page_with_its_query(anonymous, site_url):
    page = f"{site_url}/@@ern-map?ern=ERN-EYE"
    response = accept(anonymous, site_url, page, allow_redirects=False)
    assert response.headers["Location"] == page


def test_logged_in_users_dismiss_it_too(browser, site_url):
    response = accept(browser, site_url, f"{site_url}/centres/erasmus-mc")
    assert response.status_code == 200
    assert response.url == f"{site_url}/centres/erasmus-mc"
    assert NOTICE not in response.text


def test_notice_cookie_is_lax_and_lives_one_year(anonymous, site_url):
    response = accept(anonymous, site_url, site_url, allow_redirects=False)
    header = response.headers["Set-Cookie"]
    assert header.startswith("cpms_cookie_notice=seen;")
    attributes = {
        name.strip().lower(): value.strip()
        for name, _, value in (part.partition("=") for part in header.split(";")[1:])
    }
    assert attributes["samesite"] == "Lax"
    assert attributes["path"] == "/"
    assert attributes["max-age"] == str(ONE_YEAR)
    expires = parsedate_to_datetime(attributes["expires"])
    assert abs((expires - datetime.now(UTC)).total_seconds() - ONE_YEAR) < 600
    # The test server speaks plain HTTP: no Secure flag (a browser would
    # refuse the cookie); over https the flag is set.
    assert "secure" not in attributes


def test_cookie_is_secure_over_https(portal, http_request):
    http_request.form["came_from"] = portal.absolute_url()
    http_request["REQUEST_METHOD"] = "POST"
    http_request["SERVER_URL"] = "https://cpms.example.org"
    api.content.get_view("accept-cookie-notice", portal, http_request)()
    cookie = http_request.response.cookies["cpms_cookie_notice"]
    assert cookie["Secure"] is True
    assert cookie["SameSite"] == "Lax"


@pytest.mark.parametrize(
    "came_from",
    [
        "https://evil.example.org/",
        "//evil.example.org/plone",
        "http://evil.example.org/plone/erns",
        "javascript:alert(1)",
        "",
    ],
)
def test_redirect_never_leaves_the_site(anonymous, site_url, came_from):
    response = accept(anonymous, site_url, came_from, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == site_url


def test_get_sets_no_cookie(anonymous, site_url):
    response = anonymous.get(
        f"{site_url}/@@accept-cookie-notice",
        params={"came_from": f"{site_url}/erns"},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{site_url}/erns"
    assert "Set-Cookie" not in response.headers


def test_same_site_url(portal):
    root = portal.absolute_url()
    assert same_site_url(f"{root}/erns/ern-eye", portal) == f"{root}/erns/ern-eye"
    assert same_site_url("erns", portal) == f"{root}/erns"
    assert same_site_url("https://evil.example.org/x", portal) == root
    assert same_site_url("\\\\evil.example.org", portal) == root
    assert same_site_url(["erns"], portal) == root
    assert same_site_url(None, portal) == root


# The privacy statement.


def test_privacy_statement_is_public(anonymous, site_url):
    response = anonymous.get(f"{site_url}/@@privacy")
    assert response.status_code == 200
    text = response.text
    assert "<h1>Privacy statement</h1>" in text
    assert "The operator of this site" in text
    assert 'href="mailto:privacy@example.org"' in text
    assert "Art. 9(2)(h)" in text
    assert (
        "patient&#39;s own centre only" in text or "patient's own centre only" in text
    )
    # The two cookies, what they are for and how long they live.
    assert "<code>__ac</code>" in text
    assert "Until you log out or close the browser" in text
    assert "<code>cpms_cookie_notice</code>" in text
    assert "One year" in text
    assert "tile.openstreetmap.org" in text


def test_privacy_statement_names_the_controller_of_the_registry(
    functional_portal, anonymous
):
    api.portal.set_registry_record(
        "ern.cpms.privacy_controller", "Erasmus MC, Rotterdam, the Netherlands"
    )
    api.portal.set_registry_record("ern.cpms.privacy_contact", "dpo@erasmusmc.example")
    transaction.commit()
    text = anonymous.get(f"{functional_portal.absolute_url()}/@@privacy").text
    assert "Erasmus MC, Rotterdam, the Netherlands" in text
    assert 'href="mailto:dpo@erasmusmc.example"' in text
    assert "The operator of this site" not in text


def test_privacy_statement_says_how_long_a_login_lasts(portal, http_request):
    portal.acl_users.session.cookie_lifetime = 7
    html = api.content.get_view("privacy", portal, http_request)()
    assert "7 days, or until you log out" in html


def test_privacy_site_action(portal):
    with api.env.adopt_user(username="dr.dekker"):
        actions = api.portal.get_tool("portal_actions").listActionInfos(
            object=portal, categories=["site_actions"]
        )
    (action,) = [action for action in actions if action["id"] == "cpms-privacy"]
    assert action["title"] == "Privacy statement"
    assert action["url"] == f"{portal.absolute_url()}/@@privacy"


def test_privacy_link_in_the_footer_after_ok(anonymous, site_url):
    accept(anonymous, site_url, site_url)
    # The notice is gone; the footer's site actions still link the statement.
    assert f'{site_url}/@@privacy"' in anonymous.get(site_url).text


# In a real browser.


def test_ok_hides_the_notice_without_reloading(web):
    page = web.window()
    page.goto(web.url)
    banner = page.locator("#cpms-cookie-notice")
    assert banner.is_visible()
    assert banner.get_by_role("link", name="Privacy statement").is_visible()
    screenshot(page, "cookie-notice")
    page.evaluate("window.cpmsNotReloaded = true")
    banner.get_by_role("button", name="OK").click()
    banner.wait_for(state="hidden")
    assert page.evaluate("window.cpmsNotReloaded") is True
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "cpms_cookie_notice"]
    assert cookie["value"] == "seen"
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"
    page.reload()
    assert page.locator("#cpms-cookie-notice").count() == 0
    page.goto(f"{web.url}/@@privacy")
    screenshot(page, "privacy-statement")
