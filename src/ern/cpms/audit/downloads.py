"""Downloads of a patient's files (the signed consent form) and of a
panel's attachments, recorded before the file is sent."""

from ern.cpms.audit import record_read
from plone.namedfile.browser import DisplayFile
from plone.namedfile.browser import Download
from Products.Five.browser import BrowserView
from zExceptions import NotFound
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


class _Recorded:
    """Records the file's read once plone.namedfile has checked and found it."""

    def _getFile(self):
        file = super()._getFile()
        record_read("download", [self.context], detail=self.fieldname)
        return file


class AuditedDownload(_Recorded, Download):
    pass


class AuditedDisplayFile(_Recorded, DisplayFile):
    pass


@implementer(IPublishTraverse)
class NoScales(BrowserView):
    """``@@images`` on a patient or an attachment: plone.namedfile's image
    scaling would stream their files (an image, but also the consent form
    or a PDF) without going through ``@@download``, unrecorded. Neither has
    images to scale; their files are downloaded, and recorded."""

    def publishTraverse(self, request, name):
        raise NotFound(self, name, request)

    def __call__(self):
        raise NotFound(self, "images", self.request)
