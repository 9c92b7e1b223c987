"""The privacy statement (`@@privacy` on the site root), readable by anyone.

The controller and its contact address are the operator's: registry
records `ern.cpms.privacy_controller` and `ern.cpms.privacy_contact`.
"""

from ern.cpms.browser.cookie_notice import COOKIE_NAME
from ern.cpms.browser.ern_map import DEFAULT_TILE_URL
from ern.cpms.browser.ern_map import TILE_URL_RECORD
from plone import api
from Products.Five.browser import BrowserView
from urllib.parse import urlsplit


CONTROLLER_RECORD = "ern.cpms.privacy_controller"
CONTACT_RECORD = "ern.cpms.privacy_contact"
# The profile's defaults, also for a site whose profile is not upgraded yet.
DEFAULT_CONTROLLER = "The operator of this site"
DEFAULT_CONTACT = "privacy@example.org"


class PrivacyStatement(BrowserView):
    """Who is responsible, what is processed and why, rights, cookies."""

    notice_cookie = COOKIE_NAME

    def controller(self):
        return (
            api.portal.get_registry_record(CONTROLLER_RECORD, default=None)
            or DEFAULT_CONTROLLER
        )

    def contact(self):
        return (
            api.portal.get_registry_record(CONTACT_RECORD, default=None)
            or DEFAULT_CONTACT
        )

    def _session_plugin(self):
        # plone.session's plugin sets the login cookie.
        return getattr(api.portal.get_tool("acl_users"), "session", None)

    def login_cookie(self):
        return getattr(self._session_plugin(), "cookie_name", None) or "__ac"

    def login_cookie_days(self):
        """How many days the login cookie lives; 0: until the browser closes."""
        return int(getattr(self._session_plugin(), "cookie_lifetime", 0) or 0)

    def tile_server(self):
        """The host the ERN map's tiles come from."""
        url = (
            api.portal.get_registry_record(TILE_URL_RECORD, default=None)
            or DEFAULT_TILE_URL
        )
        return (urlsplit(url).hostname or "").replace("{s}.", "")
