"""The final outcome document as a PDF (fpdf2: pure Python, from PyPI wheels).

What goes in is listed in ``outcome_sections``; nothing identifying does: the
patient appears by pseudonym only. The font is Roboto, shipped by
plonetheme.barceloneta (a Plone dependency), so every European alphabet
prints without a system font package.
"""

from Acquisition import aq_inner
from Acquisition import aq_parent
from ern.cpms import _
from ern.cpms.content.panel import PANEL_TYPES
from ern.cpms.invitations import invitations_of
from ern.cpms.panel_content import centres_of
from ern.cpms.panel_content import fullname
from ern.cpms.questionnaire import answers_of
from fpdf import FPDF
from importlib.resources import files
from plone import api


FONT_DIR = files("plonetheme.barceloneta") / "theme" / "roboto"
RESPONSIBILITY = _(
    "This outcome is the advice of an ERN virtual consultation panel. "
    "Responsibility for the diagnosis and care of the patient stays with the "
    "treating clinician."
)


def members_of(panel):
    """(name, centres) of the lead, then of every member who accepted."""
    people = [panel.panel_lead] + [
        i.invitee for i in invitations_of(panel, ("accepted",))
    ]
    return [
        (fullname(userid), ", ".join(centres_of(userid)))
        for userid in dict.fromkeys(people)
        if userid
    ]


def outcome_sections(outcome):
    """(heading, text) pairs, in the order of the document."""
    translate = api.portal.translate
    panel = aq_parent(aq_inner(outcome))
    patient = aq_parent(aq_inner(panel))
    kind = translate(dict(PANEL_TYPES).get(panel.panel_type, panel.panel_type))
    members = "\n".join(
        f"{name} ({centres})" if centres else name
        for name, centres in members_of(panel)
    )
    signed = ""
    if outcome.signed_off_date is not None:
        signed = translate(
            _(
                "Signed off by ${name}, ${centre}, on ${date}.",
                mapping={
                    "name": outcome.signed_off_name,
                    "centre": outcome.signed_off_centre,
                    "date": outcome.signed_off_date.strftime("%Y-%m-%d %H:%M UTC"),
                },
            )
        )
    return [
        (translate(_("Patient (pseudonym)")), patient.Title()),
        (translate(_("ERN")), panel.ern),
        (translate(_("Panel type")), kind),
        (translate(_("Members and their centres")), members),
        (translate(_("Questions of the panel")), outcome.questions_answered or ""),
        (
            translate(_("Summary of the contributions")),
            outcome.contributions_summary or "",
        ),
        (
            translate(_("Questions of the ERN")),
            "\n".join(f"{a['question']}: {a['answer']}" for a in answers_of(panel)),
        ),
        (translate(_("Conclusions")), outcome.conclusions or ""),
        (translate(_("Recommendations")), outcome.recommendations or ""),
        (translate(_("Responsibility")), translate(RESPONSIBILITY)),
        (translate(_("Sign-off")), signed),
    ]


def render(outcome):
    """The PDF bytes of a final outcome document."""
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("Roboto", "", str(FONT_DIR / "roboto-regular.ttf"))
    pdf.add_font("Roboto", "B", str(FONT_DIR / "roboto-bold.ttf"))
    title = api.portal.translate(_("Outcome of the ERN virtual consultation"))
    pdf.set_title(title)
    pdf.set_author("CPMS")
    pdf.add_page()
    pdf.set_font("Roboto", "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, text in outcome_sections(outcome):
        pdf.set_font("Roboto", "B", 11)
        pdf.multi_cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Roboto", "", 10)
        pdf.multi_cell(0, 5, text or "—", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())
