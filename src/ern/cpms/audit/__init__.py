"""The audit trail (invariant 5): who saw, downloaded or changed what.

Every entry holds the time (UTC), the user id, the action, the object's UID,
the patient's pseudonym and centre where there is a patient — never a name —,
the client's address and the request's id. Entries go to an append-only,
hash-chained store outside the ZODB (store.py).

- Reads (``record_read``) are written at once, before the page or JSON that
  shows the data is returned: recorded even if the request fails later,
  and refused (an error, nothing shown) when they cannot be recorded. A
  request retried after a ConflictError keeps its request id, and an entry
  is stored once per request, action and object: no duplicates.
- Changes (``record_change``) wait for their transaction: written by an
  after-commit hook when it commits, never when it aborts — a conflict
  retry records its changes once, with the retry that commits.
"""

from Acquisition import aq_chain
from Acquisition import aq_inner
from App.config import getConfiguration
from ern.cpms.audit.store import SQLiteStore
from ern.cpms.audit.store import stamp
from ern.cpms.caching import never_keep
from pathlib import Path
from plone import api
from zope.globalrequest import getRequest

import logging
import os
import threading
import transaction
import uuid


logger = logging.getLogger("ern.cpms.audit")

ENVIRONMENT = "CPMS_AUDIT_DB"
_stores = {}
_lock = threading.Lock()


def audit_path():
    """Where the audit trail is: $CPMS_AUDIT_DB, else ``audit/audit.sqlite``
    in the instance's client home (var/, beside the ZODB's files)."""
    configured = os.environ.get(ENVIRONMENT)
    if configured:
        return Path(configured)
    home = getattr(getConfiguration(), "clienthome", None) or "var"
    return Path(home) / "audit" / "audit.sqlite"


def store():
    path = str(audit_path())
    with _lock:
        if path not in _stores:
            _stores[path] = SQLiteStore(path)
        return _stores[path]


# What an entry says


def request_id(request=None):
    """The request's id: made once and kept in the WSGI environment that a
    retried request is made from, so a retry has the same id."""
    request = request if request is not None else getRequest()
    if request is None:
        return ""
    environ = getattr(request, "_orig_env", None)
    if environ is None:
        environ = getattr(request, "environ", {})
    value = environ.get("ern.cpms.request_id")
    if not value:
        value = environ["ern.cpms.request_id"] = uuid.uuid4().hex
    return value


def client_of(request):
    if request is None:
        return ""
    try:
        return request.getClientAddr() or ""
    except Exception:
        return ""


def current_userid():
    try:
        user = api.user.get_current()
    except Exception:
        return ""
    if user is None:
        return ""
    return user.getId() or "Anonymous User"


def where(obj):
    """(uid, pseudonym, centre) of an object: the patient and centre it
    lies in, if any."""
    if obj is None:
        return "", "", ""
    uid = getattr(obj, "UID", None)
    uid = uid() if callable(uid) else ""
    pseudonym, centre = "", ""
    for item in aq_chain(aq_inner(obj)):
        portal_type = getattr(item, "portal_type", None)
        if portal_type == "Patient" and not pseudonym:
            pseudonym = getattr(item, "pseudonym", None) or ""
        elif portal_type == "Centre":
            centre = item.getId()
            break
    return uid or "", pseudonym, centre


def entry(action, obj=None, detail="", userid=None, request=None):
    request = request if request is not None else getRequest()
    uid, pseudonym, centre = where(obj)
    return {
        "userid": current_userid() if userid is None else userid,
        "action": action,
        "uid": uid,
        "pseudonym": pseudonym,
        "centre": centre,
        "client": client_of(request),
        "request_id": request_id(request),
        "detail": str(detail or "")[:500],
    }


def enrolled_since(patient):
    """The patient's creation, as the trail's time text: where a patient's
    own part of the trail begins (a person enrolled again after an erasure
    shares the pseudonym, not the erased record's entries)."""
    return stamp(patient.created().asdatetime())


# Reads: now


def record_read(action, objects, detail=""):
    """Record that the current user reads (or downloads) identifying data
    of `objects`, before it is shown. Raises when the store fails: nothing
    identifying is shown unrecorded."""
    request = getRequest()
    userid = current_userid()  # one reader for every object of the page
    entries = []
    for obj in objects:
        item = entry(action, obj, detail, userid=userid, request=request)
        item["once"] = ":".join(
            (
                item["request_id"] or uuid.uuid4().hex,
                action,
                item["uid"],
                item["detail"],
            )
        )
        entries.append(item)
    if entries:
        store().append(entries)
        # Every read is recorded: no cache may show it again unrecorded.
        if request is not None:
            never_keep(request)


def record_now(action, obj=None, detail="", userid=None):
    """Record an event that no transaction carries (a refused login): at
    once, whatever becomes of the request."""
    store().append([entry(action, obj, detail, userid=userid)])


# Changes: when their transaction commits

_QUEUE = object()  # the key of a transaction's queue of entries


def record_change(action, obj=None, detail="", userid=None, once=False):
    """Queue an entry for the current transaction; it is written if and
    when the transaction commits. With `once`, an entry the transaction
    already holds (same action, user, object, detail) is not queued again
    (pas.plugins.oidc announces a first login twice)."""
    txn = transaction.get()
    try:
        queue = txn.data(_QUEUE)
    except KeyError:
        queue = []
        txn.set_data(_QUEUE, queue)
        txn.addAfterCommitHook(_flush, args=(queue,))
    item = entry(action, obj, detail, userid=userid)
    if once and any(
        all(queued[key] == item[key] for key in ("action", "userid", "uid", "detail"))
        for queued in queue
    ):
        return
    queue.append(item)


def _flush(committed, queue):
    if not committed or not queue:
        return
    try:
        store().append(queue)
    except Exception:
        # The change is committed: say loudly what could not be recorded
        # (no identity is in an entry).
        logger.exception("Audit entries not recorded: %r", queue)
