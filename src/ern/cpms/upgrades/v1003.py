"""1002 → 1003: patients."""

from ern.cpms.upgrades import reimport


def add_patients(context):
    """Install the Patient type, its workflow, permissions and index."""
    reimport("typeinfo", "workflow", "rolemap", "catalog", "plone.app.registry")
