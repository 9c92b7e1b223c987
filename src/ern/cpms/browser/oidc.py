"""The pages of the OpenID Connect login (oidc.py): the provider's button on
Plone's login form, and the page of a refused login answer."""

from ern.cpms import oidc
from plone import api
from plone.app.layout.viewlets.common import ViewletBase
from Products.Five.browser import BrowserView
from urllib.parse import urlencode


class LoginWithProvider(ViewletBase):
    """ "Log in with EU Login" above Plone's login form, when configured."""

    def available(self):
        return oidc.configured()

    def provider(self):
        return oidc.plugin().title or "OpenID Connect"

    def url(self):
        plugin_url = oidc.plugin().absolute_url()
        came_from = self.request.form.get("came_from")
        if not (isinstance(came_from, str) and came_from):
            return f"{plugin_url}/login"
        return f"{plugin_url}/login?{urlencode({'came_from': came_from})}"


class LoginRefused(BrowserView):
    """Why a login answer was refused, and the way to log in again."""

    message = ""

    def login_url(self):
        return f"{api.portal.get().absolute_url()}/login"
