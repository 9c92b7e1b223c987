"""1003 → 1004: panels."""

from ern.cpms.upgrades import reimport
from plone import api


def add_panels(context):
    """Install the Panel type, its workflow and permissions.

    The patient workflow now manages "Add Panel", so existing patients get
    their permissions recomputed.
    """
    reimport("typeinfo", "workflow", "rolemap", "plone.app.registry")
    api.portal.get_tool("portal_workflow").updateRoleMappings()
