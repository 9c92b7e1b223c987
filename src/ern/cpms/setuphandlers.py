"""Install and uninstall handlers of the ern.cpms profiles."""

from BTrees.OOBTree import OOBTree
from ern.cpms import _
from ern.cpms import logger
from ern.cpms.pseudonym import site_secret
from plone import api
from plone.base.interfaces import INonInstallable
from plone.dexterity.utils import createContentInContainer
from zope.interface import implementer


# The types shown in the navigation (patients never are).
DISPLAYED_TYPES = ("ERNDirectory", "ERN", "CentreDirectory", "Centre")

# The folders every CPMS site has: (id, portal_type, title).
ROOT_FOLDERS = (
    ("erns", "ERNDirectory", _("European Reference Networks")),
    ("centres", "CentreDirectory", _("Healthcare providers")),
    ("access-requests", "AccessRequestDirectory", _("Access requests")),
)
# Who may do what in /access-requests (it has no workflow): everyone logged
# in asks there; the listing shows each person what they may see.
ACCESS_REQUESTS_PERMISSIONS = {
    "View": ("Authenticated", "Manager", "Site Administrator"),
    "Access contents information": ("Authenticated", "Manager", "Site Administrator"),
    "Add portal content": ("Authenticated", "Manager", "Site Administrator"),
}
# Plone's tools for building a site, which Plone gives to Owner (and some to
# Editor): in a patient's record the creator of the patient holds Owner on
# everything, and the requester of access holds it on their request. There
# they are the site administrators' only. Before, the owner reached the ZMI
# (its Properties and Ownership tabs change an item outside the forms'
# rules and the audit), URL aliases (an address that may name the patient),
# the display and default page (a comment as the panel's page), sharing and
# addable types; the rest (Undo, workflow policies, iCal import, version
# checkout and revert) are taken with them. An outcome's own workflow gives
# its lead "revert" while it is a draft or in review.
ADMINISTRATORS_ONLY = (
    "Add portal member",
    "Change local roles",
    "CMFEditions: Checkout to location",
    "CMFEditions: Revert to previous versions",
    "CMFPlacefulWorkflow: Manage workflow policies",
    "FTP access",
    "Manage Context Aliases",
    "Manage properties",
    "Modify constrain types",
    "Modify view template",
    "plone.app.event: Import Ical",
    "Request review",
    "Set Group Ownership",
    "Sharing page: Delegate Contributor role",
    "Sharing page: Delegate Editor role",
    "Sharing page: Delegate Reader role",
    "Sharing page: Delegate Reviewer role",
    "Sharing page: Delegate roles",
    "Take ownership",
    "Undo changes",
    "View management screens",
)
ADMINISTRATORS = ("Manager", "Site Administrator")
# Where they are: the patients' records and the access requests.
ADMINISTERED_FOLDERS = ("centres", "access-requests")


@implementer(INonInstallable)
class HiddenProfiles:
    """Profiles that the add-ons control panel must not offer."""

    def getNonInstallableProfiles(self):
        return ["ern.cpms:uninstall", "ern.cpms:demo"]

    def getNonInstallableProducts(self):
        return []


def ensure_root_folders(portal):
    """Create the ERN and centre directories when they are missing."""
    request = getattr(portal, "REQUEST", None)
    for folder_id, portal_type, title in ROOT_FOLDERS:
        if folder_id in portal.objectIds():
            continue
        translated = api.portal.translate(title) if request is not None else title
        # The directories are not addable by people (global_allow is off),
        # so the site root's type constraints are bypassed for them alone.
        createContentInContainer(
            portal,
            portal_type,
            checkConstraints=False,
            id=folder_id,
            title=translated,
        )
        logger.info("Created /%s", folder_id)
    quiet_portlets(portal["centres"])
    requests = portal["access-requests"]
    requests.exclude_from_nav = True
    for permission, roles in ACCESS_REQUESTS_PERMISSIONS.items():
        requests.manage_permission(permission, roles, acquire=False)
    for folder_id in ADMINISTERED_FOLDERS:
        administrators_only(portal[folder_id])


def administrators_only(folder):
    """Plone's site-building permissions (ADMINISTRATORS_ONLY) in `folder`
    and below: kept for the administrators who hold them above it (Plone
    gives the ZMI to Manager only, Undo to Site Administrator too), taken
    from everyone else."""
    from AccessControl.PermissionRole import rolesForPermissionOn

    for permission in ADMINISTRATORS_ONLY:
        above = rolesForPermissionOn(permission, folder.aq_parent) or ()
        roles = [role for role in ADMINISTRATORS if role in above]
        folder.manage_permission(permission, roles, acquire=False)


def quiet_portlets(folder):
    """No portlets inherited from the site in `folder` and below.

    Under /centres the site's navigation portlet would list a centre's
    patients (thousands of pseudonyms) beside every patient and panel page,
    and build that tree at each request (docs/performance.md): the
    clinical pages have their own links (the centre's patient list, "my
    work"), so the columns stay empty there.
    """
    from plone.portlets.constants import CONTEXT_CATEGORY
    from plone.portlets.interfaces import ILocalPortletAssignmentManager
    from plone.portlets.interfaces import IPortletManager
    from zope.component import getMultiAdapter
    from zope.component import queryUtility

    for name in ("plone.leftcolumn", "plone.rightcolumn"):
        manager = queryUtility(IPortletManager, name=name)
        if manager is None:
            continue
        assignments = getMultiAdapter((folder, manager), ILocalPortletAssignmentManager)
        assignments.setBlacklistStatus(CONTEXT_CATEGORY, True)


def post_install(context):
    """Run after the default profile: the fixed folders and the secret."""
    portal = api.portal.get()
    ensure_root_folders(portal)
    site_secret(portal, create=True)
    revocable_tokens(portal)
    login_form_first(portal)


def login_form_first(portal):
    """pas.plugins.oidc puts its challenge first, which would send every
    refused visitor to the provider, configured or not: Plone's login form
    stays the place to log in (it offers the provider when one is set up),
    and the plugin gets the settings this project relies on (oidc.py)."""
    from ern.cpms import oidc
    from Products.PluggableAuthService.interfaces.plugins import IChallengePlugin

    found = getattr(portal.acl_users, oidc.PLUGIN_ID, None)
    if found is None:
        return
    plugins = portal.acl_users.plugins
    if oidc.PLUGIN_ID in plugins.listPluginIds(IChallengePlugin):
        plugins.deactivatePlugin(IChallengePlugin, oidc.PLUGIN_ID)
    oidc.harden(found)


def revocable_tokens(portal):
    """plone.restapi's JSON web tokens are kept by the site, so that
    ``@logout`` (or a site administrator) revokes one before it expires."""
    for plugin in portal.acl_users.objectValues():
        if getattr(plugin, "meta_type", "") == "JWT Authentication Plugin":
            plugin.store_tokens = True
            if getattr(plugin, "_tokens", None) is None:
                plugin._tokens = OOBTree()


def uninstall(context):
    """Run after the uninstall profile.

    Content created with ern.cpms is kept: clinical data is never removed as a
    side effect of uninstalling code. The objects stay in the database and
    come back when the add-on is installed again.
    """
    # registry.xml can add to a list but not take out of it.
    displayed = api.portal.get_registry_record("plone.displayed_types")
    api.portal.set_registry_record(
        "plone.displayed_types",
        tuple(
            portal_type
            for portal_type in displayed
            if portal_type not in DISPLAYED_TYPES
        ),
    )
    logger.info("ern.cpms uninstalled; existing content was kept")
