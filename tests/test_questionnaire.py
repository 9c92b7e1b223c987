"""ERN-specific questions designed with collective.easyform: part of the
consultation form, stored on the panel, shown to members, in REST and PDF."""

from collective.easyform.api import set_fields
from datetime import date
from ern.cpms import invitations
from ern.cpms import questionnaire
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.panels import transition_refusal
from panels import as_user
from panels import make_panel
from plone import api
from plone.supermodel import loadString

import pytest
import re
import transaction


MODEL = """<model xmlns="http://namespaces.plone.org/supermodel/schema">
  <schema>
    <field name="acuity" type="zope.schema.TextLine">
      <title>Best corrected visual acuity</title>
      <required>True</required>
    </field>
    <field name="inheritance" type="zope.schema.Choice">
      <title>Suspected inheritance</title>
      <required>False</required>
      <values>
        <element>autosomal recessive</element>
        <element>X-linked</element>
      </values>
    </field>
  </schema>
</model>"""


def design_questionnaire(portal):
    """coordinator.eye designs ERN-EYE's questions, as in the browser."""
    ern = portal["erns"]["ern-eye"]
    form = as_user(
        "coordinator.eye",
        api.content.create,
        container=ern,
        type="EasyForm",
        id="questions",
        title="ERN-EYE questions",
    )
    set_fields(form, loadString(MODEL).schema)
    return form


def draft_panel(portal):
    return make_panel(
        portal,
        ("Bram", "Dijkstra"),
        date_of_birth=date(2008, 8, 8),
        state="draft",
        reason="Low vision since birth.",
    )


@pytest.fixture
def form(portal):
    return design_questionnaire(portal)


def test_the_coordinator_may_design_it_a_clinician_may_not(portal, form):
    assert questionnaire.questionnaire_of("ERN-EYE") == form
    assert questionnaire.questionnaire_of("EURO-NMD") is None
    ern = portal["erns"]["ern-eye"]
    assert not api.user.get_permissions(username="dr.dekker", obj=ern)[
        "collective.easyform: Add Content"
    ]


def test_open_needs_the_required_answers(portal, form):
    panel = draft_panel(portal)
    refusal = api.portal.translate(transition_refusal(panel, "open"))
    assert "Best corrected visual acuity" in refusal
    questionnaire.store_answers(
        panel, form, {"acuity": "0.1 both eyes", "inheritance": "X-linked"}
    )
    assert transition_refusal(panel, "open") is None
    assert questionnaire.answers_of(panel) == [
        {
            "name": "acuity",
            "question": "Best corrected visual acuity",
            "answer": "0.1 both eyes",
        },
        {
            "name": "inheritance",
            "question": "Suspected inheritance",
            "answer": "X-linked",
        },
    ]


def test_the_outcome_pdf_carries_the_answers(portal, form):
    from ern.cpms.outcome_pdf import outcome_sections
    from panels import write_outcome

    panel = draft_panel(portal)
    questionnaire.store_answers(panel, form, {"acuity": "0.1", "inheritance": None})
    as_user("dr.dekker", api.content.transition, obj=panel, transition="open")
    sections = dict(outcome_sections(write_outcome(panel)))
    assert "Best corrected visual acuity: 0.1" in sections["Questions of the ERN"]


def test_answers_keep_the_questions_as_asked(portal, form):
    panel = draft_panel(portal)
    questionnaire.store_answers(panel, form, {"acuity": "0.2"})
    set_fields(
        form, loadString(MODEL.replace("visual acuity", "acuity (logMAR)")).schema
    )
    assert questionnaire.answers_of(panel)[0]["question"] == (
        "Best corrected visual acuity"
    )


def test_no_questionnaire_no_extra_step(portal):
    panel = draft_panel(portal)
    assert questionnaire.missing_answers(panel) == []
    assert transition_refusal(panel, "open") is None


def test_pages_rest_and_pdf(functional_portal, request_factory):
    form = design_questionnaire(functional_portal)
    panel = draft_panel(functional_portal)
    transaction.commit()
    lead = request_factory(basic_auth=("dr.dekker", DEMO_PASSWORD), api=False)
    lead.headers["Accept"] = "text/html"
    url = f"{panel.absolute_url()}/@@questionnaire"
    page = lead.get(url).text
    assert "Best corrected visual acuity" in page
    token = re.search(r'name="_authenticator"[^>]*value="([^"]+)"', page).group(1)
    lead.post(
        url,
        data={
            "_authenticator": token,
            "form.widgets.acuity": "0.05 right, 0.1 left",
            "form.buttons.save": "Save",
        },
    )
    transaction.begin()
    assert questionnaire.values_of(panel)["acuity"] == "0.05 right, 0.1 left"
    assert "0.05 right, 0.1 left" in lead.get(panel.absolute_url()).text
    # An empty required answer is refused by the form; nothing changes.
    lead.post(
        url,
        data={
            "_authenticator": token,
            "form.widgets.acuity": "",
            "form.buttons.save": "Save",
        },
    )
    transaction.begin()
    assert questionnaire.values_of(panel)["acuity"] == "0.05 right, 0.1 left"

    as_user("dr.dekker", api.content.transition, obj=panel, transition="open")
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi", "dr.weber"])
    (rossi,) = [
        i for i in invitations.invitations_of(panel) if i.invitee == "expert.rossi"
    ]
    as_user("expert.rossi", invitations.answer, rossi, accept=True)
    transaction.commit()
    member = request_factory(basic_auth=("expert.rossi", DEMO_PASSWORD))
    data = member.get(panel.absolute_url()).json()
    assert data["questionnaire"][0]["answer"] == "0.05 right, 0.1 left"
    invited = request_factory(basic_auth=("dr.weber", DEMO_PASSWORD))
    assert "questionnaire" not in invited.get(panel.absolute_url()).json()
    assert form.UID()  # the form itself is untouched by answering
