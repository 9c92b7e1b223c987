"""Login with OpenID Connect (EU Login, or any provider) through
pas.plugins.oidc, and what this project adds to it.

pas.plugins.oidc 2.0.0 drives the authorization-code flow (with PKCE) and
creates the user from the provider's ``sub``. Three gaps are closed here
(patches.zcml):

- its flow state lived in an unsigned cookie (base64 JSON) that anyone
  could write: ``SignedSession`` signs it (HMAC under a key derived from
  the site secret), limits it to ten minutes and marks it HttpOnly,
  SameSite=Lax (the provider's redirect back is a top-level GET, which Lax
  lets through) and Secure over HTTPS;
- its callback only logged a ``state`` that did not match: ``callback``
  refuses it with a clear page, also when there is no flow state at all
  (a forged or replayed answer), checks the ID token's ``nonce`` (the
  client library skips that check when, as here, a fresh client handles
  the callback) and that the user info belongs to the token's subject, and
  consumes the flow state;
- it knew no second factor: the ID token's ``acr``/``amr`` decide whether
  the login counts as one (``mfa_asserted``; second_factor.py).

The plugin's challenge is switched off (setuphandlers): Plone's login form
stays the place to log in, and offers "Log in with EU Login" when an issuer
is configured (``configured``).
"""

from BTrees.OOBTree import OOTreeSet
from ern.cpms import _
from ern.cpms import logger
from ern.cpms import second_factor
from ern.cpms.browser.cookie_notice import same_site_url
from ern.cpms.pseudonym import site_secret
from oic.oauth2.message import ErrorResponse
from oic.oic import message
from plone import api
from zope.annotation.interfaces import IAnnotations

import base64
import hashlib
import hmac
import json
import os


PLUGIN_ID = "oidc"
SESSION_COOKIE = "__ac_session"
SESSION_MAX_AGE = 600
# EU Login's levels of assurance that need a second factor ("medium": a
# password and a mobile device, security key or eID; "high": a
# possession factor). Other providers: the registry record
# ern.cpms.oidc_mfa_acr_values.
EU_LOGIN_MFA_ACR = (
    "https://ecas.ec.europa.eu/loa/medium",
    "https://ecas.ec.europa.eu/loa/high",
)
# RFC 8176 methods that are a factor of their own besides a password
# (something one has or is); "kba" (a question) or "pwd" twice are not.
POSSESSION = ("otp", "hwk", "swk", "sms", "tel", "sc", "pop")
INHERENCE = ("face", "fpt", "iris", "retina", "vbm")
POSSESSION_AND_INHERENCE = frozenset((*POSSESSION, *INHERENCE))
# The users made by an OpenID Connect login (site annotation): a provider's
# subject that equals the id of a local account never logs into it.
OIDC_USERS = "ern.cpms.oidc_users"
# What the operator sets through the environment (`make start` applies it).
ENVIRONMENT = {
    "CPMS_OIDC_ISSUER": "issuer",
    "CPMS_OIDC_CLIENT_ID": "client_id",
    "CPMS_OIDC_CLIENT_SECRET": "client_secret",
    "CPMS_OIDC_SCOPES": "scope",
    "CPMS_OIDC_REDIRECT_URI": "redirect_uris",
}


def plugin():
    return getattr(api.portal.get_tool("acl_users"), PLUGIN_ID, None)


def configured():
    found = plugin()
    return bool(found is not None and found.getProperty("issuer"))


def harden(found):
    """The settings this project relies on, whatever else is configured."""
    scopes = [scope for scope in found.getProperty("scope") or () if scope]
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    found.manage_changeProperties(
        use_pkce=True,
        scope=tuple(scopes),
        # The subject: stable and never reassigned (never the e-mail).
        user_property_as_userid="sub",
        create_user=True,
        create_ticket=True,
        create_restapi_ticket=False,
        create_groups=False,
        use_session_data_manager=False,
    )


