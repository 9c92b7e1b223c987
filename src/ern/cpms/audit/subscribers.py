"""Changes, sharing, group membership and logins, as audit entries.

Each handler queues its entry for the current transaction (record_change):
written when it commits, never when it aborts.
"""

from ern.cpms.audit import record_change
from plone.app.workflow.interfaces import ILocalrolesModifiedEvent
from zope.lifecycleevent.interfaces import IObjectRemovedEvent


def created(obj, event):
    if event.oldParent is None:
        record_change("create", obj, obj.portal_type)


def removed(obj, event):
    if IObjectRemovedEvent.providedBy(event) and event.newParent is None:
        record_change("delete", obj, obj.portal_type)


def modified(obj, event):
    if ILocalrolesModifiedEvent.providedBy(event):
        record_change("sharing", obj, _local_roles(obj))
        return
    fields = sorted(
        {
            name.split(".")[-1]
            for description in getattr(event, "descriptions", ()) or ()
            for name in getattr(description, "attributes", ()) or ()
        }
    )
    record_change("edit", obj, ", ".join(fields))


def transitioned(obj, event):
    if event.transition is None:  # the initial state, at creation
        return
    record_change(
        "transition",
        obj,
        f"{event.transition.id}: {event.old_state.id} → {event.new_state.id}",
    )


def _local_roles(obj):
    """Who holds which local role now: principal ids, never a patient."""
    return "; ".join(
        f"{principal}={','.join(sorted(roles))}"
        for principal, roles in sorted(obj.get_local_roles())
    )


# Users


def added_to_group(event):
    record_change("group_add", detail=f"{event.principal} → {event.group_id}")


def removed_from_group(event):
    record_change("group_remove", detail=f"{event.principal} ✕ {event.group_id}")


def logged_in(event):
    record_change("login", userid=event.principal.getId(), once=True)


def logged_out(event):
    record_change("logout", userid=event.principal.getId())
