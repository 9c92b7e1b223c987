"""No answer under /centres tells an outsider whether a patient exists.

A patient's address holds its pseudonym. Plone answers an existing object
the user may not see with 401 (after traversal, when it knows the user) and
a missing one with 404 (during traversal): so anyone could learn which
pseudonyms — and which panels of a patient — exist, also through what
follows the name (``/<pseudonym>/@@edit``, ``/@x``, ``/_x``, ``++add++``,
a HEAD request, which WebDAV answers with a null resource).

So the decision is made at the centre, for everything below it, before any
of it is traversed: the user is authenticated early (PAS, as ZPublisher
would after traversal), and someone who may not list the centre's patients
(its health professionals may: "Add Patient") is refused — 401, the login
form for pages — for every name under the centre that is a patient or
nothing, unless the path goes on to a panel of that patient they may see
(an invited expert, a member from another centre). An existing and a
missing pseudonym, and an existing and a missing panel, then get the same
answer; the centre gets its 404s.

Only the publisher's traversal changes (an IPublishTraverse adapter for
pages, plone.rest's wrapper for the REST API): code that traverses paths
itself (``unrestrictedTraverse``, ``api.content.get``) is not affected.
"""

from AccessControl import Unauthorized
from AccessControl.PermissionRole import rolesForPermissionOn
from ern.cpms.content.panel import IPanel
from ern.cpms.content.patient import IPatient
from plone import api
from plone.dexterity.browser.traversal import DexterityPublishTraverse
from plone.rest.traverse import RESTTraverse
from plone.rest.traverse import RESTWrapper
from webdav.NullResource import NullResource
from zExceptions import Forbidden
from zExceptions import NotFound
from zope.interface import implementer
from zope.publisher.interfaces.browser import IBrowserPublisher


LIST_PATIENTS = "ern.cpms: Add Patient"
MISSING = (KeyError, AttributeError, NotFound, Forbidden)


def early_user(request):
    """The user the request's credentials authenticate (None: anonymous):
    PAS's own extraction and lookup, as its ``validate`` does after
    traversal (second factor included), without the check against a
    published object, which does not exist yet. Kept on the request."""
    if "ern.cpms.early_user" not in request.other:
        users = api.portal.get_tool("acl_users")
        plugins = users._getOb("plugins")
        user = None
        for user_id, login in users._extractUserIds(request, plugins):
            user = users._findUser(plugins, user_id, login, request=request)
            if user is not None:
                break
        request.other["ern.cpms.early_user"] = user
    return request.other["ern.cpms.early_user"]


def _may(user, permission, obj):
    if user is None:
        return False
    return bool(user.allowed(obj, rolesForPermissionOn(permission, obj)))


def _next_name(request):
    stack = request.get("TraversalRequestNameStack") or []
    return stack[-1] if stack else None


def guard(centre, request, name, found):
    """`found` (what traversing `name` under `centre` gave, or an exception
    for nothing) as the user may learn it: raise Unauthorized where it would
    tell an outsider whether a patient or a panel exists."""
    missing = isinstance(found, BaseException | NullResource)
    patient = not missing and IPatient.providedBy(found)
    if not (missing or patient):
        return found  # the centre's own views and attributes
    user = early_user(request)
    if _may(user, LIST_PATIENTS, centre):
        if missing and isinstance(found, BaseException):
            raise found
        return found
    if patient:
        if _may(user, "View", found):
            return found
        panel = found.get(_next_name(request) or "")
        if panel is not None and IPanel.providedBy(panel) and _may(user, "View", panel):
            return found
    # Zope's own words when it refuses a published object: nothing of the
    # name asked for.
    raise Unauthorized("You are not authorized to access this resource.")


class PublishTraverse(DexterityPublishTraverse):
    """Pages: under a centre."""

    def publishTraverse(self, request, name):
        try:
            found = super().publishTraverse(request, name)
        except MISSING as exception:
            found = exception
        return guard(self.context, request, name, found)


@implementer(IBrowserPublisher)  # again: the wrapper's __getattr__ would
class GuardedRESTWrapper(RESTWrapper):  # lend it the content's interfaces
    """The REST API: plone.rest traverses content through its wrapper."""

    def publishTraverse(self, request, name):
        from ern.cpms.content.centre import ICentre

        try:
            found = super().publishTraverse(request, name)
        except MISSING as exception:
            if not ICentre.providedBy(self.context):
                raise
            found = exception
        if ICentre.providedBy(self.context):
            inner = found.context if isinstance(found, RESTWrapper) else found
            guard(self.context, request, name, inner)
        return wrapped(found, request)


class GuardedRESTTraverse(RESTTraverse):
    """The site root's REST traversal, handing out the guarded wrapper."""

    def publishTraverse(self, request, name):
        return wrapped(super().publishTraverse(request, name), request)


def wrapped(found, request):
    if type(found) is RESTWrapper:
        return GuardedRESTWrapper(found.context, request)
    return found
