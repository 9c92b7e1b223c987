"""Upgrade steps of the default profile, one module per destination version."""

from ern.cpms import PROFILE_ID
from plone import api


def reimport(*steps):
    """Run import steps of the default profile again (e.g. "typeinfo")."""
    setup = api.portal.get_tool("portal_setup")
    for step in steps:
        setup.runImportStepFromProfile(f"profile-{PROFILE_ID}", step)
