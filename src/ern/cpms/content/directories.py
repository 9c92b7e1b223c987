"""The fixed folders of a CPMS site: the ERNs, the centres, the access
requests."""

from plone.dexterity.content import Container
from zope.interface import implementer
from zope.interface import Interface


class IERNDirectory(Interface):
    """The folder that holds every ERN of the site (``/erns``)."""


class ICentreDirectory(Interface):
    """The folder that holds every healthcare provider of the site (``/centres``)."""


@implementer(IERNDirectory)
class ERNDirectory(Container):
    """The ERN directory."""


@implementer(ICentreDirectory)
class CentreDirectory(Container):
    """The centre directory.

    Unordered: about 1,500 centres are added concurrently by coordinators, and
    an ordered folder keeps one shared list that makes such writers conflict.
    """

    _ordering = "unordered"


class IAccessRequestDirectory(Interface):
    """The folder of the access requests (``/access-requests``)."""


@implementer(IAccessRequestDirectory)
class AccessRequestDirectory(Container):
    """The access requests. Unordered: people ask concurrently."""

    _ordering = "unordered"
