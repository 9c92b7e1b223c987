"""1000 → 1001: the ERN and centre directories."""

from ern.cpms import PROFILE_ID
from ern.cpms.setuphandlers import ensure_root_folders
from plone import api


def add_directories(context):
    """Install the ERN and centre types, their indexes, roles and folders."""
    setup = api.portal.get_tool("portal_setup")
    for step in (
        "typeinfo",
        "workflow",
        "catalog",
        "plone.app.registry",
        "rolemap",
        "sharing",
    ):
        setup.runImportStepFromProfile(f"profile-{PROFILE_ID}", step)
    ensure_root_folders(api.portal.get())
