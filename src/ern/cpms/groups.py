"""The groups through which people hold their roles on centres and ERNs.

A role is never granted to a person directly on a centre or an ERN: each
centre and each ERN gets its groups when it is created, and the groups hold
the local roles. Adding a user to a group is then all it takes to make them
a health professional of a centre, or a coordinator or editor of an ERN, and
the Sharing tab and ``@sharing`` show who holds what.
"""

from ern.cpms import _
from plone import api


# (suffix of the group id, local role, title of the group)
CENTRE_GROUPS = (
    ("health-professionals", "HealthProfessional", _("${name}: health professionals")),
)
ERN_GROUPS = (
    ("coordinators", "ERNCoordinator", _("${name}: coordinators")),
    ("editors", "ERNEditor", _("${name}: editors")),
    # Experts from institutions outside the ERN, approved for a time
    # (access_requests.py): invitable to the ERN's panels, no role on it.
    ("guest-experts", None, _("${name}: guest experts")),
)


def group_id(context, suffix):
    """The id of one of the groups of a centre or an ERN.

    Ids are fixed once people are in the group and kept on the object, so
    renaming or moving a centre does not orphan its group.
    """
    stored = getattr(context, "_cpms_group_ids", {})
    return stored.get(suffix) or f"{context.getId()}-{suffix}"


HEALTH_PROFESSIONALS = "health-professionals"


def centres_of_groups(groupids):
    """The centres (objects, by title) whose health professionals' group is
    among `groupids` (a user's groups).

    A centre's group is named after the centre's id, so each is found in
    /centres directly; only a group whose centre was renamed after people
    joined it (group_id keeps the first name) sends us through every centre.
    """
    suffix = f"-{HEALTH_PROFESSIONALS}"
    wanted = {gid for gid in groupids if gid.endswith(suffix)}
    folder = api.portal.get().get("centres")
    found = {}
    for gid in list(wanted):
        centre = folder.get(gid[: -len(suffix)]) if folder is not None else None
        if centre is not None and group_id(centre, HEALTH_PROFESSIONALS) == gid:
            found[gid] = centre
            wanted.discard(gid)
    if wanted:
        catalog = api.portal.get_tool("portal_catalog")
        for brain in catalog.unrestrictedSearchResults(portal_type="Centre"):
            centre = brain._unrestrictedGetObject()
            if group_id(centre, HEALTH_PROFESSIONALS) in wanted:
                found[group_id(centre, HEALTH_PROFESSIONALS)] = centre
    return sorted(found.values(), key=lambda centre: centre.Title().lower())


def _is_empty(groupname):
    return not api.user.get_users(groupname=groupname)


def _ensure_groups(context, definitions):
    stored = dict(getattr(context, "_cpms_group_ids", {}))
    for suffix, role, title in definitions:
        wanted = f"{context.getId()}-{suffix}"
        current = stored.get(suffix)
        if current and current != wanted and api.group.get(groupname=current):
            if not _is_empty(current):
                continue
            # Still empty: the object got its final id after it was added
            # (plone.api and the REST API add under a temporary id first).
            api.group.delete(groupname=current)
            context.manage_delLocalRoles([current])
        if api.group.get(groupname=wanted) is None:
            api.group.create(
                groupname=wanted,
                title=api.portal.translate(_(title, mapping={"name": context.Title()})),
            )
        if role is not None:
            api.group.grant_roles(groupname=wanted, roles=[role], obj=context)
        stored[suffix] = wanted
    context._cpms_group_ids = stored


def _is_added_or_renamed(event):
    return event.newParent is not None


def ensure_centre_groups(centre, event):
    """Create the groups of an added centre and grant them their local roles."""
    if _is_added_or_renamed(event):
        _ensure_groups(centre, CENTRE_GROUPS)


def ensure_ern_groups(ern, event):
    """Create the groups of an added ERN and grant them their local roles."""
    if _is_added_or_renamed(event):
        _ensure_groups(ern, ERN_GROUPS)


def forget_groups_of_original(copy, event):
    """A copy of a centre or an ERN gets groups of its own, not the original's."""
    if "_cpms_group_ids" in copy.__dict__:
        del copy._cpms_group_ids
