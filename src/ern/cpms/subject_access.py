"""Subject access (GDPR article 15): everything the system holds about one
patient, as a ZIP of JSON files and PDFs, for the patient's own centre.

- ``patient.json``: identity, consents and their history, enrolment, state,
  the pseudonym and the other centres' pseudonymous matches left out (they
  are other centres' records).
- ``panels/<id>/panel.json``: each panel as plone.restapi serialises it for
  the exporting professional (clinical data, questionnaire), with its
  workflow history; ``panels/<id>/items/<id>.json`` for every comment,
  contribution, data request, meeting, invitation and the outcome;
  ``panels/<id>/outcome.pdf`` when the outcome is final; the attachments'
  files under ``panels/<id>/files/``.
- ``audit.json``: every audit entry about the patient (pseudonym).
- ``README.txt``: what the files are.

Built in memory from what the exporting user may read (plone.restapi's
serialisers apply the same permissions as the pages), recorded in the audit
trail as an export.
"""

from datetime import date
from datetime import datetime
from datetime import UTC
from ern.cpms import consents
from ern.cpms.audit import enrolled_since
from ern.cpms.audit import record_read
from ern.cpms.audit import store
from ern.cpms.outcome_pdf import render
from plone import api
from plone.restapi.interfaces import ISerializeToJson
from zope.component import getMultiAdapter

import io
import json
import zipfile


README = """Everything ern.cpms holds about patient {pseudonym}, exported on
{when} (UTC) by {userid}.

patient.json        identity, consents and their history, enrolment
panels/<panel>/     each consultation panel: panel.json (the case, its
                    workflow history), items/ (comments, contributions,
                    data requests, meetings, invitations, the outcome),
                    outcome.pdf when final, files/ (attachments)
audit.json          who read, downloaded or changed what of this patient
"""

IDENTITY = (
    "given_names",
    "family_name",
    "date_of_birth",
    "sex",
    "hospital_record_number",
    "enrolment_date",
    "consent_care",
    "consent_care_date",
    "consent_care_recorded_by",
    "consent_care_form_kept_by_centre",
    "consent_registries",
    "consent_research",
)


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _safe(filename, default):
    """A file name as a ZIP entry's last part: no directories, no '..'."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip(". ")
    return name or default


def _json(data):
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def _serialised(obj, request):
    return getMultiAdapter((obj, request), ISerializeToJson)()


def _history(obj):
    workflow = api.portal.get_tool("portal_workflow")
    try:
        entries = workflow.getInfoFor(obj, "review_history", [])
    except Exception:
        return []
    return [
        {
            "action": entry.get("action"),
            "state": entry.get("review_state"),
            "actor": entry.get("actor"),
            "time": str(entry.get("time")),
            "comments": entry.get("comments", ""),
        }
        for entry in entries
    ]


def export(patient, request):
    """The ZIP's bytes (see the module's description)."""
    userid = api.user.get_current().getId()
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(pseudonym=patient.pseudonym, when=now, userid=userid),
        )
        archive.writestr(
            "patient.json",
            _json(
                {
                    "pseudonym": patient.pseudonym,
                    "centre": patient.__parent__.Title(),
                    "state": api.content.get_state(patient),
                    **{name: _plain(getattr(patient, name, None)) for name in IDENTITY},
                    "consent_history": consents.history(patient),
                    "workflow_history": _history(patient),
                }
            ),
        )
        if patient.consent_care_form is not None:
            form = patient.consent_care_form
            archive.writestr(f"consent/{_safe(form.filename, 'consent')}", form.data)
        for panel in patient.objectValues():
            if panel.portal_type != "Panel":
                continue
            base = f"panels/{panel.getId()}"
            archive.writestr(
                f"{base}/panel.json",
                _json(
                    {
                        **_serialised(panel, request),
                        "workflow_history": _history(panel),
                    }
                ),
            )
            for item in panel.objectValues():
                if not api.user.has_permission("View", obj=item):
                    continue
                archive.writestr(
                    f"{base}/items/{item.getId()}.json",
                    _json(
                        {
                            **_serialised(item, request),
                            "workflow_history": _history(item),
                        }
                    ),
                )
                if item.portal_type == "Attachment" and item.file is not None:
                    name = _safe(item.file.filename, "file")
                    archive.writestr(
                        f"{base}/files/{item.getId()}-{name}", item.file.data
                    )
                if (
                    item.portal_type == "OutcomeDocument"
                    and api.content.get_state(item) == "final"
                ):
                    archive.writestr(f"{base}/outcome.pdf", render(item))
        # This centre's entries: another centre that enrolled the same
        # person shares the pseudonym, not its trail.
        entries, _total = store().entries(
            pseudonym=patient.pseudonym,
            centre=patient.__parent__.getId(),
            since=enrolled_since(patient),
            newest_first=False,
        )
        archive.writestr("audit.json", _json(entries))
    record_read("export", [patient], detail="subject access")
    return buffer.getvalue()
