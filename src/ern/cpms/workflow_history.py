"""An object's stored workflow history, read directly.

The workflow tool's own readers ask more than these jobs need: its
``getInfoFor("review_history")`` is guarded by the workflow's variable
roles (the retention job runs as nobody), and finding an object's chain
(CMFPlacefulWorkflow's lookup) costs more than the state it reads, which
a panel page asks of every invitation.
"""

from Acquisition import aq_base


def records(obj, workflow_id):
    """The records `workflow_id` keeps on `obj`, oldest first."""
    history = getattr(aq_base(obj), "workflow_history", None) or {}
    return history.get(workflow_id, ())


def last_record(obj, workflow_id):
    """The last of those records, or None."""
    found = records(obj, workflow_id)
    return found[-1] if found else None
