"""The named REST services of ern.cpms, one folder per endpoint.

Their names are public API (docs/architecture.md, "REST services"); each
checks the same permission as the page that does the same.
"""

from ern.cpms.refusals import field_error_of
from plone import api
from plone.restapi.deserializer import json_body

import transaction


def bad_request(request, field, message):
    """A 400 whose JSON body names the field and says why (translated)."""
    request.response.setStatus(400)
    return {
        "error": {
            "type": "BadRequest",
            "field": field,
            "message": api.portal.translate(message),
        }
    }


def refused(request, exception):
    """A rule's refusal (refusals.FieldError) as a 400 naming its field;
    whatever was written before it is not kept. Other errors go on up."""
    error = field_error_of(exception)
    if error is None:
        raise exception
    transaction.doom()
    return bad_request(request, error.field, error.message)


def json_body_of(request):
    """The request's JSON object, or None when it is not one."""
    try:
        body = json_body(request)
    except Exception:
        return None
    return body if isinstance(body, dict) else None
