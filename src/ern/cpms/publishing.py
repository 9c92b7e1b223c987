"""ERN publishing: webinars, manuals and documents in each ERN's resources.

ERN editors (a local role on the ERN, through its editors group) write
drafts; ``cpms_publication_workflow`` publishes them to the ERN's members or
to everyone. Inside an ERN, Plone's own pages, files, images, links and
folders follow that workflow too, through the placeful workflow policy
``ern_resources`` that every ERN carries (Products.CMFPlacefulWorkflow,
Plone's own mechanism for a workflow by place).

"The ERN's members" are the health professionals of its member centres:
nobody is added to a group for it. A local-role provider (borg.localrole)
gives the role ``ERNMember`` on the ERN to the health-professional group of
every member centre, so Plone's security and the catalog's
``allowedRolesAndUsers`` see them as any other local role.
"""

from Acquisition import aq_base
from borg.localrole.interfaces import ILocalRoleProvider
from DateTime import DateTime
from ern.cpms import _
from ern.cpms.content.ern import IERN
from ern.cpms.groups import group_id
from plone import api
from Products.CMFCore.indexing import processQueue
from Products.CMFCore.utils import getToolByName
from zope.annotation.interfaces import IAnnotations
from zope.component import adapter
from zope.container.interfaces import IContainerModifiedEvent
from zope.globalrequest import getRequest
from zope.interface import implementer
from zope.lifecycleevent.interfaces import IObjectModifiedEvent


POLICY = "ern_resources"
RESOURCES = "resources"
MEMBER_ROLE = "ERNMember"


CACHE = "ern.cpms.member_groups"


def _computed_member_groups(ern):
    catalog = getToolByName(ern, "portal_catalog")
    return frozenset(
        group_id(brain._unrestrictedGetObject(), "health-professionals")
        for brain in catalog.unrestrictedSearchResults(
            portal_type="Centre", ern_memberships=ern.code
        )
    )


def member_groups(ern):
    """The health-professional groups of the ERN's member centres.

    Asked at every security check on the ERN's content, so kept for the
    request (never longer: nothing of one transaction, committed or not,
    leaks into another); a change of memberships forgets it."""
    request = getRequest()
    if request is None:
        return _computed_member_groups(ern)
    cache = IAnnotations(request).setdefault(CACHE, {})
    key = "/".join(ern.getPhysicalPath())
    if key not in cache:
        cache[key] = _computed_member_groups(ern)
    return cache[key]


@implementer(ILocalRoleProvider)
@adapter(IERN)
class ERNMembers:
    """``ERNMember`` on the ERN for its member centres' professionals."""

    def __init__(self, context):
        self.context = context

    def getRoles(self, principal_id):
        if principal_id in member_groups(self.context):
            return (MEMBER_ROLE,)
        return ()

    def getAllRoles(self):
        for group in member_groups(self.context):
            yield group, (MEMBER_ROLE,)


def set_up_resources(ern, event=None):
    """Give a new ERN its workflow policy and its public resources folder
    (whoever adds the ERN: this is the system's doing, not theirs)."""
    with api.env.adopt_roles(["Manager"]):
        if getattr(aq_base(ern), ".wf_policy_config", None) is None:
            product = ern.manage_addProduct["CMFPlacefulWorkflow"]
            product.manage_addWorkflowPolicyConfig()
        tool = getToolByName(ern, "portal_placeful_workflow")
        tool.getWorkflowPolicyConfig(ern).setPolicyBelow(POLICY)
        if RESOURCES in ern.objectIds():
            return
        folder = api.content.create(
            container=ern,
            type="Folder",
            id=RESOURCES,
            title=api.portal.translate(_("Resources")),
            description=api.portal.translate(
                _("Webinars, manuals and documents of the network.")
            ),
        )
        api.content.transition(obj=folder, transition="publish")


def membership_changed(centre, event=None):
    """A centre joined or left ERNs: who may read what the ERNs publish for
    their members changed with it (the catalog's security index follows).

    Not when a patient is added to or removed from the centre (a
    ContainerModifiedEvent is an ObjectModifiedEvent too): that changes no
    membership, and reindexing every ERN's security at each enrolment made
    enrolment cost grow with the ERNs' content.
    """
    if IContainerModifiedEvent.providedBy(event) or not _memberships_in(event):
        return
    # The centre's own indexing first: member_groups() asks the catalog.
    processQueue()
    request = getRequest()
    if request is not None:
        IAnnotations(request).pop(CACHE, None)
    catalog = getToolByName(centre, "portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="ERN"):
        brain._unrestrictedGetObject().reindexObjectSecurity()


def _memberships_in(event):
    """Whether a modified event may concern the centre's ERN memberships:
    always when it does not say which fields changed."""
    if not IObjectModifiedEvent.providedBy(event) or not event.descriptions:
        return True
    names = set()
    for description in event.descriptions:
        names.update(getattr(description, "attributes", ()) or ())
    if not names:
        return True
    return any(name.split(".")[-1] == "ern_memberships" for name in names)


def webinars(ern, upcoming=True, limit=None):
    """Catalog brains of the ERN's webinars the user may see: upcoming ones
    soonest first, or past ones latest first."""
    now = DateTime()
    query = {
        "portal_type": "Webinar",
        "path": "/".join(ern.getPhysicalPath()),
        "sort_on": "start",
    }
    if upcoming:
        query["end"] = {"query": now, "range": "min"}
    else:
        query["end"] = {"query": now, "range": "max"}
        query["sort_order"] = "descending"
    if limit:
        query["sort_limit"] = limit
    results = api.content.find(**query)
    return results[:limit] if limit else results
