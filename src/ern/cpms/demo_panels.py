"""Demo panels in every state, so that a new user sees a lived-in site.

Each story is told through the same functions the pages and the API use
(invite, answer, comment, ask for data, meet, contribute, write and
finalise the outcome, close), acting as the demo user who would do it.
"""

from datetime import date
from datetime import datetime
from datetime import timedelta
from ern.cpms import data_requests
from ern.cpms import invitations
from ern.cpms.panel_content import outcome_of
from plone import api
from plone.app.textfield.value import RichTextValue
from plone.dexterity.utils import createContentInContainer


def acting_as(userid, function, *args, **kwargs):
    """Call `function` as `userid` (the demo and the generator act as the
    people who would do each thing)."""
    with api.env.adopt_user(username=userid):
        return function(*args, **kwargs)


def add_as(userid, container, portal_type, **fields):
    """Add content as `userid`, with the type's constraints checked."""
    return acting_as(
        userid,
        createContentInContainer,
        container,
        portal_type,
        checkConstraints=True,
        **fields,
    )


def _comment(userid, panel, text, reply_to=None):
    return add_as(
        userid,
        panel,
        "Comment",
        text=RichTextValue(f"<p>{text}</p>", "text/html", "text/x-html-safe"),
        in_reply_to=reply_to.UID() if reply_to is not None else None,
    )


def _contribute(userid, panel, assessment, recommendation):
    add_as(
        userid,
        panel,
        "Contribution",
        assessment=assessment,
        recommendation=recommendation,
    )


def transition_as(userid, obj, transition):
    """Take a workflow transition as `userid`."""
    acting_as(userid, api.content.transition, obj=obj, transition=transition)


def _panel(lead, patient, **fields):
    panel = add_as(lead, patient, "Panel", **fields)
    transition_as(lead, panel, "open")
    return panel


def _members(lead, panel, accepted=(), pending=(), declined=()):
    everyone = [*accepted, *pending, *declined]
    made = acting_as(
        lead,
        invitations.invite,
        panel,
        everyone,
        "Your expertise would help this panel.",
        date.today() + timedelta(days=10),
    )
    for invitation in made:
        if invitation.invitee in accepted:
            acting_as(invitation.invitee, invitations.answer, invitation, True)
        elif invitation.invitee in declined:
            acting_as(
                invitation.invitee,
                invitations.answer,
                invitation,
                False,
                "On leave until January.",
            )


def _outcome(lead, panel, conclusions, recommendations, final=True):
    add_as(
        lead,
        panel,
        "OutcomeDocument",
        conclusions=conclusions,
        recommendations=recommendations,
    )
    transition_as(lead, panel, "submit_outcome")
    if final:
        transition_as(lead, outcome_of(panel), "finalise")


def open_panel_story(patient):
    """Erasmus MC asks ERN-EYE; the discussion is under way."""
    panel = _panel(
        "dr.dekker",
        patient,
        ern="ERN-EYE",
        panel_type="diagnosis",
        urgent=True,
        reason="Rapid loss of central vision in both eyes over six months.",
        questions=[
            "Is this compatible with Stargardt disease or a cone dystrophy?",
            "Which genetic test should be ordered first?",
        ],
        examination="Bilateral macular atrophy with flecks; VA 0.2 both eyes.",
        genetics="No genetic testing yet.",
    )
    _members(
        "dr.dekker",
        panel,
        accepted=["expert.rossi"],
        pending=["dr.martin"],
        declined=["dr.weber"],
    )
    first = _comment(
        "dr.dekker",
        panel,
        "Fundus autofluorescence shows a dark choroid; ERG pending.",
    )
    _comment(
        "expert.rossi",
        panel,
        "The dark choroid points to ABCA4. Is there a family history?",
        reply_to=first,
    )
    add_as(
        "expert.rossi",
        panel,
        "DataRequest",
        question="Please share the full-field ERG when it is available.",
        due_date=date.today() + timedelta(days=14),
    )
    start = datetime.combine(date.today() + timedelta(days=7), datetime.min.time())
    add_as(
        "expert.rossi",
        panel,
        "Meeting",
        start=start.replace(hour=16),
        end=start.replace(hour=17),
        timezone="Europe/Brussels",
        video_link="https://meet.example.org/cpms-demo",
        agenda="Review the autofluorescence and agree on the genetic test.",
    )
    _contribute(
        "expert.rossi",
        panel,
        "Phenotype typical of ABCA4-related Stargardt disease.",
        "ABCA4 sequencing including deep-intronic variants.",
    )


def review_panel_story(patient):
    """Necker asks EURO-NMD about treatment; the outcome is in review."""
    panel = _panel(
        "dr.martin",
        patient,
        ern="EURO-NMD",
        panel_type="treatment",
        reason="Treatment options for a child with spinal muscular atrophy type 2.",
        questions=["Which disease-modifying treatment would the panel advise?"],
    )
    _members("dr.martin", panel, accepted=["dr.dekker", "expert.rossi"])
    request = add_as(
        "dr.dekker",
        panel,
        "DataRequest",
        question="What is the current respiratory function?",
    )
    acting_as("dr.martin", data_requests.answer_request, request, "FVC 78% predicted.")
    _contribute(
        "dr.dekker",
        panel,
        "Eligible for gene-targeted treatment.",
        "Discuss the options with the family; monitor scoliosis.",
    )
    _contribute(
        "expert.rossi",
        panel,
        "Agree: motor function is stable enough to expect benefit.",
        "Start treatment within three months; physiotherapy plan.",
    )
    _outcome(
        "dr.martin",
        panel,
        "Eligible for disease-modifying treatment.",
        "Start treatment; follow-up of motor and respiratory function.",
        final=False,
    )
    _comment("dr.dekker", panel, "I agree with the outcome as drafted.")


def closed_panel_story(patient, archive=False):
    """Charité's panels that ended with a final outcome."""
    panel = _panel(
        "dr.weber",
        patient,
        ern="ERN-EYE",
        panel_type="second_opinion",
        reason="Second opinion on the indication for gene therapy.",
        questions=["Is the patient eligible for gene therapy?"],
    )
    _members("dr.weber", panel, accepted=["dr.dekker", "dr.martin"])
    _contribute(
        "dr.dekker",
        panel,
        "Enough viable photoreceptors on OCT.",
        "Eligible; refer to a treating centre.",
    )
    _contribute(
        "dr.martin",
        panel,
        "Genotype confirmed biallelic RPE65.",
        "Eligible for voretigene neparvovec.",
    )
    _outcome(
        "dr.weber",
        panel,
        "The patient is eligible for gene therapy.",
        "Refer to a treating centre; baseline visual fields before treatment.",
    )
    transition_as("dr.weber", panel, "close")
    if archive:
        transition_as("dr.weber", panel, "archive")


def cancelled_panel_story(patient):
    panel = add_as(
        "dr.martin",
        patient,
        "Panel",
        ern="ERN-EYE",
        panel_type="other",
        reason="Question answered locally before the panel was opened.",
    )
    transition_as("dr.martin", panel, "cancel")


# Which story each demo patient gets (index in demo.PATIENTS); the first
# patient keeps its draft panel.
STORIES = {
    1: open_panel_story,
    2: review_panel_story,
    3: cancelled_panel_story,
    4: closed_panel_story,
    5: lambda patient: closed_panel_story(patient, archive=True),
}
