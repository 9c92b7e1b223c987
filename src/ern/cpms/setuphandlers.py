"""Install and uninstall handlers of the ern.cpms profiles."""

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
)


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


def post_install(context):
    """Run after the default profile: the fixed folders and the secret."""
    portal = api.portal.get()
    ensure_root_folders(portal)
    site_secret(portal, create=True)


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
