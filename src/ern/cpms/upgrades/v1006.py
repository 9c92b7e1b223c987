"""1005 → 1006: the work inside a panel."""

from ern.cpms.upgrades import reimport
from plone import api


def add_panel_work(context):
    """Install invitations, comments, contributions, data requests,
    attachments and the outcome document: their types, workflows,
    permissions, icons, settings, versioning and diff; and
    collective.easyform, with which ERN coordinators design questionnaires."""
    installer = api.portal.get_tool("portal_setup")
    if installer.getLastVersionForProfile("collective.easyform:default") == "unknown":
        installer.runAllImportStepsFromProfile("profile-collective.easyform:default")
    reimport(
        "typeinfo",
        "workflow",
        "rolemap",
        "plone.app.registry",
        "repositorytool",
        "difftool",
        "actions",
        "usersschema",
    )
    api.portal.get_tool("portal_workflow").updateRoleMappings()
