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
)


def group_id(context, suffix):
    """The id of one of the groups of a centre or an ERN.

    Ids are fixed when the object is created and kept on it, so renaming or
    moving a centre does not orphan its group.
    """
    stored = getattr(context, "_cpms_group_ids", {})
    return stored.get(suffix) or f"{context.getId()}-{suffix}"


def _ensure_groups(context, definitions):
    stored = dict(getattr(context, "_cpms_group_ids", {}))
    for suffix, role, title in definitions:
        groupname = group_id(context, suffix)
        if api.group.get(groupname=groupname) is None:
            api.group.create(
                groupname=groupname,
                title=api.portal.translate(
                    _(title, mapping={"name": context.Title()})
                ),
            )
        api.group.grant_roles(groupname=groupname, roles=[role], obj=context)
        stored[suffix] = groupname
    context._cpms_group_ids = stored


def ensure_centre_groups(centre, event=None):
    """Create the groups of a centre and grant them their local roles."""
    _ensure_groups(centre, CENTRE_GROUPS)


def ensure_ern_groups(ern, event=None):
    """Create the groups of an ERN and grant them their local roles."""
    _ensure_groups(ern, ERN_GROUPS)
