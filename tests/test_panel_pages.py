"""The panel's pages over HTTP: invite, answer, comment, filter the
timeline, close with confirmation, download the outcome PDF."""

from datetime import date
from ern.cpms import invitations
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.panel_content import outcome_of
from panels import as_user
from panels import make_panel
from panels import pdf_saying
from panels import write_outcome
from plone import api
from plone.dexterity.utils import createContentInContainer

import io
import pypdf
import pytest
import re
import transaction


IDENTITY = ("Sanne", "Brouwer", "HRN-77812")
CLINICAL_MARKER = "Fundus shows bone-spicule pigment"
AUTHENTICATOR = re.compile(r'name="_authenticator"[^>]*value="([^"]+)"')


@pytest.fixture
def panel(functional_portal):
    panel = make_panel(
        functional_portal,
        IDENTITY,
        hospital_record_number=IDENTITY[2],
        date_of_birth=date(2011, 1, 15),
        reason="Progressive night blindness.",
        questions=["Is this X-linked retinitis pigmentosa?"],
        examination=CLINICAL_MARKER,
    )
    transaction.commit()
    return panel


@pytest.fixture
def session_of(request_factory):
    def make(userid):
        session = request_factory(basic_auth=(userid, DEMO_PASSWORD), api=False)
        session.headers["Accept"] = "text/html"
        return session

    return make


def refused_page(response):
    """Plone refuses a logged-in user by sending them to require_login."""
    return response.status_code in (401, 403, 404) or (
        "require_login" in response.url or "insufficient-privileges" in response.url
    )


def post_on_page(session, page_url, action_url, data):
    """POST a form of `page_url` with the page's CSRF token."""
    token = AUTHENTICATOR.search(session.get(page_url).text).group(1)
    return session.post(action_url, data={**data, "_authenticator": token})


def test_panel_page_shows_age_and_sex_never_the_identity(panel, session_of):
    rossi, _weber = as_user(
        "dr.dekker", invitations.invite, panel, ["expert.rossi", "dr.weber"]
    )
    as_user("expert.rossi", invitations.answer, rossi, accept=True)
    transaction.commit()
    for userid in ("dr.dekker", "expert.rossi"):
        html = session_of(userid).get(panel.absolute_url()).text
        assert "Age at panel opening" in html
        assert re.search(r'class="cpms-age"[^>]*>\s*15 years', html)
        for part in IDENTITY:
            assert part not in html, (userid, part)
    # The pending invitee reads the summary only: no age, no sex.
    html = session_of("dr.weber").get(panel.absolute_url()).text
    assert "You are invited to this panel" in html
    assert "Age at panel opening" not in html


def test_invite_form_invites_and_the_invitee_accepts(panel, session_of):
    lead = session_of("dr.dekker")
    url = panel.absolute_url()
    response = post_on_page(
        lead,
        f"{url}/@@invite",
        f"{url}/@@invite",
        {
            "form.widgets.experts": "expert.rossi",
            "form.widgets.message": "Your view on the ERG, please.",
            "form.buttons.invite": "Invite",
        },
    )
    assert response.status_code == 200
    assert "1 expert(s) invited" in response.text
    transaction.begin()  # see what the server committed
    (invitation,) = invitations.invitations_of(panel)
    assert invitation.message == "Your view on the ERG, please."

    expert = session_of("expert.rossi")
    page = expert.get(url).text
    assert "You are invited to this panel" in page
    assert "Is this X-linked retinitis pigmentosa?" in page
    assert CLINICAL_MARKER not in page
    answered = post_on_page(
        expert,
        url,
        f"{url}/@@invitation-action",
        {"invitation": invitation.getId(), "action": "accept"},
    )
    assert "Welcome to the panel" in answered.text
    assert CLINICAL_MARKER in expert.get(url).text


def test_the_add_menu_leads_to_the_invite_form(panel, session_of):
    response = session_of("dr.dekker").get(f"{panel.absolute_url()}/++add++Invitation")
    assert response.url == f"{panel.absolute_url()}/@@invite"
    assert "Invite experts" in response.text


