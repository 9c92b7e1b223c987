"""Inside a panel: invitations and the roles they give, comments,
contributions, the outcome document and closing, with their e-mails."""

from datetime import date
from datetime import timedelta
from ern.cpms import invitations
from ern.cpms.notifications import NotificationCentre
from ern.cpms.panel_content import contribution_of
from ern.cpms.panel_content import missing_contributions
from ern.cpms.panel_content import set_state
from ern.cpms.panels import transition_refusal
from ern.cpms.refusals import field_error_of
from panels import as_user
from panels import make_panel
from panels import messages
from panels import reset_mail
from panels import write_outcome
from plone import api
from plone.api.exc import InvalidParameterError
from plone.dexterity.utils import createContentInContainer
from types import SimpleNamespace
from zExceptions import BadRequest

import pytest


IDENTITY = ("Femke", "Mulder")


@pytest.fixture
def mailhost(portal):
    """The e-mails queued for sending at commit (see notifications.outbox)."""
    reset_mail()
    return SimpleNamespace(reset=reset_mail)


@pytest.fixture
def panel(portal):
    return make_panel(
        portal, IDENTITY, questions=["Which gene panel should be ordered?"]
    )


def roles(userid, obj):
    return set(api.user.get_roles(username=userid, obj=obj))


def refused(function, *args, **kwargs):
    """The FieldError of the refusal `function` raises."""
    with pytest.raises(BadRequest) as info:
        function(*args, **kwargs)
    return field_error_of(info.value)


# Experts


def test_experts_of_an_ern_are_the_professionals_of_its_member_centres(portal):
    experts = {e.userid: e for e in invitations.experts_of("ERN-EYE")}
    assert {"dr.dekker", "dr.martin", "dr.weber", "expert.rossi"} <= set(experts)
    assert "coordinator.eye" not in experts
    assert "(DE)" in experts["expert.rossi"].label
    # Their areas of expertise (a member field) are searched too.
    assert "ABCA4 retinopathy" in experts["expert.rossi"].label


# Invitations


def test_inviting_makes_a_pending_invitation_owned_by_the_invitee(panel, mailhost):
    (invitation,) = as_user(
        "dr.dekker", invitations.invite, panel, ["expert.rossi"], "Please join."
    )
    assert api.content.get_state(invitation) == "pending"
    assert invitation.invitee == "expert.rossi"
    assert invitation.Title() == "Invitation of Marco Rossi"
    assert "Invitee" in roles("expert.rossi", invitation)
    # The patient's and the panel's creator holds Owner there, acquired
    # here: it must give nothing on an invitation.
    assert "Invitee" not in roles("dr.dekker", invitation)
    assert "InvitedExpert" in roles("expert.rossi", panel)
    assert "PanelMember" not in roles("expert.rossi", panel)
    (mail,) = messages(mailhost)
    assert "expert.rossi@example.org" in mail
    assert panel.absolute_url() in mail


def test_invitation_mail_names_the_pseudonym_never_the_patient(panel, mailhost):
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    (mail,) = messages(mailhost)
    pseudonym = panel.aq_parent.Title()
    assert pseudonym in mail
    for part in IDENTITY:
        assert part not in mail


def test_urgent_panels_say_so_in_the_invitation(panel, mailhost):
    panel.urgent = True
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    assert "Urgent" in messages(mailhost)[0]


def test_pending_invitee_reads_the_summary_not_the_clinical_data(panel):
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    permissions = api.user.get_permissions(username="expert.rossi", obj=panel)
    assert permissions["View"]
    assert not permissions["ern.cpms: View clinical data"]


def test_accepting_makes_a_member_and_tells_the_lead(panel, mailhost):
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    mailhost.reset()
    as_user("expert.rossi", invitations.answer, invitation, accept=True)
    assert api.content.get_state(invitation) == "accepted"
    assert "PanelMember" in roles("expert.rossi", panel)
    assert "InvitedExpert" not in roles("expert.rossi", panel)
    permissions = api.user.get_permissions(username="expert.rossi", obj=panel)
    assert permissions["ern.cpms: View clinical data"]
    (mail,) = messages(mailhost)
    assert "dr.dekker@example.org" in mail
    assert "Marco Rossi has accepted" in mail


def test_declining_with_a_reason_leaves_nothing_visible(panel):
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    as_user(
        "expert.rossi", invitations.answer, invitation, accept=False, reason="Busy."
    )
    assert api.content.get_state(invitation) == "declined"
    assert invitation.answer_reason == "Busy."
    assert not roles("expert.rossi", panel) & {"InvitedExpert", "PanelMember"}
    assert not api.user.get_permissions(username="expert.rossi", obj=panel)["View"]
    assert not api.user.get_permissions(username="expert.rossi", obj=invitation)["View"]


