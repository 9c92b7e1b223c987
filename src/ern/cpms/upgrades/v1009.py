"""1008 → 1009: the audit trail (its role and permission, the consent
history, the action that opens it)."""

from ern.cpms.upgrades import reimport


def add_audit(context):
    """The DataProtectionOfficer role and the permission to read the audit
    trail; the site action to the audit log; the retention period."""
    reimport("rolemap", "actions", "plone.app.registry")
