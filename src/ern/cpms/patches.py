"""Mends of the stack below Plone, applied with collective.monkeypatcher
(patches.zcml), each with why and how it is tested.

Zope's ``HTTPRequest._authUserPW`` decodes ``Authorization: Basic``
credentials without guarding against bad ones: a token that is not base64,
not UTF-8 or has no ``:`` raises (UnicodeDecodeError, binascii.Error,
ValueError) from code that Products.PluggableAuthService and ZPublisher
call outside any error handling, and the site answers 500 before any
add-on code runs (found by schemathesis, tests/test_openapi.py). Malformed
credentials are now no credentials: the request goes on as anonymous and a
protected page answers 401, as for a wrong password.
"""

from Acquisition import aq_base
from Acquisition import aq_inner
from Acquisition import aq_parent
from ZPublisher.utils import basic_auth_decode


def _auth_user_pw(self):
    try:
        return basic_auth_decode(self._auth)
    except ValueError:  # UnicodeDecodeError and binascii.Error are ValueErrors
        return None


# The second factor (second_factor.py): a user that PAS authenticates from
# a request's credentials is gated unless the request proved a second
# factor. Users looked up by id (getUserById: notifications, scripts,
# tests' login()) are not authenticated from a request and stay as they are.


#
# A request's user is looked up twice: early, when traversal under /centres
# decides what an outsider may learn (traversal.early_user), and by PAS's
# own validate afterwards. The second lookup reuses the first (kept on the
# request, which carries the same credentials and second-factor proof).

FOUND = "ern.cpms.found_users"


def _find_user(self, plugins, user_id, name=None, request=None):
    from ern.cpms.second_factor import gate

    if request is None or self._isTop():
        # The Zope root's own users (the emergency administrator of the
        # whole server) are outside any site.
        return self._old__findUser(plugins, user_id, name, request)
    found = request.other.setdefault(FOUND, {})
    key = ("/".join(self.getPhysicalPath()), user_id, name)
    if key not in found:
        user = self._old__findUser(plugins, user_id, name, request)
        found[key] = gate(self, user, request)
    return found[key]


def _list_allowed_roles_and_users(self, user):
    """The catalog's view of a gated user: their kept roles, no
    ``user:<id>`` or group token, so that a local role granted to them
    (an invitation, a panel) finds nothing in search either."""
    if getattr(aq_base(user), "cpms_second_factor_missing", False):
        return [*user.getRoles(), "Anonymous"]
    return self._old__listAllowedRolesAndUsers(user)


# The audit trail (audit/): a refused password, in any channel (the login
# form, REST @login, Basic credentials), is recorded at once. Only the
# site's users are watched: the Zope root's administrators are checked by
# the root's user folder after a site's has answered no.


def _authenticate_credentials(self, credentials):
    result = self._old_authenticateCredentials(credentials)
    login = credentials.get("login")
    if result is None and login and credentials.get("password") is not None:
        pas = aq_parent(aq_inner(self))
        if not pas._isTop() and not _root_user(self, login):
            from ern.cpms.audit import logger
            from ern.cpms.audit import record_now

            # The login tried stands as the user: filtering by user shows
            # the attempts on an account. A trail that cannot be written
            # must not turn a refused login into a 500.
            try:
                record_now("login_failed", userid=str(login)[:64])
            except Exception:
                logger.exception("A refused login could not be recorded")
    return result


def _root_user(plugin, login):
    root_users = getattr(plugin.getPhysicalRoot(), "acl_users", None)
    return root_users is not None and root_users.getUser(login) is not None
