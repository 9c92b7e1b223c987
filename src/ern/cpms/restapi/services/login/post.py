"""POST @login with a second factor, @login-renew that keeps it, and
@logout that revokes the token.

Without ``otp`` the token works as plone.restapi's does, for what a user
without a second factor may reach (their profile, the help pages, the
access request). With a valid ``otp`` (a TOTP code or a recovery code) the
token carries the proof, and clinical data opens. A wrong code issues no
token at all.
"""

from ern.cpms import _
from ern.cpms import second_factor
from ern.cpms.audit import record_change
from ern.cpms.restapi.services import json_body_of
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services.auth.login import Login as PloneLogin
from plone.restapi.services.auth.logout import Logout as PloneLogout
from plone.restapi.services.auth.renew import Renew as PloneRenew
from zope.interface import alsoProvides


def _reissue(plugin, old_token, userid, method, proved_at=None):
    if plugin.store_tokens:
        plugin.delete_token(old_token)
    fullname = api.user.get(userid=userid).getProperty("fullname")
    claims = second_factor.token_claims(userid, method, proved_at)
    return plugin.create_token(userid, data={"fullname": fullname, **claims})


class Login(PloneLogin):
    def reply(self):
        data = json_body_of(self.request) or {}
        otp = data.get("otp")
        if otp is not None and not isinstance(otp, str):
            self.request.response.setStatus(400)
            return {
                "error": {
                    "type": "BadRequest",
                    "field": "otp",
                    "message": api.portal.translate(
                        _("The code must be a string of digits.")
                    ),
                }
            }
        result = super().reply()
        token = result.get("token") if isinstance(result, dict) else None
        if not token:
            return result
        plugin = second_factor._jwt_plugin()
        userid = plugin._decode_token(token)["sub"]
        record_change("login", userid=userid, detail="REST")
        if otp is None:
            return {**result, "second_factor": False}
        try:
            method = second_factor.verify(userid, otp)
        except second_factor.SecondFactorRefused as refusal:
            if plugin.store_tokens:
                plugin.delete_token(token)
            # Nor a session: Plone's post-login set its cookie.
            self.request.response.expireCookie(
                second_factor.session_cookie_name(), path="/"
            )
            self.request.response.setStatus(401)
            return {
                "error": {
                    "type": "Invalid second factor",
                    "field": "otp",
                    "message": api.portal.translate(refusal.message),
                }
            }
        return {"token": _reissue(plugin, token, userid, method), "second_factor": True}


class Renew(PloneRenew):
    def reply(self):
        userid = api.user.get_current().getId()
        had_proof = bool(userid) and not second_factor.gated()
        proved_at = second_factor.token_proof_time(self.request)
        result = super().reply()
        token = result.get("token") if isinstance(result, dict) else None
        if not (token and had_proof and isinstance(proved_at, int)):
            return result
        plugin = second_factor._jwt_plugin()
        return {"token": _reissue(plugin, token, userid, "renewed", proved_at)}


class Logout(PloneLogout):
    """plone.restapi's @logout, which revokes the token (the site keeps
    them): forgetting a token is a write that plone.protect would refuse
    on a POST without a form token, and a logout needs none (a bearer
    token cannot be sent by another site)."""

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        if api.user.is_anonymous():
            # Nobody logged in: nothing to end (not a bad request).
            self.request.response.setStatus(401)
            return {
                "error": {
                    "type": "Unauthorized",
                    "message": api.portal.translate(_("You are not logged in.")),
                }
            }
        record_change("logout", detail="REST")
        return super().reply()
