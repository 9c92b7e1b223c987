"""One panel's whole life in a real browser, as its people live it.

dr.dekker (Erasmus MC) enrols a patient and opens an ERN-EYE panel;
dr.martin (Hôpital Necker) is invited, reads the summary, joins, comments,
asks for data and contributes; dr.dekker answers, schedules a meeting,
contributes, writes and finalises the outcome, downloads its PDF and closes
the panel. Everything is done by clicks and form fills; the database is only
read, to check what the pages claim. Every page dr.martin saw is kept, and
none may name the patient.
"""

from datetime import date
from datetime import timedelta
from ern.cpms.panel_content import children
from ern.cpms.questionnaire import questionnaire_of
from playwright.sync_api import expect
from playwright.sync_api import Page
from plone import api
from urllib.parse import unquote_plus
from web import accept_cookie_notice
from web import screenshot

import io
import pypdf
import re
import time
import transaction


GIVEN, FAMILY = "Marijke", "Quellinckx"
BORN = "2015-03-09"
RECORD_NUMBER = "EMC-473921"
REASON = "Photophobia and nystagmus since birth; reduced visual acuity."
QUESTION = "Achromatopsia or cone dystrophy?"
EXAMINATION = "Pendular nystagmus, fundus unremarkable, no colour vision."
HPO_TERM = "Pendular nystagmus (HP:0012043)"
COMMENT = "Has a full-field ERG been done? Absent cone responses would settle it."
DATA_QUESTION = "Please share the full-field ERG report."
DATA_ANSWER = "ERG of 12 November: cone responses absent, rod responses normal."
VIDEO_LINK = "https://meet.example.org/ern-eye-panel"
AGENDA = "Review the ERG together."
CONCLUSIONS = "Complete achromatopsia is the most likely diagnosis."
REFUSAL = (
    "A patient can only be enrolled with signed consent for care. "
    "Tick it when the patient has signed the form."
)


class Person:
    """One person's browser window; every page they were shown is kept."""

    def __init__(self, web, userid):
        self.userid = userid
        self.page: Page = web.window(userid)
        self.seen = []
        accept_cookie_notice(self.page)

    def look(self):
        """Keep the page as it is now."""
        self.page.wait_for_load_state()
        self.seen.append((self.page.url, self.page.content()))

    def goto(self, url):
        self.page.goto(url)
        self.look()

    def follow(self, locator):
        """Click something that loads a new page; keep that page."""
        with self.page.expect_navigation():
            locator.click()
        self.look()

    def picture(self, name):
        screenshot(self.page, name)

    def message(self):
        return self.page.locator(".portalMessage")


def nav(page, name):
    return page.locator("#portal-globalnav").get_by_role("link", name=name)


def choose(page, field, typed, result):
    """Pick `result` in an AJAX autocomplete (select2) widget after typing."""
    widget = page.locator(f"#s2id_form-widgets-{field}")
    widget.click()
    with page.expect_response(
        lambda response: (
            "getVocabulary" in response.url and typed in unquote_plus(response.url)
        )
    ):
        widget.locator("input.select2-input").fill(typed)
    # Picked by its text: the list may hold more than the matches (the
    # ontologies' @@getVocabulary ignores the typed text for now).
    page.locator(".select2-result-selectable", has_text=result).first.click()
    expect(widget.locator(".select2-search-choice")).to_contain_text(result)


def transition(person, transition_id):
    """Choose a step in the toolbar's State menu."""
    person.page.click("#plone-contentmenu-workflow > a")
    person.follow(person.page.locator(f"#workflow-transition-{transition_id}"))


def back_to_panel(person, panel_url):
    """Follow the breadcrumbs to the panel, as a person would.

    The add forms of what lives in a panel (data request, meeting,
    contribution, outcome) end on the new item's own page, not on the
    panel; a person then clicks the panel in the breadcrumbs.
    """
    if person.page.url.split("#")[0].removesuffix("/view") == panel_url:
        return
    person.follow(
        person.page.locator("#portal-breadcrumbs").get_by_role(
            "link", name="ERN-EYE: Diagnosis"
        )
    )


def database(portal):
    """A fresh look at what the pages wrote."""
    transaction.begin()
    return portal


def patients_called(portal, family_name):
    centre = database(portal)["centres"]["erasmus-mc"]
    return [
        patient
        for patient in centre.objectValues()
        if getattr(patient, "family_name", None) == family_name
    ]


