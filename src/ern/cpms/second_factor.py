"""The second factor: no clinical data on a password alone.

A request proves a second factor in one of three ways:

- a browser session that confirmed a TOTP code (or a recovery code) on
  ``@@second-factor`` after logging in with a password, or that logged in
  through OpenID Connect with a provider asserting multi-factor
  authentication (``acr``/``amr``, oidc.py): both set the signed cookie
  ``__cpms_2f`` below, which names the user and the session's ticket
  (another login, even of the same user, does not inherit it) and expires
  with the session;
- a JSON web token from ``POST @login`` given a valid ``otp`` (the claim
  ``cpms_second_factor``, signed with the token);
- nothing else: HTTP Basic credentials never carry one.

A user authenticated without one is *gated* (``gate``): for this request
their roles shrink to Member and Authenticated, they are in no group and
have no local role, and the catalog searches as if they had none. So every
channel that asks Zope's security (pages, REST, search, vocabularies, PDFs)
refuses clinical data the same way, and what stays open is what a plain
member sees: their profile, the help pages, the access request.

Kept per user in a site annotation (never traversable, indexed or
serialised): the TOTP secret, the hashes of the recovery codes, the last
time step used (a code works once), failed attempts, and a generation that
a reset increments so that every cookie issued before it stops working.
"""

from AccessControl.PermissionRole import _what_not_even_god_should_do
from Acquisition import aq_base
from Acquisition import aq_parent
from BTrees.OOBTree import OOBTree
from ern.cpms import _
from ern.cpms.audit import record_change
from ern.cpms.audit import record_now
from ern.cpms.interfaces import IBrowserLayer
from ern.cpms.pseudonym import site_secret
from persistent.mapping import PersistentMapping
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest

import base64
import copy
import hashlib
import hmac
import json
import pyotp
import secrets
import segno
import time


ANNOTATION = "ern.cpms.second_factor"
COOKIE = "__cpms_2f"
CLAIM = "cpms_second_factor"
STEP = 30
# Codes of the step before and after are accepted (clocks drift).
WINDOW = 1
MAX_FAILURES = 5
# The first lock lasts five minutes; each next one twice as long, up to a
# day, until a code is right again (someone with the password guesses about
# a thousand codes a month instead of a thousand a day).
LOCK_SECONDS = 300
MAX_LOCK_SECONDS = 24 * 60 * 60
RECOVERY_CODES = 10
# The roles a user keeps without a second factor.
KEPT_ROLES = frozenset({"Member", "Authenticated"})
# How long a confirmed second factor lasts in a browser without activity
# limits of its own: the session's (plone.session's timeout) caps it.
DEFAULT_MAX_AGE = 12 * 60 * 60


