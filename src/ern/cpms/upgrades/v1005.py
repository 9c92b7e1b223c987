"""1004 → 1005: the clinical part of the panel's consultation form."""

from ern.cpms.upgrades import reimport
from plone import api


def protect_clinical_data(context):
    """Install the permission that guards a panel's clinical information
    and give it out per panel state."""
    reimport("rolemap", "workflow")
    api.portal.get_tool("portal_workflow").updateRoleMappings()