def test_owners_of_patient_centre_and_site_cannot_answer_or_edit(member_panel):
    (invitation,) = as_user("dr.dekker", invitations.invite, member_panel, ["dr.weber"])
    note = comment(member_panel, "expert.rossi", "<p>Mine.</p>")
    api.portal.get().acl_users.userFolderAddUser(
        "siteadmin", "x" * 12, ["Manager", "Site Administrator"], []
    )
    for userid in ("dr.dekker", "siteadmin"):
        permissions = api.user.get_permissions(username=userid, obj=invitation)
        assert not permissions["ern.cpms: Answer invitation"]
        edit = api.user.get_permissions(username=userid, obj=note)
        assert not edit["Modify portal content"]
    assert api.user.get_permissions(username="expert.rossi", obj=note)[
        "Modify portal content"
    ]


def test_only_the_invitee_answers(panel):
    invitation, _other = as_user(
        "dr.dekker", invitations.invite, panel, ["expert.rossi", "dr.weber"]
    )
    for userid in ("dr.weber", "dr.dekker", "dr.martin"):
        with pytest.raises(InvalidParameterError):
            as_user(userid, invitations.answer, invitation, accept=True)
    assert api.content.get_state(invitation) == "pending"


def test_another_invitee_cannot_read_the_invitation(panel):
    first, _second = as_user(
        "dr.dekker", invitations.invite, panel, ["expert.rossi", "dr.weber"]
    )
    assert not api.user.get_permissions(username="dr.weber", obj=first)["View"]
    assert api.user.get_permissions(username="expert.rossi", obj=first)["View"]


def test_answering_twice_is_refused_and_changes_nothing(panel):
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    as_user("expert.rossi", invitations.answer, invitation, accept=True)
    error = refused(as_user, "expert.rossi", invitations.answer, invitation, False)
    assert "already been answered" in error.message
    assert api.content.get_state(invitation) == "accepted"


