"""What no one reaches through the web on clinical content.

plone.dexterity's WebDAV/FTP representation (``manage_FTPget``,
``manage_DAVget``) writes out every schema field, guarded by View only: it
never asks the fields' read permissions, so a patient's identity would
reach whoever may view the record without being audited, and a panel's
clinical fields a pending invitee (who may view the summary). Private here:
no one, site administrators included, reads it through the web.
"""

from AccessControl import ClassSecurityInfo
from AccessControl.class_init import InitializeClass


RAW = ("manage_FTPget", "manage_DAVget")


def no_raw_read(cls):
    security = ClassSecurityInfo()
    for name in RAW:
        security.declarePrivate(name)
    security.apply(cls)
    InitializeClass(cls)
    return cls


# The catalog indexes reindexed when an object's security changes (local
# roles, a workflow transition): Plone's own, and the two "my work" asks
# instead of it, each the user and group entries of Plone's for one kind of
# object (content/indexers.py). Set on the records' containers and data
# requests, so that a change on a centre, a patient, a panel or a request
# refreshes what lies below it.
SECURITY_INDEXES = ("allowedRolesAndUsers", "panel_people", "open_request_people")
