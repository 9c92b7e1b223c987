"""``@@second-factor``: set up an authenticator app, confirm a code after
logging in, keep recovery codes (second_factor.py says what a second
factor opens)."""

from ern.cpms import _
from ern.cpms import second_factor
from ern.cpms.browser.cookie_notice import same_site_url
from plone import api
from plone.base.interfaces import IRedirectAfterLogin
from plone.protect import CheckAuthenticator
from Products.CMFPlone.browser.login.login import RequireLoginView
from Products.Five.browser import BrowserView
from urllib.parse import quote
from zope.component import adapter
from zope.interface import implementer
from zope.interface import Interface


class SecondFactorView(BrowserView):
    """One page for every step; what it shows follows the user's state:
    ``ask`` (enter a code), ``intro`` (nothing set up yet), ``setup`` (scan
    the QR code, confirm), ``codes`` (the recovery codes, shown once),
    ``done`` (proved for this session: manage)."""

    error = None
    codes = ()

    def __call__(self):
        if api.user.is_anonymous():
            came_from = quote(self.request.get("URL", ""))
            portal_url = api.portal.get().absolute_url()
            self.request.response.redirect(f"{portal_url}/login?came_from={came_from}")
            return ""
        self.userid = api.user.get_current().getId()
        self.request.response.setHeader("Cache-Control", "no-store")
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            result = self.handle(self.request.form.get("action"))
            if result is not None:
                return result
        else:
            self.step = self.initial_step()
        return self.index()

    def initial_step(self):
        if second_factor.gated() and not second_factor.missing():
            return "ended"
        if not second_factor.gated():
            return "done"
        if second_factor.is_enrolled(self.userid):
            return "ask"
        if second_factor.pending_secret(self.userid):
            return "setup"
        return "intro"

    def handle(self, action):
        gated = second_factor.gated()
        enrolled = second_factor.is_enrolled(self.userid)
        if gated and not second_factor.missing():
            # A guest whose access ended: no code changes that.
            action = None
        try:
            if action == "verify" and enrolled:
                code = self.request.form.get("code")
                method = second_factor.verify(self.userid, code)
                if not second_factor.remember(self.request, self.userid, method):
                    self.error = _(
                        "Log in through the login form: the code is kept with "
                        "that session."
                    )
                    self.request.response.setStatus(400)
                    self.step = self.initial_step()
                    return None
                return self.request.response.redirect(self.came_from())
            if action == "start" and (not enrolled or not gated):
                second_factor.start_enrolment(self.userid)
                self.step = "setup"
                return None
            if action == "confirm" and (not enrolled or not gated):
                self.codes = second_factor.confirm_enrolment(
                    self.userid, self.request.form.get("code")
                )
                second_factor.remember(self.request, self.userid, "totp")
                self.step = "codes"
                return None
            if action == "new-codes" and enrolled and not gated:
                self.codes = second_factor.new_recovery_codes(self.userid)
                self.step = "codes"
                return None
        except second_factor.SecondFactorRefused as refusal:
            self.error = refusal.message
            self.request.response.setStatus(400)
            self.step = "setup" if action == "confirm" else self.initial_step()
            return None
        # An action that does not fit the user's state changes nothing.
        self.error = _("This step is not available now.")
        self.request.response.setStatus(400)
        self.step = self.initial_step()
        return None

    def came_from(self):
        return same_site_url(self.request.form.get("came_from"), api.portal.get())

    def came_from_value(self):
        wanted = self.request.form.get("came_from")
        return wanted if isinstance(wanted, str) else ""

    def secret(self):
        return second_factor.pending_secret(self.userid)

    def qr_code(self):
        secret = self.secret()
        if not secret:
            return ""
        return second_factor.qr_code_svg(
            second_factor.provisioning_uri(self.userid, secret)
        )

    def recovery_codes_left(self):
        return second_factor.recovery_codes_left(self.userid)


@implementer(IRedirectAfterLogin)
@adapter(Interface, Interface)
class SecondFactorAfterLogin:
    """After a password login, the code page comes first (then the page the
    user was going to)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def __call__(self, came_from=None, is_initial_login=False):
        portal_url = api.portal.get().absolute_url()
        target = quote(came_from or portal_url, safe="")
        return f"{portal_url}/@@second-factor?came_from={target}"


class RequireLogin(RequireLoginView):
    """Where Plone sends a refused visitor: a user logged in without a
    second factor goes to the code page, then back to what was refused."""

    def __call__(self):
        if not api.user.is_anonymous() and second_factor.gated():
            portal_url = api.portal.get().absolute_url()
            came_from = quote(self.request.get("came_from") or portal_url, safe="")
            self.request.response.redirect(
                f"{portal_url}/@@second-factor?came_from={came_from}"
            )
            return ""
        return super().__call__()


class ResetSecondFactor(BrowserView):
    """``@@reset-second-factor``: a site administrator forgets someone's
    second factor (a lost phone and lost recovery codes). They set it up
    again at their next login; what it proved before stops counting."""

    error = None
    done = None

    def __call__(self):
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            userid = self.request.form.get("userid")
            if not isinstance(userid, str) or api.user.get(userid=userid) is None:
                self.error = _("There is no account with this user name.")
                self.request.response.setStatus(400)
            else:
                second_factor.reset(userid)
                self.done = userid
        return self.index()