def test_a_panel_from_enrolment_to_closing(web, functional_portal):
    started = time.monotonic()
    today = date.today()
    dekker = Person(web, "dr.dekker")
    page = dekker.page

    # 1. The centre: enrolment is refused without consent, then done.
    dekker.goto(web.url)
    dekker.follow(nav(page, "My centre"))
    expect(page).to_have_url(re.compile(r"/centres/erasmus-mc/@@patients$"))
    expect(page.locator("h1")).to_have_text("Patients of Erasmus MC")
    dekker.picture("journey-01-centre-patients")
    dekker.follow(page.get_by_role("link", name="Enrol patient"))
    expect(page).to_have_url(re.compile(r"/erasmus-mc/\+\+add\+\+Patient$"))
    page.fill("#form-widgets-given_names", GIVEN)
    page.fill("#form-widgets-family_name", FAMILY)
    page.fill("#form-widgets-date_of_birth", BORN)
    page.select_option("#form-widgets-sex", "female")
    page.fill("#form-widgets-hospital_record_number", RECORD_NUMBER)
    dekker.follow(page.locator("#form-buttons-save"))
    expect(page.locator(".alert-danger").first).to_contain_text(REFUSAL)
    assert "${" not in page.content()
    dekker.picture("journey-02-enrolment-refused")
    assert patients_called(functional_portal, FAMILY) == []

    page.locator(".autotoc-nav").get_by_role("link", name="Consent").click()
    page.check("#form-widgets-consent_care-0")
    page.fill("#form-widgets-consent_care_date", str(today - timedelta(days=3)))
    page.check("#form-widgets-consent_care_form_kept_by_centre-0")
    dekker.follow(page.locator("#form-buttons-save"))
    expect(page.locator(".cpms-identity")).to_contain_text(f"{GIVEN} {FAMILY}")
    expect(page.locator(".cpms-identity")).to_contain_text(RECORD_NUMBER)
    (patient,) = patients_called(functional_portal, FAMILY)
    assert re.fullmatch(r"ERN(-[0-9A-Z]{4}){3}", patient.pseudonym)
    expect(page.locator(".cpms-patient code")).to_have_text(patient.pseudonym)
    assert patient.getId() == patient.pseudonym.lower()
    assert patient.consent_care_recorded_by == "dr.dekker"
    dekker.picture("journey-03-patient")

    # 2. The consultation form, opening the panel, inviting dr.martin.
    dekker.follow(page.get_by_role("link", name="Open a panel"))
    page.select_option("#form-widgets-ern", "ERN-EYE")
    page.select_option("#form-widgets-panel_type", "diagnosis")
    page.fill("#form-widgets-reason", REASON)
    page.fill("#form-widgets-questions", QUESTION)
    tabs = page.locator(".autotoc-nav")
    tabs.get_by_role("link", name="Clinical information").click()
    page.fill("#form-widgets-examination", EXAMINATION)
    tabs.get_by_role("link", name="Diagnosis and phenotype").click()
    choose(page, "phenotype_present", "pendular nystagmus", HPO_TERM)
    dekker.picture("journey-04-consultation-form")
    dekker.follow(page.locator("#form-buttons-save"))
    # ERN-EYE has no questionnaire in the demo, so the consultation form
    # has no second step (@@questionnaire): it leads to the panel.
    assert questionnaire_of("ERN-EYE") is None
    expect(page).to_have_url(re.compile(r"/ern-eye-diagnosis/view$"))
    panel_url = page.url.removesuffix("/view")
    expect(page.locator(".cpms-state")).to_have_text("Draft")
    expect(page.locator(".cpms-clinical", has_text=EXAMINATION)).to_be_visible()
    expect(page.locator(".cpms-clinical", has_text=HPO_TERM)).to_be_visible()
    dekker.picture("journey-05-panel-draft")

    transition(dekker, "open")
    expect(page.locator(".cpms-state")).to_have_text("Open")
    dekker.follow(page.get_by_role("link", name="Invite experts"))
    choose(page, "experts", "Martin", "Luc Martin")
    page.fill("#form-widgets-message", "Your view on the ERG would help.")
    page.fill("#form-widgets-reply_by", str(today + timedelta(days=7)))
    dekker.picture("journey-06-invite")
    dekker.follow(page.locator("#form-buttons-invite"))
    expect(dekker.message()).to_contain_text("1 expert(s) invited.")
    expect(page.locator(".cpms-people")).to_contain_text("Luc Martin")
    expect(page.locator(".cpms-invitation-state")).to_have_text("Pending")
    dekker.picture("journey-07-panel-open")

    # 3. dr.martin: the invitation, the summary only, then the whole case.
    martin = Person(web, "dr.martin")
    mpage = martin.page
    martin.goto(web.url)
    martin.follow(nav(mpage, "My ERN work"))
    invitation = mpage.locator(f'.cpms-my-invitations a[href="{panel_url}"]')
    expect(invitation).to_have_text("ERN-EYE: Diagnosis")
    martin.picture("journey-08-martin-my-ern-work")
    martin.follow(invitation)
    expect(mpage.locator(".cpms-reason")).to_have_text(REASON)
    expect(mpage.locator(".cpms-questions")).to_contain_text(QUESTION)
    expect(mpage.locator(".cpms-my-invitation")).to_contain_text(
        "Your view on the ERG would help."
    )
    martin.picture("journey-09-martin-invited-summary")
    summary = mpage.content()
    assert EXAMINATION not in summary
    assert HPO_TERM not in summary
    assert GIVEN not in summary
    assert FAMILY not in summary
    expect(mpage.locator(".cpms-timeline")).to_have_count(0)

    martin.follow(mpage.get_by_role("button", name="Interested", exact=True))
    expect(martin.message()).to_contain_text("Welcome to the panel.")
    expect(mpage.locator(".cpms-clinical", has_text=EXAMINATION)).to_be_visible()
    martin.picture("journey-10-martin-member")

    mpage.fill("#cpms-comment-text", COMMENT)
    martin.follow(mpage.get_by_role("button", name="Add comment"))
    expect(mpage.locator(".cpms-entry-comment")).to_contain_text(COMMENT)

    martin.follow(mpage.get_by_role("link", name="Ask for more data"))
    mpage.fill("#form-widgets-question", DATA_QUESTION)
    mpage.fill("#form-widgets-due_date", str(today + timedelta(days=5)))
    martin.picture("journey-11-martin-data-request")
    martin.follow(mpage.locator("#form-buttons-save"))
    back_to_panel(martin, panel_url)
    expect(mpage.locator(".cpms-data-request-open")).to_contain_text(DATA_QUESTION)

    # 4. dr.dekker answers the request on the panel page.
    dekker.goto(panel_url)
    expect(page.locator(".cpms-open-requests")).to_have_text("1")
    request = page.locator(".cpms-data-request-open")
    request.locator("textarea[name=answer]").fill(DATA_ANSWER)
    dekker.follow(request.get_by_role("button", name="Send the answer"))
    expect(dekker.message()).to_contain_text("Answer sent.")
    expect(page.locator(".cpms-data-request-answered .cpms-answer")).to_have_text(
        DATA_ANSWER
    )
    expect(page.locator(".cpms-open-requests")).to_have_count(0)
    dekker.picture("journey-12-data-request-answered")

    # 5. A meeting, and dr.martin says he attends.
    dekker.follow(page.get_by_role("link", name="Schedule a meeting"))
    day = today + timedelta(days=7)
    page.fill("#form-widgets-start", f"{day}T15:00")
    page.fill("#form-widgets-end", f"{day}T16:00")
    page.select_option("#form-widgets-timezone", "Europe/Amsterdam")
    page.fill("#form-widgets-video_link", VIDEO_LINK)
    page.fill("#form-widgets-agenda", AGENDA)
    dekker.picture("journey-13-meeting-form")
    dekker.follow(page.locator("#form-buttons-save"))
    back_to_panel(dekker, panel_url)
    meetings = page.locator(".cpms-meetings")
    expect(meetings).to_contain_text(f"{day} 15:00")
    expect(
        meetings.get_by_role("link", name="Join the video conference")
    ).to_have_attribute("href", VIDEO_LINK)

    martin.goto(panel_url)
    meeting_row = mpage.locator(".cpms-meetings article")
    martin.follow(meeting_row.get_by_role("button", name="I attend"))
    expect(martin.message()).to_contain_text("Your answer is saved.")
    expect(mpage.locator(".cpms-meetings")).to_contain_text("Attending: Luc Martin")
    martin.picture("journey-14-meeting")

    # 6. Two contributions: dr.martin's and the lead's.
    for person, assessment in (
        (martin, "Absent cone ERG with normal rods: achromatopsia."),
        (dekker, "Agree: achromatopsia; CNGA3/CNGB3 testing advised."),
    ):
        person.goto(panel_url)
        person.follow(person.page.get_by_role("link", name="Record my contribution"))
        person.page.fill("#form-widgets-assessment", assessment)
        person.page.fill("#form-widgets-recommendation", "Genetic testing.")
        person.follow(person.page.locator("#form-buttons-save"))
        back_to_panel(person, panel_url)
        expect(person.page.locator(".cpms-contributions")).to_contain_text(assessment)
    expect(page.locator(".cpms-contributions article")).to_have_count(2)
    expect(page.locator(".cpms-missing")).to_have_count(0)
    dekker.picture("journey-15-contributions")

    # 7. The outcome: drafted, in review, final, printed; the panel closes.
    dekker.follow(page.get_by_role("link", name="Write the outcome document"))
    expect(page.locator("#form-widgets-questions_answered")).to_have_value(
        f"- {QUESTION}"
    )
    expect(page.locator("#form-widgets-contributions_summary")).to_contain_text(
        "Luc Martin"
    )
    page.fill("#form-widgets-conclusions", CONCLUSIONS)
    page.fill("#form-widgets-recommendations", "CNGA3 and CNGB3 sequencing.")
    dekker.follow(page.locator("#form-buttons-save"))
    dekker.picture("journey-16-outcome-draft")
    back_to_panel(dekker, panel_url)
    transition(dekker, "submit_outcome")
    expect(page.locator(".cpms-state")).to_have_text("Outcome in review")
    dekker.follow(
        page.locator(".cpms-outcome").get_by_role(
            "link", name="Outcome document", exact=True
        )
    )
    transition(dekker, "finalise")
    expect(page.locator("#plone-contentmenu-workflow")).to_contain_text("Final")
    dekker.picture("journey-17-outcome-final")
    back_to_panel(dekker, panel_url)

    with page.expect_download() as download:
        page.locator(".cpms-pdf").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert patient.pseudonym in text
    assert CONCLUSIONS in text
    for secret in (GIVEN, FAMILY, RECORD_NUMBER):
        assert secret not in text
        assert secret.encode() not in pdf

    dekker.follow(page.locator(".cpms-close").get_by_role("button"))
    expect(dekker.message()).to_contain_text("The panel is closed.")
    expect(page.locator(".cpms-state")).to_have_text("Closed")
    dekker.picture("journey-18-panel-closed")

    martin.goto(panel_url)
    expect(mpage.locator(".cpms-state")).to_have_text("Closed")
    expect(mpage.locator(".cpms-outcome .cpms-pdf")).to_be_visible()
    # The meetings of a closed panel take no more answers.
    expect(mpage.get_by_role("button", name="I attend")).to_have_count(0)
    martin.picture("journey-19-martin-closed-panel")

    # What the database says the pages did.
    portal = database(functional_portal)
    panel = portal.unrestrictedTraverse(
        panel_url.removeprefix(portal.absolute_url() + "/")
    )
    assert api.content.get_state(panel) == "closed"
    assert panel.panel_lead == "dr.dekker"
    assert not panel.few_contributions_confirmed
    assert panel.phenotype_present == ["HP:0012043"]
    (comment,) = children(panel, "Comment")
    assert COMMENT in comment.text.raw
    (data_request,) = children(panel, "DataRequest")
    assert data_request.answer == DATA_ANSWER
    assert data_request.answered_by == "dr.dekker"
    (meeting,) = children(panel, "Meeting")
    assert meeting.video_link == VIDEO_LINK
    assert meeting.timezone == "Europe/Amsterdam"
    assert meeting.answers() == {"dr.martin": "attend"}
    assert len(children(panel, "Contribution")) == 2
    (outcome,) = children(panel, "OutcomeDocument")
    assert api.content.get_state(outcome) == "final"
    assert outcome.signed_off_by == "dr.dekker"

    # dr.martin never read the patient's identity, on any page.
    assert len(martin.seen) >= 12
    for url, html in martin.seen:
        for secret in (GIVEN, FAMILY, RECORD_NUMBER, BORN):
            assert secret not in html, f"{secret} on {url}"
    print(f"\njourney: {time.monotonic() - started:.0f} s")
