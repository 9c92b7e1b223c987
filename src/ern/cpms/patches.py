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

from ZPublisher.utils import basic_auth_decode


def _auth_user_pw(self):
    try:
        return basic_auth_decode(self._auth)
    except ValueError:  # UnicodeDecodeError and binascii.Error are ValueErrors
        return None
