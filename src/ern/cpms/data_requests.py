"""Data requests (asked by members, answered by the patient's centre) and
the checks every attachment passes before it is stored."""

from datetime import date
from datetime import datetime
from datetime import UTC
from ern.cpms import _
from ern.cpms.content.datarequest import ATTACHMENT_KINDS
from ern.cpms.notifications import send
from ern.cpms.panel_content import author_of
from ern.cpms.panel_content import children
from ern.cpms.panel_content import fullname
from ern.cpms.panel_content import panel_of
from ern.cpms.pseudonym import fold
from ern.cpms.refusals import FieldError
from ern.cpms.refusals import refusal
from plone import api

import io
import logging
import pypdf
import re


logger = logging.getLogger("ern.cpms.data_requests")


# Data requests


def open_requests(panel):
    return [
        request
        for request in children(panel, "DataRequest")
        if api.content.get_state(request, default="open") == "open"
    ]


def check_new_request(request, event):
    if event.newParent is None:
        return
    if request.due_date is not None and request.due_date < date.today():
        raise refusal(FieldError("due_date", _("The date needed by is in the past.")))
    requester = api.user.get_current().getId()
    request.title = api.portal.translate(
        _("Data request of ${name}", mapping={"name": fullname(requester)})
    )


def request_added(request, event):
    panel = panel_of(request)
    send(
        "data_request",
        [panel.panel_lead],
        _(
            "${name} asks for more data about the patient.",
            mapping={"name": fullname(api.user.get_current().getId())},
        ),
        panel,
    )


def request_refusal(request, transition):
    """Why the data request may not take `transition` now, or None."""
    if transition == "answer" and not (request.answer or "").strip():
        return _("Write the answer before sending it.")
    return None


def answer_request(request, text):
    """The centre's answer: kept on the request, the requester is told."""
    if not api.user.has_permission("ern.cpms: Answer data request", obj=request):
        raise refusal(
            FieldError("answer", _("Only the patient's centre answers data requests."))
        )
    text = (text or "").strip()
    if not text:
        raise refusal(FieldError("answer", _("Write the answer before sending it.")))
    if api.content.get_state(request) != "open":
        raise refusal(FieldError("answer", _("This data request is not open.")))
    previous = request.answer
    request.answer = text
    try:
        api.content.transition(obj=request, transition="answer")
    except Exception:
        request.answer = previous
        raise
    request.answered_by = api.user.get_current().getId()
    request.answered_on = datetime.now(UTC)
    request.reindexObject()
    panel = panel_of(request)
    send(
        "data_request_answer",
        [author_of(request)],
        _("Your data request has been answered."),
        panel,
    )


# Attachments

# What each kind of attachment may be, by the file's own bytes (never by
# the name or the browser's content type).
KIND_FORMATS = {
    "report": {"pdf"},
    "image": {"png", "jpeg", "tiff"},
    "dicom": {"dicom"},
    "lab": {"pdf", "text"},
}
EXTENSIONS = {
    "pdf": "pdf",
    "png": "png",
    "jpeg": "jpg",
    "tiff": "tif",
    "dicom": "dcm",
    "text": "txt",
}
MAX_SIZE_RECORD = "ern.cpms.attachment_max_megabytes"


def sniff(data):
    """The format of a file from its first bytes, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data[128:132] == b"DICM":
        return "dicom"
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text" if b"\x00" not in data[:65536] else None


def _identity_words(patient):
    """The patient's names and record number, folded, as whole words."""
    words = []
    for value in (
        patient.family_name,
        patient.given_names,
        patient.hospital_record_number,
    ):
        folded = fold(value or "")
        if len(folded) >= 3:
            words.append(folded)
    return words


def _text_of(data, kind):
    if kind == "pdf":
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
            metadata = reader.metadata or {}
            return "\n".join(pages + [str(v) for v in metadata.values()])
        except Exception:  # a damaged PDF is refused below as unreadable
            logger.info("Unreadable PDF attachment", exc_info=True)
            return None
    if kind == "dicom":
        # Patient name (Family^Given) and id are plain text in the header.
        return data[:1_000_000].decode("latin-1").replace("^", " ")
    if kind == "text":
        return data.decode("utf-8", errors="replace")
    return ""


def names_the_patient(text, patient):
    folded = f" {fold(text)} "
    return any(
        re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded)
        for word in _identity_words(patient)
    )


def attachment_error(attachment, patient):
    """Why this attachment may not be stored, or None."""
    blob = attachment.file
    if blob is None:
        return FieldError("file", _("Choose a file."))
    limit = api.portal.get_registry_record(MAX_SIZE_RECORD, default=50)
    if blob.size > limit * 1024 * 1024:
        return FieldError(
            "file",
            _("The file is larger than ${limit} MB.", mapping={"limit": limit}),
        )
    data = blob.data
    found = sniff(data)
    if found not in KIND_FORMATS.get(attachment.kind, set()):
        return FieldError(
            "file",
            _("This file is not of the kind chosen (PDF, image, DICOM or text)."),
        )
    text = _text_of(data, found)
    if text is None:
        return FieldError("file", _("This PDF cannot be read."))
    # Only the patient's centre knows the identity, and only its files are
    # checked for it: told to anyone else, "this file names the patient"
    # would let them test guesses of the name.
    knows = api.user.has_permission("ern.cpms: View patient identity", obj=patient)
    if knows and names_the_patient(text, patient):
        return FieldError(
            "file",
            _(
                "This file names the patient. Share a pseudonymised copy: no "
                "names or hospital record numbers."
            ),
        )
    return None


def check_new_attachment(attachment, event):
    panel = event.newParent
    if panel is None:
        return
    patient = panel_of(panel)
    error = attachment_error(attachment, patient)
    if error is not None:
        raise refusal(error)
    found = sniff(attachment.file.data)
    # The uploaded name may carry the patient's name: it is never kept.
    attachment.file.filename = f"{attachment.kind}.{EXTENSIONS[found]}"
    attachment.title = api.portal.translate(dict(ATTACHMENT_KINDS)[attachment.kind])
