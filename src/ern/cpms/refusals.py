"""Refusals that name a field: one shape for rules, forms and the REST API.

A rule returns FieldError(field, message). Where a refusal must stop an
action deep inside Plone (an add event), ``refusal`` turns it into the
BadRequest that plone.restapi answers with 400; the forms recognise it and
show the message beside its field.
"""

from ern.cpms import _
from plone import api
from zExceptions import BadRequest
from zope.schema import ValidationError

import re
import typing


class FieldError(typing.NamedTuple):
    field: str
    message: str


def refusal(error):
    """A BadRequest carrying a FieldError.

    Plain BadRequest, not a subclass: Zope maps an exception to its HTTP
    status by the class name.
    """
    exception = BadRequest(api.portal.translate(error.message))
    exception.field_error = error
    return exception


def field_error_of(exception):
    """The FieldError a refusal carries, or None for any other exception."""
    return getattr(exception, "field_error", None)


# What XML (and so Plone's HTML filter) cannot hold: control characters
# other than tab and line breaks, lone surrogates, the two non-characters.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class NotText(ValidationError):
    __doc__ = _("The text holds control characters: remove them and send it again.")


def is_text(value):
    """A constraint: the rich text holds nothing Plone's HTML filter would
    fail on (it answered 500 to such a comment; found by schemathesis)."""
    raw = getattr(value, "raw", value)
    if isinstance(raw, str) and NOT_XML.search(raw):
        raise NotText()
    return True
