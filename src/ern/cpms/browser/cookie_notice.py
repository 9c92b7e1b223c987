"""The cookie notice: a banner on every page until the visitor presses "OK".

The site sets only strictly necessary cookies (Plone's login cookie and the
one this notice sets to remember that it was read), so the notice informs;
it asks for no consent. "OK" is a plain form POST to
`@@accept-cookie-notice`, which sets the cookie and sends the visitor back;
static/cookie-notice.js does the same in the browser without reloading.
"""

from datetime import datetime
from datetime import timedelta
from datetime import UTC
from plone import api
from plone.app.layout.viewlets.common import ViewletBase
from Products.Five.browser import BrowserView
from urllib.parse import urljoin
from urllib.parse import urlsplit


COOKIE_NAME = "cpms_cookie_notice"
COOKIE_VALUE = "seen"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60  # one year, in seconds


def same_site_url(url, portal):
    """`url` if it leads into this site (on its own host), else the site root.

    Relative addresses are read from the site root. Plone's own check
    (`isURLInPortal`, which refuses `javascript:` and the like) decides;
    hosts that check trusts for single sign-on are refused here too.
    """
    portal_url = portal.absolute_url()
    if not isinstance(url, str) or not url:
        return portal_url
    if not api.portal.get_tool("portal_url").isURLInPortal(url, portal):
        return portal_url
    absolute = urljoin(f"{portal_url}/", url)
    if urlsplit(absolute).netloc != urlsplit(portal_url).netloc:
        return portal_url
    return absolute


class CookieNoticeViewlet(ViewletBase):
    """The banner (plone.portalfooter: Barceloneta keeps it on every page)."""

    def available(self):
        return COOKIE_NAME not in self.request.cookies

    def came_from(self):
        """This page's address, to come back to after "OK"."""
        url = self.request.get("ACTUAL_URL", "")
        query = self.request.get("QUERY_STRING", "")
        return f"{url}?{query}" if query else url

    def render(self):
        return self.index() if self.available() else ""


class AcceptCookieNotice(BrowserView):
    """`@@accept-cookie-notice`: remember "OK" in a cookie and go back.

    It writes nothing to the database, so plone.protect lets the form's POST
    through without a token, for anonymous visitors as for members. Only a
    POST sets the cookie; any request is sent back to a page of the site.
    """

    def __call__(self):
        request = self.request
        if request.get("REQUEST_METHOD", "GET").upper() == "POST":
            request.response.setCookie(
                COOKIE_NAME,
                COOKIE_VALUE,
                path="/",
                max_age=COOKIE_MAX_AGE,
                expires=datetime.now(UTC) + timedelta(seconds=COOKIE_MAX_AGE),
                samesite="Lax",
                secure=request.get("SERVER_URL", "").startswith("https://"),
            )
        portal = api.portal.get()
        request.response.redirect(same_site_url(request.form.get("came_from"), portal))
        return ""
