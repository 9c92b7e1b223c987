"""Data requests and attachments: asked by members, answered by the centre;
files checked by their bytes, and refused when they name the patient."""

from datetime import date
from datetime import timedelta
from ern.cpms import data_requests
from ern.cpms import invitations
from ern.cpms.refusals import field_error_of
from panels import as_user
from panels import make_panel
from panels import messages
from panels import pdf_saying
from panels import reset_mail
from plone import api
from plone.dexterity.utils import createContentInContainer
from plone.namedfile.file import NamedBlobFile
from zExceptions import BadRequest

import pytest


@pytest.fixture
def panel(portal):
    return make_panel(
        portal,
        ("Jesper", "Vermeulen"),
        hospital_record_number="EMC-449120",
        date_of_birth=date(2016, 5, 5),
        panel_type="treatment",
        reason="Treatment options for a retinal dystrophy.",
        members=["expert.rossi"],
    )


def ask(panel, userid="expert.rossi", **fields):
    values = {"question": "Please share the latest OCT report.", **fields}
    return as_user(
        userid,
        createContentInContainer,
        panel,
        "DataRequest",
        checkConstraints=True,
        **values,
    )


def refusal_of(function, *args, **kwargs):
    with pytest.raises(BadRequest) as info:
        function(*args, **kwargs)
    return field_error_of(info.value)


def test_a_member_asks_and_the_lead_is_told(panel):
    reset_mail()
    request = ask(panel)
    assert api.content.get_state(request) == "open"
    assert request.Title() == "Data request of Marco Rossi"
    assert data_requests.open_requests(panel) == [request]
    (mail,) = messages()
    assert "dr.dekker@example.org" in mail


def test_a_due_date_in_the_past_is_refused(panel):
    error = refusal_of(ask, panel, due_date=date.today() - timedelta(days=1))
    assert error.field == "due_date"
    assert data_requests.open_requests(panel) == []


def test_the_centre_answers_and_the_requester_is_told(panel):
    request = ask(panel)
    reset_mail()
    as_user("dr.dekker", data_requests.answer_request, request, "OCT attached.")
    assert api.content.get_state(request) == "answered"
    assert request.answer == "OCT attached."
    assert request.answered_by == "dr.dekker"
    assert data_requests.open_requests(panel) == []
    (mail,) = messages()
    assert "expert.rossi@example.org" in mail


def test_an_empty_answer_is_refused_and_the_request_stays_open(panel):
    request = ask(panel)
    error = refusal_of(as_user, "dr.dekker", data_requests.answer_request, request, " ")
    assert "Write the answer" in api.portal.translate(error.message)
    assert api.content.get_state(request) == "open"


def test_members_do_not_answer_requests(panel):
    request = ask(panel)
    error = refusal_of(
        as_user, "expert.rossi", data_requests.answer_request, request, "Me?"
    )
    assert "Only the patient's centre" in api.portal.translate(error.message)
    assert api.content.get_state(request) == "open"
    assert request.answer is None


def test_closing_cancels_the_open_requests(panel):
    from ern.cpms.panel_content import freeze

    request = ask(panel)
    freeze(panel)
    assert api.content.get_state(request) == "cancelled"


def test_the_requester_cancels(panel):
    request = ask(panel)
    as_user("expert.rossi", api.content.transition, obj=request, transition="cancel")
    assert api.content.get_state(request) == "cancelled"


def attach(panel, data, kind="report", filename="upload.pdf", userid="dr.dekker"):
    return as_user(
        userid,
        createContentInContainer,
        panel,
        "Attachment",
        checkConstraints=True,
        kind=kind,
        file=NamedBlobFile(data=data, filename=filename),
    )


def test_a_pseudonymised_pdf_is_kept_under_a_neutral_name(panel):
    item = attach(
        panel,
        pdf_saying("OCT: outer retinal atrophy, both eyes."),
        filename="Vermeulen_Jesper_OCT.pdf",
    )
    assert item.file.filename == "report.pdf"
    assert "Vermeulen" not in item.getId()
    assert "Vermeulen" not in item.Title()


@pytest.mark.parametrize(
    "text",
    [
        "Patient: Jesper VERMEULEN, OCT normal.",
        "Record EMC-449120: OCT normal.",
        "Patiënt vermeulen, OCT normal.",
    ],
)
def test_a_file_that_names_the_patient_is_refused(panel, text):
    before = set(panel.objectIds())
    error = refusal_of(attach, panel, pdf_saying(text))
    assert "names the patient" in api.portal.translate(error.message)
    assert set(panel.objectIds()) == before


def test_a_dicom_header_with_the_name_is_refused(panel):
    header = b"\x00" * 128 + b"DICM" + b"\x10\x00\x10\x00PN\x10\x00Vermeulen^Jesper"
    error = refusal_of(attach, panel, header, kind="dicom", filename="x.dcm")
    assert "names the patient" in api.portal.translate(error.message)
    anonymous = b"\x00" * 128 + b"DICM" + b"\x10\x00\x10\x00PN\x08\x00ANON^ANON"
    assert attach(panel, anonymous, kind="dicom").file.filename == "dicom.dcm"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"MZ\x90\x00 an executable", "report"),
        (b"\x89PNG\r\n\x1a\n....", "report"),  # an image is not a PDF report
        (pdf_saying("fine"), "image"),
        (b"\x00\x01\x02binary", "lab"),
    ],
)
def test_files_are_checked_by_their_bytes(panel, data, kind):
    error = refusal_of(attach, panel, data, kind=kind, filename="scan.pdf")
    assert error.field == "file"
    assert "not of the kind chosen" in api.portal.translate(error.message)


def test_the_size_limit_comes_from_the_registry(panel):
    api.portal.set_registry_record("ern.cpms.attachment_max_megabytes", 1)
    error = refusal_of(attach, panel, b"%PDF-" + b"0" * (1024 * 1024 + 1))
    assert "larger than 1 MB" in api.portal.translate(error.message)


def test_a_pending_invitee_cannot_see_attachments(panel):
    item = attach(panel, pdf_saying("Visual fields constricted."))
    as_user("dr.dekker", invitations.invite, panel, ["dr.weber"])
    assert not api.user.get_permissions(username="dr.weber", obj=item)["View"]
    assert api.user.get_permissions(username="expert.rossi", obj=item)["View"]


def test_a_file_once_stored_is_never_changed(panel):
    item = attach(panel, pdf_saying("Visual fields constricted."))
    for userid in ("dr.dekker", "expert.rossi"):
        permissions = api.user.get_permissions(username=userid, obj=item)
        assert not permissions["Modify portal content"], userid


def test_only_the_centre_is_told_a_file_names_the_patient(panel):
    """For anyone else the answer would be an oracle for guessing the name."""
    item = attach(panel, pdf_saying("Vermeulen"), userid="expert.rossi")
    assert item.file.filename == "report.pdf"


def test_other_centres_cannot_attach(panel):
    from AccessControl import Unauthorized

    with pytest.raises((Unauthorized, ValueError)):
        attach(panel, pdf_saying("x"), userid="dr.martin")
