"""1007 → 1008: identity and access (OpenID Connect, the second factor,
revocable tokens, access requests, the job title)."""

from ern.cpms.groups import _ensure_groups
from ern.cpms.groups import ERN_GROUPS
from ern.cpms.setuphandlers import ensure_root_folders
from ern.cpms.setuphandlers import login_form_first
from ern.cpms.setuphandlers import revocable_tokens
from ern.cpms.upgrades import reimport
from plone import api


OIDC = "pas.plugins.oidc:default"


def add_identity(context):
    """pas.plugins.oidc installed with Plone's login form kept first and
    the settings this project relies on; the second factor's settings;
    plone.restapi's tokens kept by the site so that @logout revokes them;
    the AccessRequest type, its workflow and folder; each ERN's guest
    experts group; the member field "Job title"."""
    setup = api.portal.get_tool("portal_setup")
    if setup.getLastVersionForProfile(OIDC) == "unknown":
        setup.runAllImportStepsFromProfile(f"profile-{OIDC}")
    reimport(
        "plone.app.registry",
        "typeinfo",
        "workflow",
        "rolemap",
        "usersschema",
        "actions",
    )
    portal = api.portal.get()
    login_form_first(portal)
    revocable_tokens(portal)
    ensure_root_folders(portal)
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="ERN"):
        _ensure_groups(brain._unrestrictedGetObject(), ERN_GROUPS)
