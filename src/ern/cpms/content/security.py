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
