"""Create or reuse a CPMS site in a Zope application; used by `make start`.

Everything here is idempotent: called on an application that already has the
site, it creates nothing, deletes nothing and overwrites nothing; it only runs
the add-on's pending upgrade steps, as Plone's add-ons control panel would.
"""

from AccessControl.SecurityManagement import newSecurityManager
from ern.cpms import demo
from ern.cpms import oidc
from ern.cpms import PROFILE_ID
from plone import api
from plone.distribution.api import site as site_api
from plone.distribution.api.distribution import get as get_distribution
from plone.distribution.utils.validation import validate_answers
from zope.component.hooks import setSite

import dataclasses
import secrets


DISTRIBUTION = "cpms"
ADMIN_USER = "admin"


@dataclasses.dataclass
class SiteReport:
    """What `ensure_site` found and did."""

    site_id: str
    created: bool = False
    upgraded: bool = False
    admin_password: str | None = None  # set by the caller when it created one
    demo_accounts: tuple = ()
    # userid -> the TOTP key of a demo account (second_factor.py)
    demo_keys: dict = dataclasses.field(default_factory=dict)
    # The OpenID Connect issuer set from the environment, if any.
    oidc_issuer: str | None = None


def ensure_admin(app, user=ADMIN_USER):
    """Create the Zope administrator with a generated password if missing.

    Returns the new password, or None when the administrator already exists
    (its password is then never read or changed).
    """
    if app.acl_users.getUserById(user) is not None:
        return None
    password = secrets.token_urlsafe(18)
    app.acl_users._doAddUser(user, password, ["Manager"], [])
    return password


def _answers(site_id, with_demo):
    return {
        "site_id": site_id,
        "title": "ERN Clinical Patient Management System",
        "description": "Virtual consultation panels of the European Reference Networks",
        "default_language": "en",
        "portal_timezone": "Europe/Brussels",
        "setup_content": with_demo,
    }


def ensure_site(app, site_id="cpms", with_demo=True):
    """Make sure `app` holds the CPMS site `site_id`; return a SiteReport.

    The caller commits. A site that exists is reused as it is, with pending
    ern.cpms upgrade steps run.
    """
    report = SiteReport(site_id=site_id)
    newSecurityManager(
        None, app.acl_users.getUserById(ADMIN_USER).__of__(app.acl_users)
    )
    if site_id in app.objectIds():
        site = app[site_id]
        setSite(site)
        setup = api.portal.get_tool("portal_setup")
        if setup.listUpgrades(PROFILE_ID):
            setup.upgradeProfile(PROFILE_ID)
            report.upgraded = True
    else:
        answers = _answers(site_id, with_demo)
        if not validate_answers(
            answers=answers, schema=get_distribution(DISTRIBUTION).schema
        ):
            raise ValueError(f"Invalid site creation answers: {answers}")
        # _create_site rather than create(): create() runs in a transaction
        # of its own, and the caller owns the transaction here.
        site = site_api._create_site(app, DISTRIBUTION, answers)
        setSite(site)
        report.created = True
    report.demo_accounts = tuple(
        account
        for account in demo.ACCOUNTS
        if api.user.get(userid=account.userid) is not None
    )
    # An operator's OpenID Connect settings (CPMS_OIDC_*), if given.
    report.oidc_issuer = (
        oidc.plugin().getProperty("issuer")
        if oidc.configure_from_environment()
        else None
    )
    report.demo_keys = {
        account.userid: demo.ensure_second_factor(account.userid)
        for account in report.demo_accounts
    }
    return report
