"""Retention: archived panels, and then their patient, are erased when the
retention period is over (registry ``ern.cpms.retention_years``; 15 years
by default, docs/architecture.md says why).

A panel is due when it is archived (or cancelled) and its last transition
there is older than the period. A patient is due when all their panels are
due — the patient goes with the last of them —, or when they withdrew the
consent for care longer ago than the period and none of their panels is
still at work; a patient who never had a panel and kept their consent is
kept (nothing says when their care ended).

Erasing removes the object and everything in it, their versions in
CMFEditions' storage (an outcome document's earlier drafts), their catalog
entries and, with them, their files' references (the blobs' bytes leave
the storage at the next pack: ``make retention ERASE=1 PACK=1``). What is
left is the audit trail, which names the patient by pseudonym only; each
erasure is an entry there.

``make retention`` lists what is due (a dry run); ``make retention
ERASE=1`` erases it (run it daily from cron).
"""

from datetime import datetime
from datetime import timedelta
from datetime import UTC
from ern.cpms.audit import record_change
from ern.cpms.content.panel import PANEL_AT_WORK
from ern.cpms.workflow_history import last_record
from plone import api
from Products.CMFEditions.interfaces.IStorage import StoragePurgeError


ENDED = ("archived", "cancelled")
REGISTRY = "ern.cpms.retention_years"
DEFAULT_YEARS = 15


def now():
    """Patchable in tests."""
    return datetime.now(UTC)


def years():
    value = api.portal.get_registry_record(REGISTRY, default=DEFAULT_YEARS)
    return DEFAULT_YEARS if value is None else int(value)


def _last_entry(obj):
    """The last entry of the object's stored workflow history: read
    directly, since getInfoFor("review_history") is guarded by the
    workflow's variable roles and the retention job runs as nobody."""
    workflows = api.portal.get_tool("portal_workflow")
    (workflow,) = workflows.getWorkflowsFor(obj)
    return last_record(obj, workflow.getId())


def ended_on(panel):
    """When the panel reached archived or cancelled, or None."""
    last = _last_entry(panel)
    if last is None or last.get("review_state") not in ENDED:
        return None
    return last["time"].asdatetime()


def withdrawn_on(patient):
    """When the patient withdrew the consent for care, or None."""
    last = _last_entry(patient)
    if last is None or last.get("review_state") != "consent_withdrawn":
        return None
    return last["time"].asdatetime()


def due(portal, today=None):
    """[(patient, [panels due], patient due?)] in path order.

    A panel archived or cancelled longer ago than the period is due; its
    patient goes with the last of their panels. A patient who withdrew the
    consent for care longer ago than the period is due with all their
    panels, unless one is still at work (its lead decides first)."""
    today = today or now()
    limit = today - timedelta(days=round(365.25 * years()))
    catalog = api.portal.get_tool("portal_catalog")
    found = {}
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state=list(ENDED), sort_on="path"
    ):
        panel = brain._unrestrictedGetObject()
        ended = ended_on(panel)
        if ended is not None and ended < limit:
            found.setdefault(panel.__parent__.getPhysicalPath(), []).append(panel)
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Patient", review_state="consent_withdrawn"
    ):
        patient = brain._unrestrictedGetObject()
        withdrawn = withdrawn_on(patient)
        if withdrawn is None or withdrawn >= limit:
            continue
        panels = [p for p in patient.objectValues() if p.portal_type == "Panel"]
        if any(api.content.get_state(p, default=None) in PANEL_AT_WORK for p in panels):
            continue
        found[patient.getPhysicalPath()] = panels
    result = []
    for path in sorted(found):
        panels = found[path]
        patient = portal.unrestrictedTraverse(path)
        every = [p for p in patient.objectValues() if p.portal_type == "Panel"]
        result.append((patient, panels, len(panels) == len(every)))
    return result


def _purge_versions(obj):
    storage = api.portal.get_tool("portal_historiesstorage")
    handler = api.portal.get_tool("portal_historyidhandler")
    history_id = handler.queryUid(obj)
    if history_id is None or not storage.isRegistered(history_id):
        return 0
    metadata = {"sys_metadata": {"comment": "erased (retention)"}}
    purged = 0
    while len(storage.getHistory(history_id, countPurged=False)):
        try:
            storage.purge(history_id, 0, metadata, countPurged=False)
        except StoragePurgeError:
            break
        purged += 1
    return purged


def _subtree(obj):
    yield obj
    for child in getattr(obj, "objectValues", list)():
        yield from _subtree(child)


def erase(obj):
    """Erase `obj` and everything in it (see the module's description)."""
    # CMFEditions' storage guards its methods (its own subscriber reads the
    # history when an object is removed); retention is the site's own duty,
    # so it acts as the site, whoever runs the command — no person deletes
    # a patient or a panel.
    record_change("erase", obj, obj.portal_type)
    parent = obj.__parent__
    with api.env.adopt_roles(["Manager"]):
        for item in _subtree(obj):
            _purge_versions(item)
        parent._delObject(obj.getId(), suppress_events=False)


def run(portal, apply=False, today=None):
    """What is due, erased when `apply`; returns lines for the log."""
    lines = []
    for patient, panels, whole in due(portal, today):
        pseudonym = patient.pseudonym
        if whole:
            lines.append(
                f"patient {pseudonym} with {len(panels)} panel(s): "
                + ", ".join(p.getId() for p in panels)
            )
            if apply:
                erase(patient)
        else:
            for panel in panels:
                lines.append(f"panel {pseudonym}/{panel.getId()}")
                if apply:
                    erase(panel)
    return lines
