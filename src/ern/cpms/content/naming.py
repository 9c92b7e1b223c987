"""Ids made by the code for the things inside a panel: never from what a
person typed (it could name the patient)."""

from plone import api
from plone.base.interfaces import INameFromTitle
from zope.component import adapter
from zope.interface import implementer


def fixed_name(interface, name):
    """An INameFromTitle adapter for `interface` that always proposes
    `name` (Plone's chooser then adds ``-1``, ``-2``…)."""

    @implementer(INameFromTitle)
    @adapter(interface)
    class FixedName:
        title = name

        def __init__(self, context):
            self.context = context

    return FixedName


def author_name(interface, prefix):
    """An INameFromTitle adapter proposing ``<prefix>-<current user id>``."""

    @implementer(INameFromTitle)
    @adapter(interface)
    class AuthorName:
        def __init__(self, context):
            self.context = context

        @property
        def title(self):
            return f"{prefix}-{api.user.get_current().getId()}"

    return AuthorName