MENU = re.compile(r'id="plone-contentmenu-(\w+)"')


def test_the_toolbar_keeps_the_state_menu_inside_a_record(panel, session_of):
    """Inside a patient's record clinicians get the State menu only: the
    page's own links replace Add new…, Actions and Display; elsewhere
    Plone's menus stay."""
    for url in (panel.absolute_url(), panel.__parent__.absolute_url()):
        html = session_of("dr.dekker").get(url).text
        assert set(MENU.findall(html)) == {"workflow"}, url
        assert 'id="workflow-transition-' in html  # the lead's steps
        assert "/++add++" in html  # the page's own links
    # Outside records nothing changes: an ERN editor adds to their ERN.
    ern_eye = api.portal.get()["erns"]["ern-eye"].absolute_url()
    menus = MENU.findall(session_of("editor.eye").get(ern_eye).text)
    assert {"factories", "actions", "workflow"} <= set(menus)


def test_empty_clinical_sections_are_not_listed(panel, session_of):
    html = session_of("dr.dekker").get(panel.absolute_url()).text
    assert CLINICAL_MARKER in html  # the examination, filled in
    assert "Histology" not in html  # empty: not shown


def test_invite_form_refuses_a_non_expert_in_the_form(panel, session_of):
    lead = session_of("dr.dekker")
    url = panel.absolute_url()
    response = post_on_page(
        lead,
        f"{url}/@@invite",
        f"{url}/@@invite",
        {"form.widgets.experts": "coordinator.eye", "form.buttons.invite": "Invite"},
    )
    assert response.status_code == 200
    assert "Traceback" not in response.text
    assert "invalid-feedback" in response.text
    transaction.begin()
    assert invitations.invitations_of(panel) == []


def test_invite_form_is_the_leads_only(panel, session_of):
    response = session_of("dr.martin").get(f"{panel.absolute_url()}/@@invite")
    assert refused_page(response)


def test_the_expert_search_finds_by_centre_and_country(panel, session_of):
    lead = session_of("dr.dekker")
    url = f"{panel.absolute_url()}/@@invite/@@getVocabulary"
    params = {"name": "ern.cpms.vocabularies.Experts", "field": "experts"}
    found = lead.get(url, params={**params, "query": "Charité"}).json()["results"]
    assert {"expert.rossi", "dr.weber"} <= {item["id"] for item in found}
    assert "dr.dekker" not in {item["id"] for item in found}  # the lead
    # Someone else may not search the experts through this form.
    other = session_of("dr.martin").get(url, params={**params, "query": "Charité"})
    assert "expert.rossi" not in other.text


def test_declining_removes_the_panel_from_the_expert(panel, session_of):
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    transaction.commit()
    expert = session_of("expert.rossi")
    url = panel.absolute_url()
    post_on_page(
        expert,
        url,
        f"{url}/@@invitation-action",
        {"invitation": invitation.getId(), "action": "decline", "reason": "On leave"},
    )
    assert refused_page(expert.get(url))


def test_comments_are_sanitised_and_the_timeline_filters(panel, session_of):
    url = panel.absolute_url()
    lead = session_of("dr.dekker")
    post_on_page(
        lead,
        url,
        f"{url}/@@add-comment",
        {"text": "Look at <script>alert(1)</script> the ERG.\n\nSecond paragraph."},
    )
    page = lead.get(url).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page or "alert(1)" not in page
    assert "Anna Dekker commented" in page
    assert "Anna Dekker opened the panel." in page
    only_comments = lead.get(url, params={"kind": "comment"}).text
    assert "Anna Dekker commented" in only_comments
    assert "opened the panel" not in only_comments


def test_an_empty_comment_is_refused_with_a_message(panel, session_of):
    url = panel.absolute_url()
    lead = session_of("dr.dekker")
    response = post_on_page(lead, url, f"{url}/@@add-comment", {"text": "  "})
    assert "Write a comment first." in response.text
    transaction.begin()
    assert not [o for o in panel.objectValues() if o.portal_type == "Comment"]


