"""1000 → 1001: the ERN and centre directories."""

from ern.cpms.setuphandlers import ensure_root_folders
from ern.cpms.upgrades import reimport
from plone import api


def add_directories(context):
    """Install the ERN and centre types, their indexes, roles and folders."""
    reimport(
        "typeinfo",
        "workflow",
        "catalog",
        "plone.app.registry",
        "rolemap",
        "sharing",
    )
    ensure_root_folders(api.portal.get())
