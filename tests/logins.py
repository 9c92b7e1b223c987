"""Logging in with the second factor, as clients and people do.

Clinical data opens only to a request that proved a second factor
(second_factor.py). The tests' sessions get a JSON web token through the
real ``POST @login`` with a TOTP code computed from the user's key, and the
real-browser tests type the code into ``@@second-factor``. A code works
once (per time step), so each user's steps are counted here.
"""

from ern.cpms import second_factor
from ern.cpms.demo import DEMO_PASSWORD
from zope.component.hooks import setSite

import pyotp
import requests
import time
import transaction


class Logins:
    def __init__(self, portal):
        self.portal = portal
        self.url = portal.absolute_url()
        self.tokens = {}
        self.steps = {}

    def key(self, userid):
        """The user's TOTP key; an account without one gets one (committed)."""
        setSite(self.portal)
        key = second_factor.secret_of(userid)
        if key is None:
            key = pyotp.random_base32()
            second_factor.enrol_with_secret(userid, key)
            transaction.commit()
        return key

    def code(self, userid):
        """A code the site has not seen yet for this user."""
        key = self.key(userid)
        now = int(time.time() // second_factor.STEP)
        step = max(now, self.steps.get(userid, -1) + 1)
        self.steps[userid] = step
        return pyotp.TOTP(key).at(step * second_factor.STEP)

    def token(self, userid, password=DEMO_PASSWORD):
        """A token carrying the second factor; None for wrong credentials."""
        if (userid, password) not in self.tokens:
            response = requests.post(
                f"{self.url}/@login",
                json={"login": userid, "password": password, "otp": self.code(userid)},
                headers={"Accept": "application/json"},
                timeout=30,
            )
            if response.status_code != 200:
                return None
            self.tokens[userid, password] = response.json()["token"]
        return self.tokens[userid, password]

    def authorization(self, userid, password=DEMO_PASSWORD):
        return {"Authorization": f"Bearer {self.token(userid, password)}"}


def json_session(headers=None, auth=None):
    """A requests session that asks for plone.restapi's JSON."""
    session = requests.Session()
    session.headers["Accept"] = "application/json"
    session.headers.update(headers or {})
    session.auth = auth
    return session