def finalised(panel):
    for invitation in as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"]):
        as_user("expert.rossi", invitations.answer, invitation, accept=True)
    as_user(
        "expert.rossi",
        createContentInContainer,
        panel,
        "Contribution",
        checkConstraints=True,
        assessment="X-linked RP likely.",
        recommendation="RPGR sequencing.",
    )
    write_outcome(panel)
    as_user("dr.dekker", api.content.transition, obj=panel, transition="submit_outcome")
    outcome = outcome_of(panel)
    as_user("dr.dekker", api.content.transition, obj=outcome, transition="finalise")
    transaction.commit()
    return outcome


def test_closing_with_one_contribution_needs_the_tick(panel, session_of):
    finalised(panel)
    url = panel.absolute_url()
    lead = session_of("dr.dekker")
    page = lead.get(url).text
    assert "Close the panel anyway" in page
    refused = post_on_page(lead, url, f"{url}/@@close-panel", {})
    assert "confirm that you close" in refused.text
    transaction.begin()
    assert api.content.get_state(panel) == "outcome_review"
    post_on_page(lead, url, f"{url}/@@close-panel", {"confirm_few_contributions": "1"})
    transaction.begin()
    assert api.content.get_state(panel) == "closed"
    history = panel.workflow_history["cpms_panel_workflow"][-1]
    assert "fewer than 2 contributions" in history["comments"]


