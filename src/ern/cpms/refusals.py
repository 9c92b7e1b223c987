"""Refusals that name a field: one shape for rules, forms and the REST API.

A rule returns FieldError(field, message). Where a refusal must stop an
action deep inside Plone (an add event), ``refusal`` turns it into the
BadRequest that plone.restapi answers with 400; the forms recognise it and
show the message beside its field.
"""

from plone import api
from zExceptions import BadRequest

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
