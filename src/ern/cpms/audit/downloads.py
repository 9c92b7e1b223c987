"""Downloads of a patient's files (the signed consent form) and of a
panel's attachments, recorded before the file is sent."""

from ern.cpms.audit import record_read
from plone.namedfile.browser import DisplayFile
from plone.namedfile.browser import Download


class AuditedDownload(Download):
    def _getFile(self):
        file = super()._getFile()
        record_read("download", [self.context], detail=self.fieldname)
        return file


class AuditedDisplayFile(DisplayFile):
    def _getFile(self):
        file = super()._getFile()
        record_read("download", [self.context], detail=self.fieldname)
        return file