def test_withdraw_and_reinvite(panel):
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    as_user("expert.rossi", invitations.answer, invitation, accept=True)
    as_user("dr.dekker", invitations.withdraw, invitation)
    assert api.content.get_state(invitation) == "withdrawn"
    assert not api.user.get_permissions(username="expert.rossi", obj=panel)["View"]
    (again,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    assert again.getId() != invitation.getId()
    assert "InvitedExpert" in roles("expert.rossi", panel)


def test_who_leaves_no_longer_edits_what_they_wrote(panel):
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    as_user("expert.rossi", invitations.answer, invitation, accept=True)
    note = comment(panel, "expert.rossi", "<p>Mine.</p>")
    # (Not asked through get_permissions here: borg.localrole caches the
    # roles for the rest of the request.)
    assert "Author" in note.get_local_roles_for_userid("expert.rossi")
    as_user("dr.dekker", invitations.withdraw, invitation)
    assert not api.user.get_permissions(username="expert.rossi", obj=note)[
        "Modify portal content"
    ]
    assert note.getId() in panel.objectIds()  # what they wrote stays


def test_a_final_outcome_cannot_be_reopened(member_panel):
    contribute(member_panel, "expert.rossi")
    outcome = write_outcome(member_panel)
    as_user(
        "dr.dekker",
        api.content.transition,
        obj=member_panel,
        transition="submit_outcome",
    )
    as_user("dr.dekker", api.content.transition, obj=outcome, transition="finalise")
    assert "outcome document is final" in api.portal.translate(
        transition_refusal(member_panel, "reopen")
    )
    with pytest.raises(InvalidParameterError):
        as_user(
            "dr.dekker", api.content.transition, obj=member_panel, transition="reopen"
        )
    assert api.content.get_state(member_panel) == "outcome_review"


def test_a_member_cannot_withdraw_an_invitation(panel):
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    with pytest.raises(InvalidParameterError):
        as_user("dr.martin", invitations.withdraw, invitation)


@pytest.mark.parametrize(
    ("experts", "reply_by", "field", "words"),
    [
        ([], None, "experts", "at least one expert"),
        (["coordinator.eye"], None, "experts", "not an expert of ERN-EYE"),
        (["dr.dekker"], None, "experts", "leads this panel"),
        (["expert.rossi"], date.today() - timedelta(days=1), "reply_by", "past"),
    ],
)
def test_bad_invitations_are_refused_and_nothing_is_created(
    panel, experts, reply_by, field, words
):
    before = set(panel.objectIds())
    error = refused(
        as_user, "dr.dekker", invitations.invite, panel, experts, "", reply_by
    )
    assert error.field == field
    assert words in api.portal.translate(error.message)
    assert set(panel.objectIds()) == before


def test_inviting_twice_refuses_the_whole_batch(panel):
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    before = set(panel.objectIds())
    error = refused(
        as_user, "dr.dekker", invitations.invite, panel, ["dr.weber", "expert.rossi"]
    )
    assert "already invited" in api.portal.translate(error.message)
    assert set(panel.objectIds()) == before


def test_no_invitations_on_a_draft_panel(panel):
    set_state(panel, "draft")
    error = refused(as_user, "dr.dekker", invitations.invite, panel, ["dr.weber"])
    assert "while the panel is open" in api.portal.translate(error.message)


def test_only_the_lead_invites(panel):
    from AccessControl import Unauthorized

    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    invitation = panel.objectValues()[0]
    as_user("expert.rossi", invitations.answer, invitation, accept=True)
    with pytest.raises((Unauthorized, ValueError)):
        as_user("expert.rossi", invitations.invite, panel, ["dr.weber"])


# Comments, contributions, outcome, closing


@pytest.fixture
def member_panel(panel):
    """An open panel with expert.rossi and dr.martin as members."""
    for invitation in as_user(
        "dr.dekker", invitations.invite, panel, ["expert.rossi", "dr.martin"]
    ):
        as_user(invitation.invitee, invitations.answer, invitation, accept=True)
    return panel


def comment(panel, userid, html, **extra):
    from plone.app.textfield.value import RichTextValue

    return as_user(
        userid,
        createContentInContainer,
        panel,
        "Comment",
        checkConstraints=True,
        text=RichTextValue(html, "text/html", "text/x-html-safe"),
        **extra,
    )


def test_members_comment_and_the_others_hear_of_it(member_panel, mailhost):
    mailhost.reset()
    note = comment(member_panel, "expert.rossi", "<p>Consider <b>RPGR</b>.</p>")
    assert note.Title() == "Comment by Marco Rossi"
    mails = messages(mailhost)
    recipients = {
        r
        for m in mails
        for r in ("dr.dekker@", "dr.martin@", "expert.rossi@")
        if r in m
    }
    assert recipients == {"dr.dekker@", "dr.martin@"}


def test_comment_html_is_sanitised(member_panel):
    note = comment(
        member_panel,
        "expert.rossi",
        '<p onclick="steal()">Hi<script>alert(1)</script>'
        "<img src=x onerror=alert(2)></p>",
    )
    html = note.text.output_relative_to(note)
    assert "Hi" in html
    for dangerous in ("<script", "onerror", "onclick"):
        assert dangerous not in html


def test_pending_invitee_cannot_read_comments(panel):
    as_user("dr.dekker", invitations.invite, panel, ["dr.weber"])
    note = comment(panel, "dr.dekker", "<p>First thoughts.</p>")
    assert not api.user.get_permissions(username="dr.weber", obj=note)["View"]
    assert api.user.get_permissions(username="dr.dekker", obj=note)["View"]


def test_a_reply_must_name_a_comment_of_the_same_panel(member_panel):
    first = comment(member_panel, "dr.dekker", "<p>Question?</p>")
    reply = comment(
        member_panel, "expert.rossi", "<p>Answer.</p>", in_reply_to=first.UID()
    )
    assert reply.in_reply_to == first.UID()
    error = refused(
        comment, member_panel, "expert.rossi", "<p>x</p>", in_reply_to="nope"
    )
    assert error.field == "in_reply_to"


def contribute(
    panel, userid, assessment="Likely RPGR-related.", recommendation="Test RPGR."
):
    return as_user(
        userid,
        createContentInContainer,
        panel,
        "Contribution",
        checkConstraints=True,
        assessment=assessment,
        recommendation=recommendation,
    )


def test_one_contribution_per_member_and_the_lead_sees_who_is_missing(member_panel):
    assert missing_contributions(member_panel) == [
        "dr.dekker",
        "dr.martin",
        "expert.rossi",
    ]
    contribute(member_panel, "expert.rossi")
    assert missing_contributions(member_panel) == ["dr.dekker", "dr.martin"]
    error = refused(contribute, member_panel, "expert.rossi")
    assert "already recorded" in api.portal.translate(error.message)


def test_a_pending_invitee_cannot_contribute(panel):
    from AccessControl import Unauthorized

    as_user("dr.dekker", invitations.invite, panel, ["dr.weber"])
    with pytest.raises((Unauthorized, ValueError)):
        contribute(panel, "dr.weber")


def test_the_outcome_is_prefilled_from_questions_and_contributions(member_panel):
    from ern.cpms.content.discussion import IOutcomeDocument

    contribute(member_panel, "expert.rossi", "Assessment R.", "Recommendation R.")
    questions = IOutcomeDocument["questions_answered"].bind(member_panel).default
    summary = IOutcomeDocument["contributions_summary"].bind(member_panel).default
    assert "Which gene panel should be ordered?" in questions
    assert "Marco Rossi (Charité" in summary
    assert "Assessment R." in summary
    assert "Recommendation R." in summary


def test_review_needs_an_outcome_document(member_panel):
    assert "Draft the outcome" in api.portal.translate(
        transition_refusal(member_panel, "submit_outcome")
    )
    with pytest.raises(InvalidParameterError):
        as_user(
            "dr.dekker",
            api.content.transition,
            obj=member_panel,
            transition="submit_outcome",
        )


def test_full_journey_to_archive(member_panel, mailhost):
    panel = member_panel
    contribute(panel, "expert.rossi")
    contribute(panel, "dr.martin")
    outcome = write_outcome(panel)
    assert api.content.get_state(outcome) == "draft"
    # Members do not read the draft.
    assert not api.user.get_permissions(username="expert.rossi", obj=outcome)["View"]
    as_user("dr.dekker", api.content.transition, obj=panel, transition="submit_outcome")
    assert api.content.get_state(outcome) == "in_review"
    assert api.user.get_permissions(username="expert.rossi", obj=outcome)["View"]
    # Back to open and again: the outcome follows.
    as_user("dr.dekker", api.content.transition, obj=panel, transition="reopen")
    assert api.content.get_state(outcome) == "draft"
    as_user("dr.dekker", api.content.transition, obj=panel, transition="submit_outcome")
    # Members may not finalise; the lead signs off.
    with pytest.raises(InvalidParameterError):
        as_user(
            "expert.rossi", api.content.transition, obj=outcome, transition="finalise"
        )
    as_user("dr.dekker", api.content.transition, obj=outcome, transition="finalise")
    assert api.content.get_state(outcome) == "final"
    assert outcome.signed_off_name == "Anna Dekker"
    assert outcome.signed_off_centre == "Erasmus MC"
    assert outcome.signed_off_date is not None
    assert not api.user.get_permissions(username="dr.dekker", obj=outcome)[
        "Modify portal content"
    ]
    note = comment(panel, "expert.rossi", "<p>Agreed.</p>")
    mailhost.reset()
    as_user("dr.dekker", api.content.transition, obj=panel, transition="close")
    assert api.content.get_state(panel) == "closed"
    # What members wrote is read-only now.
    for item in (note, contribution_of(panel, "expert.rossi")):
        assert api.content.get_state(item) == "frozen"
        permissions = api.user.get_permissions(username="expert.rossi", obj=item)
        assert permissions["View"]
        assert not permissions["Modify portal content"]
    assert len(messages(mailhost)) == 2  # the two members
    as_user("dr.dekker", api.content.transition, obj=panel, transition="archive")
    assert api.content.get_state(panel) == "archived"
    assert api.user.get_permissions(username="expert.rossi", obj=panel)["View"]


def test_closing_with_fewer_than_two_contributions_asks_for_confirmation(member_panel):
    panel = member_panel
    contribute(panel, "expert.rossi")
    outcome = write_outcome(panel)
    as_user("dr.dekker", api.content.transition, obj=panel, transition="submit_outcome")
    as_user("dr.dekker", api.content.transition, obj=outcome, transition="finalise")
    refusal = api.portal.translate(transition_refusal(panel, "close"))
    assert "Only 1 contribution(s) recorded" in refusal
    with pytest.raises(InvalidParameterError):
        as_user("dr.dekker", api.content.transition, obj=panel, transition="close")
    assert api.content.get_state(panel) == "outcome_review"
    panel.few_contributions_confirmed = True
    as_user("dr.dekker", api.content.transition, obj=panel, transition="close")
    assert api.content.get_state(panel) == "closed"


def test_a_second_outcome_document_is_refused(member_panel):
    write_outcome(member_panel)
    error = refused(write_outcome, member_panel)
    assert "already has an outcome" in api.portal.translate(error.message)


def test_an_expert_group_is_invited_at_once(panel, portal):
    ern = portal["erns"]["ern-eye"]
    group = as_user(
        "coordinator.eye",
        createContentInContainer,
        ern,
        "ExpertGroup",
        checkConstraints=True,
        title="Retina experts",
        experts=["expert.rossi", "dr.weber", "dr.dekker"],
    )
    from ern.cpms.vocabularies.experts import experts_vocabulary

    terms = {term.value: term.title for term in experts_vocabulary(panel)}
    key = f"group:{group.UID()}"
    assert terms[key] == "Expert group: Retina experts (3 experts)"
    made = as_user("dr.dekker", invitations.invite, panel, [key])
    # The lead (dr.dekker) is left out; the others are invited.
    assert sorted(i.invitee for i in made) == ["dr.weber", "expert.rossi"]
    # Invited again, the group adds no one twice, and says so.
    error = refused(as_user, "dr.dekker", invitations.invite, panel, [key])
    assert "already on the panel" in api.portal.translate(error.message)


def test_only_coordinators_keep_expert_groups(portal):
    from AccessControl import Unauthorized

    ern = portal["erns"]["ern-eye"]
    with pytest.raises((Unauthorized, ValueError)):
        as_user(
            "dr.dekker",
            createContentInContainer,
            ern,
            "ExpertGroup",
            checkConstraints=True,
            title="Mine",
        )


def test_an_unknown_group_is_refused(panel):
    error = refused(as_user, "dr.dekker", invitations.invite, panel, ["group:nope"])
    assert error.field == "experts"


def test_the_timeline_tells_everything_and_filters(member_panel):
    from datetime import datetime
    from ern.cpms import data_requests
    from ern.cpms.timeline import timeline

    panel = member_panel
    contribution = contribute(panel, "expert.rossi")
    comment(panel, "dr.martin", "<p>Agreed.</p>", in_reply_to=contribution.UID())
    request = as_user(
        "expert.rossi",
        createContentInContainer,
        panel,
        "DataRequest",
        checkConstraints=True,
        question="Latest ERG?",
    )
    as_user("dr.dekker", data_requests.answer_request, request, "Extinguished.")
    as_user(
        "expert.rossi",
        createContentInContainer,
        panel,
        "Meeting",
        checkConstraints=True,
        start=datetime(2026, 12, 10, 15),
        end=datetime(2026, 12, 10, 16),
        timezone="Europe/Paris",
    )
    texts = [entry.text for entry in timeline(panel)]
    for expected in (
        "Anna Dekker opened the panel.",
        "Anna Dekker invited Marco Rossi.",
        "Marco Rossi accepted the invitation.",
        "Marco Rossi recorded a contribution.",
        "Luc Martin commented",
        "Marco Rossi asked for more data.",
        "Anna Dekker answered a data request.",
        "Marco Rossi scheduled a meeting: Meeting on 2026-12-10 15:00 (Europe/Paris).",
    ):
        assert expected in texts, expected
    (reply,) = [e for e in timeline(panel) if e.kind == "comment"]
    assert reply.reply_to == "Contribution of Marco Rossi"
    only = timeline(panel, ["data_request", "meeting"])
    assert {entry.kind for entry in only} == {"data_request", "meeting"}
    assert [entry.when for entry in only] == sorted(entry.when for entry in only)


def test_reading_notifications_never_writes(portal):
    from ern.cpms.notifications import ANNOTATION
    from zope.annotation.interfaces import IAnnotations

    del IAnnotations(portal)[ANNOTATION]
    centre = NotificationCentre()
    assert centre.items("expert.rossi") == []
    assert centre.preferences("expert.rossi")["comment"] == "immediate"
    assert ANNOTATION not in IAnnotations(portal)


def test_a_closed_panel_keeps_its_members(portal):
    """Withdrawing a member from a closed panel would take the record and
    the outcome away from them: refused, and not offered."""
    catalog = portal.portal_catalog
    (brain,) = catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="closed"
    )
    panel = brain._unrestrictedGetObject()
    member = invitations.invitations_of(panel, ("accepted",))[0]
    lead = panel.panel_lead
    with api.env.adopt_user(username=lead):
        offered = {t["id"] for t in portal.portal_workflow.getTransitionsFor(member)}
        with pytest.raises(BadRequest) as refused:
            invitations.withdraw(member)
    assert "withdraw" not in offered
    assert "closed panel keeps its members" in field_error_of(refused.value).message
    assert api.content.get_state(member) == "accepted"
