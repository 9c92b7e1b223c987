"""Content creation and editing (plone.restapi's POST to a folder and
PATCH), where a refused rule (refusals.py: a second pending access request,
a second ERN of a network, a file that names the patient…) or a schema
error answers 400 naming its field, like the named services, instead of a
bare message; nothing of the refused request is kept."""

from ern.cpms.refusals import field_error_of
from ern.cpms.restapi.services import refused
from plone.restapi.services.content.add import FolderPost
from plone.restapi.services.content.update import ContentPatch
from zExceptions import BadRequest

import transaction


class FieldNaming:
    def reply(self):
        try:
            return super().reply()
        except BadRequest as exception:
            if field_error_of(exception) is not None:
                return refused(self.request, exception)
            errors = _validation_errors(exception)
            if not errors:
                raise
            # plone.restapi's schema validation: the same shape, the first
            # error named, all of them listed.
            transaction.doom()
            self.request.response.setStatus(400)
            return {
                "error": {
                    "type": "BadRequest",
                    **_named(errors[0]),
                    "errors": [_named(error) for error in errors],
                }
            }


class FieldNamingFolderPost(FieldNaming, FolderPost):
    pass


class FieldNamingContentPatch(FieldNaming, ContentPatch):
    pass


def _named(error):
    return {
        "field": str(error.get("field") or ""),
        "message": str(error.get("message") or ""),
    }


def _validation_errors(exception):
    """The field errors plone.restapi's deserializer raises as a list."""
    errors = exception.args[0] if exception.args else None
    if isinstance(errors, list) and all(isinstance(e, dict) for e in errors):
        return errors
    return None
