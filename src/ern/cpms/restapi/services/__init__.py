"""The named REST services of ern.cpms, one folder per endpoint.

Their names are public API (docs/architecture.md, "REST services"); each
checks the same permission as the page that does the same.
"""

from plone import api


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
