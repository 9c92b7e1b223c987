"""Helpers for the panel tests: acting as someone, writing an outcome,
reading the e-mails sent."""

from datetime import date
from ern.cpms.notifications import outbox
from ern.cpms.testing import SENT_MAIL
from plone import api
from plone.dexterity.utils import createContentInContainer

import email
import email.header


def as_user(userid, function, *args, **kwargs):
    with api.env.adopt_user(username=userid):
        return function(*args, **kwargs)


def make_panel(
    portal,
    identity,
    *,
    date_of_birth=date(2012, 3, 4),
    hospital_record_number=None,
    state="open",
    members=(),
    **fields,
):
    """dr.dekker enrols a patient at Erasmus MC (given and family name from
    `identity`) and drafts an ERN-EYE panel for them, opened unless `state`
    is "draft"; the `members` are invited and accept."""
    from ern.cpms import invitations
    from patients import enrol_as

    patient = enrol_as(
        "dr.dekker",
        portal["centres"]["erasmus-mc"],
        given_names=identity[0],
        family_name=identity[1],
        date_of_birth=date_of_birth,
        hospital_record_number=hospital_record_number,
    )
    values = {
        "ern": "ERN-EYE",
        "panel_type": "diagnosis",
        "reason": "Night blindness since early childhood.",
        **fields,
    }
    panel = as_user("dr.dekker", createContentInContainer, patient, "Panel", **values)
    if state == "open":
        as_user("dr.dekker", api.content.transition, obj=panel, transition="open")
    if members:
        for invitation in as_user("dr.dekker", invitations.invite, panel, members):
            as_user(invitation.invitee, invitations.answer, invitation, accept=True)
    return panel


def write_outcome(panel, user="dr.dekker"):
    """The lead drafts the outcome document (the panel must be open)."""
    return as_user(
        user,
        createContentInContainer,
        panel,
        "OutcomeDocument",
        checkConstraints=True,
        conclusions="Retinitis pigmentosa, X-linked.",
        recommendations="Genetic testing of RPGR; follow-up in 12 months.",
    )


def messages(mailhost=None):
    """The e-mails the current transaction will send when it commits, as
    text: ``To: …``, ``Subject: …``, then the body."""
    return [f"To: {m.address}\nSubject: {m.subject}\n\n{m.body}" for m in outbox()]


def reset_mail():
    outbox().clear()


def sent_messages():
    """The e-mails the mail host sent (after a commit), as text."""
    texts = []
    for raw in SENT_MAIL:
        message = email.message_from_bytes(
            raw if isinstance(raw, bytes) else raw.encode()
        )
        headers = "".join(
            f"{name}: {email.header.make_header(email.header.decode_header(value))}\n"
            for name, value in message.items()
        )
        texts.append(headers + message.get_payload(decode=True).decode())
    return texts


def pdf_saying(text):
    """A one-page PDF with `text` (fpdf2), as a clinician would upload."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())
