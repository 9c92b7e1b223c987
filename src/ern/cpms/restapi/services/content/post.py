"""POST to a folder (plone.restapi's content creation), where a refused
add-event rule (refusals.py: a second pending access request, a second
ERN of a network, a file that names the patient…) answers 400 naming its
field, like the named services, instead of a bare message."""

from ern.cpms.refusals import field_error_of
from ern.cpms.restapi.services import refused
from plone.restapi.services.content.add import FolderPost
from zExceptions import BadRequest


class FieldNamingFolderPost(FolderPost):
    def reply(self):
        try:
            return super().reply()
        except BadRequest as exception:
            if field_error_of(exception) is None:
                raise
            return refused(self.request, exception)