def test_the_final_outcome_downloads_as_a_pdf_without_identity(panel, session_of):
    outcome = finalised(panel)
    response = session_of("expert.rossi").get(f"{outcome.absolute_url()}/@@pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = "\n".join(
        page.extract_text()
        for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    assert panel.aq_parent.Title() in text
    assert "ERN-EYE" in text
    assert "Marco Rossi" in text  # a member, with the centre
    assert "Charité" in text
    assert "Retinitis pigmentosa, X-linked." in text
    assert "treating clinician" in text
    assert "Signed off by Anna Dekker, Erasmus MC" in text
    for part in IDENTITY:
        assert part not in text
        assert part.encode() not in response.content


def test_no_pdf_before_the_outcome_is_final(panel, session_of):
    outcome = write_outcome(panel)
    transaction.commit()
    response = session_of("dr.dekker").get(f"{outcome.absolute_url()}/@@pdf")
    assert response.headers["Content-Type"].startswith("text/html")
    assert "once the outcome is final" in response.text


def test_data_request_is_answered_on_the_page(panel, session_of):
    for invitation in as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"]):
        as_user("expert.rossi", invitations.answer, invitation, accept=True)
    request = as_user(
        "expert.rossi",
        createContentInContainer,
        panel,
        "DataRequest",
        checkConstraints=True,
        question="Please share the full-field ERG.",
    )
    transaction.commit()
    url = panel.absolute_url()
    lead = session_of("dr.dekker")
    page = lead.get(url).text
    assert "cpms-open-requests" in page
    assert "Please share the full-field ERG." in page
    # The member sees it, but no answer box.
    assert "Send the answer" not in session_of("expert.rossi").get(url).text
    post_on_page(
        lead,
        url,
        f"{url}/@@answer-data-request",
        {"request": request.getId(), "answer": "ERG: extinguished rod responses."},
    )
    transaction.begin()
    assert api.content.get_state(request) == "answered"
    assert "cpms-open-requests" not in lead.get(url).text


def test_a_file_naming_the_patient_is_refused_in_the_form(panel, session_of):
    url = panel.absolute_url()
    lead = session_of("dr.dekker")
    token = AUTHENTICATOR.search(lead.get(f"{url}/++add++Attachment").text).group(1)
    response = lead.post(
        f"{url}/++add++Attachment",
        data={
            "_authenticator": token,
            "form.widgets.kind:list": "report",
            "form.buttons.save": "Save",
        },
        files={
            "form.widgets.file": (
                "scan.pdf",
                pdf_saying(f"Patient {IDENTITY[0]} {IDENTITY[1]}: OCT normal."),
                "application/pdf",
            )
        },
    )
    assert response.status_code == 200
    assert "names the patient" in response.text
    transaction.begin()
    assert not [o for o in panel.objectValues() if o.portal_type == "Attachment"]


def test_every_save_of_the_outcome_is_a_version(panel, session_of):
    outcome = write_outcome(panel)
    transaction.commit()
    lead = session_of("dr.dekker")
    edit = f"{outcome.absolute_url()}/@@edit"
    for conclusions in ("First draft of the conclusions.", "Revised conclusions."):
        token = AUTHENTICATOR.search(lead.get(edit).text).group(1)
        response = lead.post(
            edit,
            data={
                "_authenticator": token,
                "form.widgets.conclusions": conclusions,
                "form.widgets.recommendations": "Genetic testing.",
                # Ticked by default in the form, as a browser sends it.
                "form.widgets.IVersionable.versioning_enabled:list": "selected",
                "form.widgets.IVersionable.changeNote": f"Now: {conclusions}",
                "form.buttons.save": "Save",
            },
        )
        assert response.status_code == 200
    transaction.begin()
    repository = api.portal.get_tool("portal_repository")
    with api.env.adopt_user(username="dr.dekker"):
        history = repository.getHistoryMetadata(outcome)
        count = history.getLength(countPurged=False)
        versions = [
            repository.retrieve(outcome, selector).object.conclusions
            for selector in range(count)
        ]
    assert count >= 2
    assert "First draft of the conclusions." in versions
    assert outcome.conclusions == "Revised conclusions."
    # The lead compares two versions on the history page.
    page = lead.get(f"{outcome.absolute_url()}/@@historyview").text
    assert "Now: First draft of the conclusions." in page
    assert "Compare" in page


def comment_with_file(session, url, text, data):
    token = AUTHENTICATOR.search(session.get(url).text).group(1)
    return session.post(
        f"{url}/@@add-comment",
        data={"_authenticator": token, "text": text, "kind": "report"},
        files={"file": ("upload.pdf", data, "application/pdf")},
    )


def test_a_comment_carries_a_file(panel, session_of):
    url = panel.absolute_url()
    lead = session_of("dr.dekker")
    comment_with_file(lead, url, "OCT attached.", pdf_saying("OCT: normal."))
    transaction.begin()
    (comment,) = [o for o in panel.objectValues() if o.portal_type == "Comment"]
    (attachment,) = [o for o in panel.objectValues() if o.portal_type == "Attachment"]
    assert attachment.refers_to == comment.UID()
    assert attachment.file.filename == "report.pdf"
    assert f"{attachment.absolute_url()}/@@download/file" in lead.get(url).text


def test_a_refused_file_keeps_the_comment_out_too(panel, session_of):
    url = panel.absolute_url()
    lead = session_of("dr.dekker")
    response = comment_with_file(
        lead, url, "See the report.", pdf_saying(f"Patient {IDENTITY[1]}.")
    )
    assert "names the patient" in response.text
    transaction.begin()
    kinds = {o.portal_type for o in panel.objectValues()}
    assert "Comment" not in kinds
    assert "Attachment" not in kinds


def test_what_is_added_to_a_panel_leads_back_to_its_place(panel, session_of):
    url = panel.absolute_url()
    lead = session_of("dr.dekker")
    for portal_type, fields, section in (
        (
            "Meeting",
            {
                "form.widgets.start": "2026-12-15T10:00",
                "form.widgets.end": "2026-12-15T11:00",
                "form.widgets.timezone": "Europe/Amsterdam",
                "form.widgets.video_link": "https://meet.example.org/erg",
            },
            "meetings",
        ),
        (
            "Contribution",
            {
                "form.widgets.assessment": "Likely RPGR.",
                "form.widgets.recommendation": "Test RPGR.",
            },
            "contributions",
        ),
    ):
        token = AUTHENTICATOR.search(lead.get(f"{url}/++add++{portal_type}").text)
        response = lead.post(
            f"{url}/++add++{portal_type}",
            data={
                **fields,
                "_authenticator": token.group(1),
                "form.buttons.save": "Save",
            },
        )
        assert response.url == f"{url}#{section}", (portal_type, response.url)
        assert f'id="{section}"' in response.text
