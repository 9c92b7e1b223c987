"""No answer under /centres tells an outsider whether a patient exists.

A patient's address holds its pseudonym. Plone answers an existing object
the user may not see with 401 (after traversal, when it knows the user) and
a missing one with 404 (during traversal): so anyone could learn which
pseudonyms, and which panels of a patient, exist. Here an unknown name
under a centre or a patient becomes a stand-in that Zope's own check
protects exactly like the objects that could be there: whoever may not
see them gets the 401 an existing one gets; whoever may see them (the
patient's centre) gets a 404.

ZPublisher knows the user only after traversal, so the decision cannot be
made while traversing; the stand-in carries the roles and Zope decides, in
the same place and the same way as for a real patient. Only the publisher's
traversal is changed (an IPublishTraverse adapter for pages, plone.rest's
wrapper for the REST API): code that traverses paths itself
(``unrestrictedTraverse``, ``api.content.get``) still sees nothing there.
"""

from AccessControl.PermissionRole import rolesForPermissionOn
from Acquisition import Implicit
from ern.cpms.content.centre import ICentre
from ern.cpms.content.patient import IPatient
from plone.dexterity.browser.traversal import DexterityPublishTraverse
from plone.rest.traverse import RESTTraverse
from plone.rest.traverse import RESTWrapper
from zExceptions import NotFound
from zope.interface import implementer
from zope.publisher.interfaces.browser import IBrowserPublisher


# Who may know the names under a container: those who may list a centre's
# patients, those who may see a patient (and so its panels).
KNOWN_BY = (
    (ICentre, "ern.cpms: Add Patient"),
    (IPatient, "View"),
)


def permission_of(context):
    for interface, permission in KNOWN_BY:
        if interface.providedBy(context):
            return permission
    return None


@implementer(IBrowserPublisher)
class Unknown(Implicit):
    """Nothing by this name; protected like what could be here."""

    def __init__(self, name, roles):
        self.id = name
        self.__roles__ = roles

    def getId(self):
        return self.id

    def publishTraverse(self, request, name):
        return self

    def browserDefault(self, request):
        return self, ()

    def __call__(self, *args, **kwargs):
        raise NotFound(self.id)


def unknown(context, name):
    """A stand-in for `name` under `context`, or None where Plone's own
    answer stands (anywhere but under a centre or a patient)."""
    permission = permission_of(context)
    if permission is None or name.startswith(("@", "+")):
        return None
    roles = tuple(rolesForPermissionOn(permission, context))
    return Unknown(name, roles).__of__(context)


class PublishTraverse(DexterityPublishTraverse):
    """Pages: for centres and patients."""

    def publishTraverse(self, request, name):
        try:
            return super().publishTraverse(request, name)
        except (KeyError, AttributeError, NotFound):
            stand_in = unknown(self.context, name)
            if stand_in is None:
                raise
            return stand_in


@implementer(IBrowserPublisher)  # again: the wrapper's __getattr__ would
class GuardedRESTWrapper(RESTWrapper):  # lend it the content's interfaces
    """The REST API: plone.rest traverses content through its wrapper."""

    def publishTraverse(self, request, name):
        try:
            found = super().publishTraverse(request, name)
        except (KeyError, AttributeError, NotFound):
            stand_in = unknown(self.context, name)
            if stand_in is None:
                raise
            return stand_in
        return guarded(found, request)


class GuardedRESTTraverse(RESTTraverse):
    """The site root's REST traversal, handing out the guarded wrapper."""

    def publishTraverse(self, request, name):
        return guarded(super().publishTraverse(request, name), request)


def guarded(found, request):
    if type(found) is RESTWrapper:
        return GuardedRESTWrapper(found.context, request)
    return found
