"""What the real-browser tests share: windows that log in and take pictures."""

from ern.cpms.demo import DEMO_PASSWORD
from pathlib import Path
from playwright.sync_api import Page


SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


class WebWindows:
    """Pages in one Chromium, each with its own cookies, recording errors."""

    def __init__(self, browser, url, logins):
        self.browser = browser
        self.url = url
        self.logins = logins
        self.contexts = []
        self.errors = []

    def window(self, userid=None) -> Page:
        context = self.browser.new_context(locale="en-GB")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        if userid is not None:
            log_in(page, self.url, userid, self.logins)
        return page

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def close(self):
        for context in self.contexts:
            context.close()


def log_in(page: Page, site_url, userid, logins, password=DEMO_PASSWORD):
    """Log in through Plone's login form and the second factor's page that
    follows it, as a person would (the code from the user's key:
    tests/logins.py)."""
    page.goto(f"{site_url}/login")
    page.fill("#__ac_name", userid)
    page.fill("#__ac_password", password)
    page.click("#buttons-login")
    page.wait_for_url("**/@@second-factor**")
    page.fill("#cpms-code", logins.code(userid))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_selector("body.userrole-authenticated", state="attached")
    assert "@@second-factor" not in page.url


def screenshot(page: Page, name):
    """Keep a picture of the page for people to look at (CI keeps the folder)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def accept_cookie_notice(page: Page):
    """Press "OK" on the cookie notice if the page shows one (it would
    cover the bottom of every screenshot)."""
    notice = page.locator("#cpms-cookie-notice")
    if notice.is_visible():
        notice.get_by_role("button", name="OK").click()
        notice.wait_for(state="hidden")