class SecondFactorRefused(ValueError):
    """A code was refused; the message says why (translatable)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def now():
    """Seconds since the epoch; one place for tests to fix the clock."""
    return time.time()


# -- storage ---------------------------------------------------------------


def _records(create=False):
    annotations = IAnnotations(api.portal.get())
    records = annotations.get(ANNOTATION)
    if records is None and create:
        records = annotations[ANNOTATION] = OOBTree()
    return records


def _record(userid, create=False):
    records = _records(create=create)
    if records is None:
        return None
    record = records.get(userid)
    if record is None and create:
        record = records[userid] = PersistentMapping(
            secret=None,
            pending=None,
            recovery=(),
            last_step=0,
            failures=0,
            locked_until=0,
            generation=0,
            enrolled=None,
        )
    return record


def is_enrolled(userid):
    record = _record(userid)
    return bool(record and record["secret"])


def recovery_codes_left(userid):
    record = _record(userid)
    return len(record["recovery"]) if record else 0


def generation(userid):
    record = _record(userid)
    return record["generation"] if record else 0


# -- TOTP ------------------------------------------------------------------


def start_enrolment(userid):
    """A new secret waiting for its first code (the one in use, if any,
    stays valid until the new one is confirmed)."""
    record = _record(userid, create=True)
    record["pending"] = pyotp.random_base32()
    return record["pending"]


def pending_secret(userid):
    record = _record(userid)
    return record["pending"] if record else None


def provisioning_uri(userid, secret):
    issuer = api.portal.get().Title() or "ERN CPMS"
    return pyotp.TOTP(secret).provisioning_uri(name=userid, issuer_name=issuer)


def qr_code_svg(uri):
    """The otpauth URI as an inline SVG QR code (drawn here, no request
    to any outside service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def _equal(text, other):
    """Constant-time comparison of two strings of any characters."""
    return hmac.compare_digest(str(text).encode(), str(other).encode())


def _is_code(code):
    return code.isascii() and code.isdigit() and len(code) == 6


def _matching_step(secret, code, after_step):
    totp = pyotp.TOTP(secret)
    current = int(now() // STEP)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step > after_step and _equal(totp.at(step * STEP), code):
            return step
    return None


def _normalised(code):
    return "".join(str(code or "").split()).replace("-", "").upper()


def _recovery_hash(userid, code):
    return hashlib.sha256(f"{userid}\x1f{_normalised(code)}".encode()).hexdigest()


def _new_recovery_codes(userid, record):
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes = []
    for _index in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _char in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    record["recovery"] = tuple(_recovery_hash(userid, code) for code in codes)
    return codes


def _check_not_locked(record):
    if record["locked_until"] > now():
        raise SecondFactorRefused(
            _("Too many wrong codes. Wait a while, then try again.")
        )


def _failed(record, message, userid=None):
    # Recorded at once: the refused request's transaction may not commit.
    record_now("second_factor_failed", userid=userid or "")
    record["failures"] += 1
    if record["failures"] >= MAX_FAILURES:
        locks = record.get("locks", 0)
        record["failures"] = 0
        record["locks"] = locks + 1
        record["locked_until"] = now() + min(LOCK_SECONDS * 2**locks, MAX_LOCK_SECONDS)
    raise SecondFactorRefused(message)


def _succeeded(record):
    record["failures"] = 0
    record["locks"] = 0


def confirm_enrolment(userid, code):
    """Confirm the pending secret with a code from the app; return the new
    recovery codes (shown once, kept only as hashes)."""
    record = _record(userid)
    if record is None or not record["pending"]:
        raise SecondFactorRefused(_("Start the set-up again: no code is expected."))
    _check_not_locked(record)
    code = _normalised(code)
    if not _is_code(code):
        raise SecondFactorRefused(_("Enter the 6 digits your app shows."))
    step = _matching_step(record["pending"], code, after_step=0)
    if step is None:
        _failed(record, _("This code is not the one your app shows now."), userid)
    if record["secret"]:
        # A new phone: what the old key proved (other browsers, tokens)
        # stops counting.
        record["generation"] += 1
    record.update(
        secret=record["pending"],
        pending=None,
        last_step=step,
        enrolled=now(),
    )
    _succeeded(record)
    return _new_recovery_codes(userid, record)


def verify(userid, code):
    """Check a TOTP code or a recovery code; return "totp" or "recovery".
    A code is used once: the same TOTP code, or any code of an earlier time
    step, is refused afterwards; a recovery code is struck off."""
    record = _record(userid)
    if record is None or not record["secret"]:
        raise SecondFactorRefused(_("Set up your second factor first."))
    _check_not_locked(record)
    code = _normalised(code)
    if _is_code(code):
        step = _matching_step(record["secret"], code, record["last_step"])
        if step is None:
            _failed(
                record, _("This code is not valid now. Wait for the next one."), userid
            )
        record["last_step"] = step
        _succeeded(record)
        record_change("second_factor", userid=userid, detail="totp")
        return "totp"
    hashed = _recovery_hash(userid, code)
    if len(code) == 10 and hashed in record["recovery"]:
        record["recovery"] = tuple(h for h in record["recovery"] if h != hashed)
        _succeeded(record)
        record_change("second_factor", userid=userid, detail="recovery code")
        return "recovery"
    _failed(record, _("Enter the 6 digits your app shows, or a recovery code."), userid)


def enrol_with_secret(userid, secret):
    """Set a confirmed secret without a code (the demo's accounts, whose
    keys `make start` prints)."""
    record = _record(userid, create=True)
    record.update(secret=secret, pending=None, last_step=0, enrolled=now())


def secret_of(userid):
    """The confirmed secret (for the demo's announcement only)."""
    record = _record(userid)
    return record["secret"] if record else None


def new_recovery_codes(userid):
    record = _record(userid)
    if record is None or not record["secret"]:
        raise SecondFactorRefused(_("Set up your second factor first."))
    return _new_recovery_codes(userid, record)


def reset(userid):
    """Forget a user's second factor (lost phone): every browser that
    confirmed it must confirm again, after a new set-up."""
    record = _record(userid, create=True)
    record.update(
        secret=None,
        pending=None,
        recovery=(),
        failures=0,
        locked_until=0,
        enrolled=None,
    )
    record["generation"] += 1


# -- proof in the request --------------------------------------------------


def _key():
    secret = site_secret(api.portal.get())
    return hashlib.sha256(b"ern.cpms second factor\x1f" + secret).digest()


def _sign(payload):
    return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()


def _max_age():
    session = getattr(api.portal.get_tool("acl_users"), "session", None)
    return int(getattr(session, "timeout", 0) or DEFAULT_MAX_AGE)


def _secure(request):
    return request.get("SERVER_URL", "").startswith("https:")


def session_cookie_name():
    """The name of plone.session's cookie (``__ac`` unless configured)."""
    session = getattr(api.portal.get_tool("acl_users"), "session", None)
    return getattr(session, "cookie_name", "__ac")


def _session_of(ticket):
    """A digest of the session's ticket (plone.session's ``__ac``): the
    proof belongs to this login, not to a later one of the same user."""
    if isinstance(ticket, bytes):  # as plone.session hands it to the response
        ticket = ticket.decode("ascii", "replace")
    return hashlib.sha256((ticket or "").encode()).hexdigest()[:32]


def remember(request, userid, method, ticket=None):
    """Mark this browser's session as having proved a second factor; False
    when there is no session to bind the proof to (HTTP Basic credentials,
    say), and nothing is remembered. `ticket`: the session cookie just
    issued (after an OpenID Connect login), else the one the request came
    with."""
    if ticket is None:
        ticket = request.cookies.get(session_cookie_name())
    if not ticket:
        return False
    payload = base64.urlsafe_b64encode(
        json.dumps(
            {
                "u": userid,
                "t": int(now()),
                "g": generation(userid),
                "m": method,
                "s": _session_of(ticket),
            }
        ).encode()
    ).decode()
    value = f"{payload}.{_sign(payload)}"
    request.response.setCookie(
        COOKIE,
        value,
        path=_cookie_path(),
        http_only=True,
        same_site="Lax",
        secure=_secure(request),
    )
    _cache(request)[userid] = True
    return True


def forget(request):
    request.response.expireCookie(COOKIE, path=_cookie_path())
    _cache(request).clear()


def _cookie_path():
    return "/"


def _cache(request):
    return request.other.setdefault("ern.cpms.second_factor", {})


def _cookie_proves(request, userid):
    value = request.cookies.get(COOKIE) or ""
    payload, _dot, signature = value.partition(".")
    if not (payload and signature):
        return False
    if not _equal(_sign(payload), signature):
        return False
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return False
    ticket = request.cookies.get(session_cookie_name())
    return (
        isinstance(data, dict)
        and bool(ticket)
        and data.get("u") == userid
        and isinstance(data.get("t"), int)
        and data["t"] + _max_age() > now()
        and data.get("g") == generation(userid)
        and data.get("s") == _session_of(ticket)
    )


def _jwt_plugin():
    for plugin in api.portal.get_tool("acl_users").objectValues():
        if getattr(plugin, "meta_type", "") == "JWT Authentication Plugin":
            return plugin
    return None


def _token_proves(request, userid):
    """A token carrying the proof: signed by the site, still kept by it
    (not revoked by @logout), of this generation, and proved less than a
    session's time ago (renewing a token does not renew the proof)."""
    auth = request._auth or ""
    if auth[:7].lower() != "bearer ":
        return False
    token = auth.split()[-1]
    plugin = _jwt_plugin()
    payload = plugin._decode_token(token) if plugin else None
    if not payload or payload.get("sub") != userid or not payload.get(CLAIM):
        return False
    if plugin.store_tokens:
        kept = (plugin._tokens or {}).get(userid)
        if kept is None or token not in kept:
            return False
    proved_at = payload.get("cpms_proved_at")
    return (
        payload.get("cpms_generation", 0) == generation(userid)
        and isinstance(proved_at, int)
        and proved_at + _max_age() > now()
    )


def token_claims(userid, method, proved_at=None):
    """What a JSON web token carries when issued after a second factor;
    `proved_at`: when it was proved (a renewed token keeps the first)."""
    return {
        CLAIM: method,
        "cpms_generation": generation(userid),
        "cpms_proved_at": int(now()) if proved_at is None else proved_at,
    }


def token_proof_time(request):
    """When the request's token proved its second factor, or None."""
    auth = request._auth or ""
    plugin = _jwt_plugin()
    if auth[:7].lower() != "bearer " or plugin is None:
        return None
    payload = plugin._decode_token(auth.split()[-1]) or {}
    return payload.get("cpms_proved_at")


def proved(request, userid):
    """Did this request prove a second factor for this user?"""
    cache = _cache(request)
    if userid not in cache:
        cache[userid] = _token_proves(request, userid) or _cookie_proves(
            request, userid
        )
    return cache[userid]


def gated():
    """Is the current user held to a plain member's roles (no second
    factor, or a guest whose access ended)?"""
    user = api.user.get_current()
    return bool(getattr(aq_base(user.getUser()), "cpms_second_factor_missing", False))


def missing(request=None):
    """Is the current user logged in without a second factor (and not
    merely a guest whose access ended, whom a code would not help)?"""
    return gated() and not _access_ended(api.user.get_current().getId())


def require_proof():
    """For pages and services that list a person's clinical work from
    their user id (my work, my calendar): refuse a gated user as Zope
    refuses any protected page (Plone then asks for the code)."""
    from zExceptions import Unauthorized

    if not api.user.is_anonymous() and gated():
        raise Unauthorized("A second factor is needed")


# -- the gate --------------------------------------------------------------


def _access_ended(userid):
    """A guest whose access expired keeps a plain member's roles only
    (access_requests.py), whatever they prove."""
    from ern.cpms.access_requests import access_ended

    return access_ended(userid)


_GATED_CLASSES = {}


def _gated_class(cls):
    """A subclass of the user's class (PloneUser) whose roles, groups and
    permission checks are those of a user without a second factor."""
    if cls in _GATED_CLASSES:
        return _GATED_CLASSES[cls]

    def getRoles(self):
        return [role for role in cls.getRoles(self) if role in KEPT_ROLES]

    def getGroups(self):
        return []

    def getRolesInContext(self, object):
        return self.getRoles()

    def allowed(self, object, object_roles=None):
        if object_roles is _what_not_even_god_should_do:
            return 0
        if object_roles is None or "Anonymous" in object_roles:
            return 1
        if "Authenticated" in object_roles:
            return 1
        roles = set(self.getRoles())
        if any(role in roles for role in object_roles):
            return 1 if self._check_context(object) else None
        return None

    gated = type(cls)(
        f"{cls.__name__}WithoutSecondFactor",
        (cls,),
        {
            "cpms_second_factor_missing": True,
            "getRoles": getRoles,
            "getGroups": getGroups,
            "getRolesInContext": getRolesInContext,
            "allowed": allowed,
        },
    )
    _GATED_CLASSES[cls] = gated
    return gated


def gate(user_folder, user, request):
    """The user as this request may act: gated unless it proved a second
    factor. Only for Plone sites with ern.cpms (the browser layer is set
    when the site is traversed) and never for the Zope root's users."""
    if user is None or not IBrowserLayer.providedBy(request):
        return user
    if getattr(aq_base(user), "cpms_second_factor_missing", False):
        return user
    userid = user.getId()
    if userid is None:
        return user
    if proved(request, userid) and not _access_ended(userid):
        return user
    plain = aq_base(user)
    gated = copy.copy(plain)
    gated.__class__ = _gated_class(plain.__class__)
    return gated.__of__(aq_parent(user))


# -- events ----------------------------------------------------------------


def on_login(event):
    """A new login proves nothing yet: an earlier confirmation is dropped."""
    request = getRequest()
    if request is not None and IBrowserLayer.providedBy(request):
        if COOKIE in request.cookies:
            request.response.expireCookie(COOKIE, path=_cookie_path())
        _cache(request).clear()


def on_logout(event):
    request = getRequest()
    if request is not None:
        forget(request)


def secure_cookies(event):
    """Served over HTTPS (directly or behind a proxy that says so through
    virtual hosting), every cookie set by this response is Secure."""
    request = event.request
    if not request.get("SERVER_URL", "").startswith("https:"):
        return
    for attributes in request.response.cookies.values():
        attributes["secure"] = True