def configure(found, settings):
    """Apply issuer, client id/secret, scopes and redirect URI (strings;
    scopes separated by spaces or commas), then `harden`."""
    values = {}
    for name, value in settings.items():
        if name == "scope":
            values[name] = tuple(value.replace(",", " ").split())
        elif name == "redirect_uris":
            values[name] = (value,)
        else:
            values[name] = value
    found.manage_changeProperties(**values)
    harden(found)


def configure_from_environment(environ=None):
    """`make start`: the CPMS_OIDC_* variables that are set, if any."""
    environ = os.environ if environ is None else environ
    settings = {
        name: environ[variable]
        for variable, name in ENVIRONMENT.items()
        if environ.get(variable)
    }
    found = plugin()
    if settings and found is not None:
        configure(found, settings)
        logger.info("OpenID Connect configured from the environment")
    return bool(settings)


def mfa_asserted(id_token):
    """Does the provider say this login used more than a password? An
    ``acr`` among the registry's values, or an ``amr`` method among the
    registry's (by default ``mfa`` and the RFC 8176 methods of possession
    and inherence)."""
    accepted = api.portal.get_registry_record(
        "ern.cpms.oidc_mfa_acr_values", default=EU_LOGIN_MFA_ACR
    )
    if id_token.get("acr") in set(accepted or ()):
        return True
    amr = id_token.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    methods = api.portal.get_registry_record(
        "ern.cpms.oidc_mfa_amr_values", default=None
    )
    if methods is None:
        methods = ("mfa", *POSSESSION_AND_INHERENCE)
    return bool(set(amr) & set(methods))


# -- the flow's state, signed ----------------------------------------------


def _key():
    return hashlib.sha256(
        b"ern.cpms oidc session\x1f" + site_secret(api.portal.get())
    ).digest()


def _sign(payload):
    return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()


class SignedSession:
    """pas.plugins.oidc's Session (same methods), kept in a signed cookie."""

    session_cookie_name = SESSION_COOKIE

    def __init__(self, request, use_session_data_manager=False):
        self.request = request
        self._session = self._load(request.cookies.get(self.session_cookie_name))

    @staticmethod
    def _load(value):
        payload, _dot, signature = (value or "").partition(".")
        if not payload or not hmac.compare_digest(
            _sign(payload).encode(), signature.encode()
        ):
            return {}
        try:
            data = json.loads(base64.urlsafe_b64decode(payload.encode()))
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        if data.get("iat", 0) + SESSION_MAX_AGE < second_factor.now():
            return {}
        return data

    def set(self, name, value):
        if name == "state":
            # A new login starts: nothing of an earlier one carries over.
            self._session = {}
        if self._session.get(name) == value:
            return
        self._session[name] = value
        self._session.setdefault("iat", int(second_factor.now()))
        payload = base64.urlsafe_b64encode(json.dumps(self._session).encode()).decode()
        self.request.response.setCookie(
            self.session_cookie_name,
            f"{payload}.{_sign(payload)}",
            path="/",
            max_age=SESSION_MAX_AGE,
            http_only=True,
            same_site="Lax",
            secure=self.request.get("SERVER_URL", "").startswith("https:"),
        )

    def get(self, name):
        return self._session.get(name)

    def forget(self):
        self._session = {}
        self.request.response.expireCookie(self.session_cookie_name, path="/")


def authorization_flow_args(found, session):
    """The plugin's arguments, asking the provider for the levels of
    assurance that count as a second factor."""
    from pas.plugins.oidc import utils

    args = utils._old_authorization_flow_args(found, session)
    accepted = api.portal.get_registry_record(
        "ern.cpms.oidc_mfa_acr_values", default=EU_LOGIN_MFA_ACR
    )
    if accepted:
        args["acr_values"] = " ".join(accepted)
    return args


# -- the callback ----------------------------------------------------------


UNREACHABLE = _("The login service could not be reached. Try again.")
REFUSED = _("The login service refused the login. Log in again.")
NOT_THIS_LOGIN = _("The login service's answer was not for this login.")


class LoginRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def callback(view):
    """Replaces pas.plugins.oidc's CallbackView.__call__ (see the module's
    docstring)."""
    request = view.request
    session = SignedSession(request)
    came_from = session.get("came_from") or request.form.get("came_from")
    try:
        userid, mfa = _complete_login(view.context, request, session)
    except LoginRefused as refusal:
        session.forget()
        request.response.setStatus(400)
        request.response.setHeader("Cache-Control", "no-store")
        return _refusal_page(view, refusal.message)
    session.forget()
    came_from = same_site_url(came_from, api.portal.get())
    if mfa:
        ticket = _issued_ticket(request)
        second_factor.remember(request, userid, "oidc", ticket=ticket)
    request.response.setHeader("Cache-Control", "no-store")
    request.response.redirect(came_from)
    return ""


def _issued_ticket(request):
    name = second_factor.session_cookie_name()
    cookie = request.response.cookies.get(name) or {}
    return cookie.get("value")


def _complete_login(found, request, session):
    expected_state = session.get("state")
    state = request.form.get("state")
    if not expected_state or not isinstance(state, str):
        raise LoginRefused(
            _(
                "This login answer does not belong to a login started in this"
                " browser, or it was used already. Log in again."
            )
        )
    if not hmac.compare_digest(state.encode(), str(expected_state).encode()):
        raise LoginRefused(
            _("This login answer is not the one this browser waits for. Log in again.")
        )
    try:
        client = found.get_oauth2_client()
        answer = client.parse_response(
            message.AuthorizationResponse,
            info=request.environ.get("QUERY_STRING", ""),
            sformat="urlencoded",
        )
    except Exception as error:
        logger.warning("OpenID Connect: unreadable answer: %s", error)
        raise LoginRefused(UNREACHABLE) from error
    if isinstance(answer, ErrorResponse) or "code" not in answer:
        raise LoginRefused(REFUSED)
    args = {"code": answer["code"], "redirect_uri": found.get_redirect_uris()}
    if found.getProperty("use_pkce"):
        args["code_verifier"] = session.get("verifier")
    try:
        tokens = client.do_access_token_request(
            state=state, request_args=args, authn_method="client_secret_basic"
        )
    except Exception as error:
        logger.warning("OpenID Connect: token request failed: %s", error)
        raise LoginRefused(REFUSED) from error
    if not isinstance(tokens, message.AccessTokenResponse) or "id_token" not in tokens:
        raise LoginRefused(REFUSED)
    id_token = tokens["id_token"]
    nonce = str(id_token.get("nonce", "")).encode()
    if not hmac.compare_digest(nonce, str(session.get("nonce") or "").encode()):
        raise LoginRefused(NOT_THIS_LOGIN)
    userinfo = id_token.to_dict()
    if client.userinfo_endpoint:
        try:
            info = client.do_user_info_request(state=state)
        except Exception as error:
            logger.warning("OpenID Connect: user info failed: %s", error)
            raise LoginRefused(REFUSED) from error
        subject = info.get("sub") if isinstance(info, message.OpenIDSchema) else None
        if subject != id_token["sub"]:
            raise LoginRefused(NOT_THIS_LOGIN)
        userinfo = {**info.to_dict(), "sub": id_token["sub"]}
    subject = userinfo["sub"]
    made_here = _oidc_users()
    if subject not in made_here and api.user.get(userid=subject) is not None:
        logger.warning("OpenID Connect: subject %r is a local account", subject)
        raise LoginRefused(NOT_THIS_LOGIN)
    try:
        found.rememberIdentity(userinfo)
    except AssertionError as error:  # the plugin's allowed_groups refused
        raise LoginRefused(REFUSED) from error
    if subject not in made_here:
        made_here.insert(subject)
    return subject, mfa_asserted(id_token)


def _oidc_users():
    annotations = IAnnotations(api.portal.get())
    if OIDC_USERS not in annotations:
        annotations[OIDC_USERS] = OOTreeSet()
    return annotations[OIDC_USERS]


def _refusal_page(view, text):
    from zope.component import getMultiAdapter

    page = getMultiAdapter((api.portal.get(), view.request), name="oidc-refused")
    page.message = text
    return page()
