"""Containers many people add to at once: a centre's patients, a patient's
panels, a panel's comments, contributions and invitations.

Plone reindexes a container whenever an item is added to it or removed
from it (plone.dexterity's ``reindexOnModify`` on the container-modified
event), and that full reindex first sets the container's modification
date. So every enrolment wrote the centre, and every comment the panel,
and their catalog rows: two clinicians enrolling at once, or two experts
commenting at once, changed the same object and the same catalog entries,
and one of them failed with a conflict error after Zope's retries
(tests/test_performance.py). Nothing the container shows in the catalog
changes when an item comes or goes (the counts that do — a patient's
active panels, a panel's contributions — are reindexed by name), so here
that reindex is skipped. Adding, editing and workflow changes of the
container itself reindex it as before.

Two writers that both change such a container — two experts accepting
invitations to one panel at once each gain a local role on it — are
reconciled by ``_p_resolveConflict`` when what they changed can be
merged: local roles of different people, and the modification date (the
later one stays). Any other change of both is a conflict, retried by Zope.
"""

from plone.dexterity.content import Container
from ZODB.POSException import ConflictError


MISSING = object()

# The attributes two concurrent writers may both change.
MERGEABLE = {"__ac_local_roles__", "modification_date"}


def _same(one, other):
    if one is other:
        return True
    if type(one) is not type(other):
        return False
    try:
        return bool(one == other)
    except (TypeError, ValueError):  # references ZODB cannot compare
        return False


def _merged(old, saved, new, key):
    """The three-way merge of one value: whichever side changed it."""
    if _same(old, new):
        return saved
    if _same(old, saved) or _same(saved, new):
        return new
    if key == "modification_date" and MISSING not in (saved, new):
        return max(saved, new)
    raise ConflictError(f"both changed {key}")


def _merged_roles(old, saved, new):
    """Local roles merged person by person."""
    old, saved, new = old or {}, saved or {}, new or {}
    result = {}
    for principal in set(old) | set(saved) | set(new):
        value = _merged(
            old.get(principal, MISSING),
            saved.get(principal, MISSING),
            new.get(principal, MISSING),
            f"the local roles of {principal}",
        )
        if value is not MISSING:
            result[principal] = value
    return result


class BusyContainer(Container):
    """An unordered Dexterity container whose items' arrivals and
    departures leave its own catalog entry alone."""

    # No order kept: a position index would be one more thing every
    # concurrent addition changes.
    _ordering = "unordered"

    def _setObject(self, id, object, *args, **kwargs):
        self._v_cpms_items_changing = True
        try:
            return super()._setObject(id, object, *args, **kwargs)
        finally:
            self._v_cpms_items_changing = False

    def _delObject(self, id, *args, **kwargs):
        self._v_cpms_items_changing = True
        try:
            return super()._delObject(id, *args, **kwargs)
        finally:
            self._v_cpms_items_changing = False

    def _p_resolveConflict(self, old, saved, new):
        if not all(isinstance(state, dict) for state in (old, saved, new)):
            raise ConflictError("unexpected state")
        resolved = dict(saved)
        for key in set(old) | set(saved) | set(new):
            values = (
                old.get(key, MISSING),
                saved.get(key, MISSING),
                new.get(key, MISSING),
            )
            if _same(values[0], values[2]):
                continue  # this writer left it alone
            if key not in MERGEABLE and not _same(values[0], values[1]):
                raise ConflictError(f"both changed {key}")
            if key == "__ac_local_roles__":
                value = _merged_roles(*values)
            else:
                value = _merged(*values, key)
            if value is MISSING:
                resolved.pop(key, None)
            else:
                resolved[key] = value
        return resolved

    def reindexObject(self, idxs=[], *args, **kwargs):  # noqa: B006 - CMF's
        if not idxs and getattr(self, "_v_cpms_items_changing", False):
            return
        super().reindexObject(idxs, *args, **kwargs)
