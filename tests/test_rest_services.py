"""The named REST services (@timeline, @ern-statistics, @outcome-pdf,
@answer…) and the standard ones where ern.cpms changes them."""

from ern.cpms.demo import DEMO_PASSWORD
from panels import pdf_saying
from plone import api

import base64
import pytest
import transaction


def panel_in(portal, state):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state=state
    )
    return brain._unrestrictedGetObject()


@pytest.fixture
def api_as(functional_portal, request_factory):
    transaction.commit()

    def session(userid=None):
        if userid is None:
            return request_factory()
        return request_factory(basic_auth=(userid, DEMO_PASSWORD))

    return session


def refused(response):
    return response.status_code in (401, 403, 404)


def path_of(portal, obj):
    return obj.absolute_url()[len(portal.absolute_url()) :]


# @timeline


def test_the_timeline_of_a_panel(functional_portal, api_as):
    panel = panel_in(functional_portal, "open")
    path = path_of(functional_portal, panel)
    response = api_as("dr.dekker").get(f"{path}/@timeline")
    assert response.status_code == 200
    body = response.json()
    kinds = {item["kind"] for item in body["items"]}
    assert {"state", "invitation", "comment"} <= kinds
    assert body["items_total"] == len(body["items"])
    whens = [item["when"] for item in body["items"]]
    assert whens == sorted(whens)
    comments = api_as("expert.rossi").get(f"{path}/@timeline?kind=comment").json()
    assert comments["items_total"] == 2
    assert all(item["kind"] == "comment" for item in comments["items"])
    assert all(
        item["@id"].startswith(panel.absolute_url()) for item in comments["items"]
    )
    for name in ("Daan", "de Vries"):
        assert name not in response.text


def test_the_timeline_in_pages(functional_portal, api_as):
    path = path_of(functional_portal, panel_in(functional_portal, "open"))
    page = api_as("dr.dekker").get(f"{path}/@timeline?b_size=2").json()
    assert len(page["items"]) == 2
    assert page["items_total"] > 2
    assert "next" in page["batching"]


def test_an_unknown_kind_names_the_field(functional_portal, api_as):
    path = path_of(functional_portal, panel_in(functional_portal, "open"))
    response = api_as("dr.dekker").get(f"{path}/@timeline?kind=gossip")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "kind"
    assert "gossip" in error["message"]


@pytest.mark.parametrize("userid", ["dr.martin", "coordinator.eye", None])
def test_no_timeline_without_the_clinical_data(functional_portal, api_as, userid):
    """The pending invitee reads the summary only; others nothing."""
    path = path_of(functional_portal, panel_in(functional_portal, "open"))
    response = api_as(userid).get(f"{path}/@timeline")
    assert refused(response)
    assert "commented" not in response.text


# @ern-statistics


def test_the_statistics_of_an_ern(functional_portal, api_as):
    response = api_as("coordinator.eye").get("/erns/ern-eye/@ern-statistics")
    assert response.status_code == 200
    body = response.json()
    assert body["ern"] == "ERN-EYE"
    assert body["panels_total"] == 5
    assert body["panels_by_state"]["closed"] == 1
    assert body["closed_with_fewer_than_2_contributions"] == 0
    assert body["contributions_per_closed_panel"]["2"] == 2


@pytest.mark.parametrize("userid", ["dr.dekker", "editor.eye", None])
def test_only_coordinators_read_the_statistics(functional_portal, api_as, userid):
    assert refused(api_as(userid).get("/erns/ern-eye/@ern-statistics"))


def test_a_coordinator_reads_only_their_ern(functional_portal, api_as):
    assert refused(api_as("coordinator.eye").get("/erns/euro-nmd/@ern-statistics"))


# @outcome-pdf


def test_the_outcome_pdf_of_a_closed_panel(functional_portal, api_as):
    panel = panel_in(functional_portal, "closed")
    response = api_as("dr.dekker").get(
        f"{path_of(functional_portal, panel)}/@outcome-pdf"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]
    patient = panel.__parent__
    for name in (patient.family_name, patient.given_names):
        assert name.encode() not in response.content


def test_no_pdf_before_the_outcome_is_final(functional_portal, api_as):
    panel = panel_in(functional_portal, "outcome_review")
    response = api_as("dr.martin").get(
        f"{path_of(functional_portal, panel)}/@outcome-pdf"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "outcome"


def test_no_pdf_without_an_outcome(functional_portal, api_as):
    panel = panel_in(functional_portal, "open")
    response = api_as("dr.dekker").get(
        f"{path_of(functional_portal, panel)}/@outcome-pdf"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("userid", ["coordinator.eye", "editor.eye", None])
def test_no_pdf_for_outsiders(functional_portal, api_as, userid):
    panel = panel_in(functional_portal, "closed")
    response = api_as(userid).get(f"{path_of(functional_portal, panel)}/@outcome-pdf")
    assert refused(response)
    assert not response.content.startswith(b"%PDF")
    with api.env.adopt_roles(["Manager"]):
        assert panel.__parent__.family_name.encode() not in response.content


# @experts, @invite, @answer


@pytest.fixture
def open_panel(functional_portal):
    """A fresh open ERN-EYE panel led by dr.dekker, nobody invited."""
    from panels import make_panel

    panel = make_panel(functional_portal, ("Mila", "Peeters"))
    transaction.commit()
    return panel


def test_the_lead_finds_experts_to_invite(functional_portal, api_as, open_panel):
    path = path_of(functional_portal, open_panel)
    body = api_as("dr.dekker").get(f"{path}/@experts").json()
    ids = {expert["id"] for expert in body["experts"]}
    assert {"dr.martin", "expert.rossi", "dr.weber"} <= ids
    assert "dr.dekker" not in ids  # the lead
    searched = api_as("dr.dekker").get(f"{path}/@experts?q=necker").json()
    assert [expert["id"] for expert in searched["experts"]] == ["dr.martin"]
    assert refused(api_as("dr.martin").get(f"{path}/@experts"))


def test_invite_and_answer_through_the_api(functional_portal, api_as, open_panel):
    path = path_of(functional_portal, open_panel)
    response = api_as("dr.dekker").post(
        f"{path}/@invite",
        json={"experts": ["dr.martin"], "message": "Please join.", "reply_by": None},
    )
    assert response.status_code == 201
    (item,) = response.json()["items"]
    assert item["invitee"] == "dr.martin"
    assert item["review_state"] == "pending"
    invitation = item["@id"][len(functional_portal.absolute_url()) :]
    # Only the invitee answers.
    assert refused(
        api_as("expert.rossi").post(f"{invitation}/@answer", json={"interested": True})
    )
    answered = api_as("dr.martin").post(
        f"{invitation}/@answer", json={"interested": True}
    )
    assert answered.status_code == 200
    assert answered.json()["review_state"] == "accepted"
    transaction.begin()
    assert "PanelMember" in open_panel.get_local_roles_for_userid("dr.martin")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"experts": "dr.martin"}, "experts"),
        ({"experts": []}, "experts"),
        ({"experts": ["nobody.here"]}, "experts"),
        ({"experts": ["dr.dekker"]}, "experts"),
        ({"experts": ["dr.martin"], "reply_by": "next week"}, "reply_by"),
        ({"experts": ["dr.martin"], "reply_by": "2001-01-01"}, "reply_by"),
        ({"experts": ["dr.martin"], "message": 42}, "message"),
    ],
)
def test_bad_invitations_name_the_field_and_change_nothing(
    functional_portal, api_as, open_panel, body, field
):
    path = path_of(functional_portal, open_panel)
    response = api_as("dr.dekker").post(f"{path}/@invite", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["message"]
    transaction.begin()
    assert not [o for o in open_panel.objectValues() if o.portal_type == "Invitation"]


def test_all_or_none(functional_portal, api_as, open_panel):
    path = path_of(functional_portal, open_panel)
    response = api_as("dr.dekker").post(
        f"{path}/@invite", json={"experts": ["dr.martin", "nobody.here"]}
    )
    assert response.status_code == 400
    transaction.begin()
    assert not [o for o in open_panel.objectValues() if o.portal_type == "Invitation"]


def test_only_the_lead_invites(functional_portal, api_as, open_panel):
    path = path_of(functional_portal, open_panel)
    for userid in ("dr.martin", "coordinator.eye", None):
        response = api_as(userid).post(
            f"{path}/@invite", json={"experts": ["dr.weber"]}
        )
        assert refused(response), userid


@pytest.mark.parametrize("body", [{}, {"interested": "yes"}, {"interested": 1}])
def test_a_bad_answer_names_the_field(functional_portal, api_as, body):
    panel = panel_in(functional_portal, "open")
    (invitation,) = [
        o
        for o in panel.objectValues()
        if o.portal_type == "Invitation" and o.invitee == "dr.martin"
    ]
    response = api_as("dr.martin").post(
        f"{path_of(functional_portal, invitation)}/@answer", json=body
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "interested"
    transaction.begin()
    assert api.content.get_state(invitation) == "pending"


# @patients, @duplicate-check


def test_the_centre_patient_list_through_the_api(functional_portal, api_as):
    session = api_as("dr.dekker")
    everyone = session.post("/centres/erasmus-mc/@patients", json={}).json()
    assert everyone["items_total"] == 2
    found = session.post(
        "/centres/erasmus-mc/@patients", json={"q": "jans", "sort": "pseudonym"}
    ).json()
    (jansen,) = found["items"]
    assert jansen["family_name"] == "Jansen"
    assert jansen["pseudonym"].startswith("ERN-")
    page = session.post(
        "/centres/erasmus-mc/@patients", json={"b_size": 1, "b_start": 1}
    ).json()
    assert len(page["items"]) == 1
    assert page["items_total"] == 2


def test_another_centre_lists_nothing_of_ours(functional_portal, api_as):
    response = api_as("dr.martin").post(
        "/centres/erasmus-mc/@patients", json={"q": "jansen"}
    )
    assert refused(response)
    assert "Jansen" not in response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"q": "j"}, "q"),
        ({"q": 7}, "q"),
        ({"sort": "name"}, "sort"),
        ({"consent": "maybe"}, "consent"),
        ({"panels": "all"}, "panels"),
        ({"b_size": 1000}, "b_size"),
        ({"b_start": -1}, "b_start"),
        ({"b_start": "0"}, "b_start"),
    ],
)
def test_bad_patient_searches_name_the_field(functional_portal, api_as, body, field):
    response = api_as("dr.dekker").post("/centres/erasmus-mc/@patients", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


IDENTITY = {
    "family_name": "Jansen",
    "given_names": "Lotte",
    "date_of_birth": "2012-04-17",
    "sex": "female",
}


def test_the_duplicate_check(functional_portal, api_as):
    session = api_as("dr.dekker")
    known = session.post("/centres/erasmus-mc/@duplicate-check", json=IDENTITY)
    assert known.status_code == 200
    assert known.json()["enrolled_here"] is True
    assert known.json()["patient"]["pseudonym"].startswith("ERN-")
    # Written differently, the same person (case, accents, spaces).
    again = session.post(
        "/centres/erasmus-mc/@duplicate-check",
        json={**IDENTITY, "family_name": " JÄNSEN "},
    ).json()
    assert again["enrolled_here"] is True
    new = session.post(
        "/centres/erasmus-mc/@duplicate-check",
        json={**IDENTITY, "given_names": "Noor"},
    ).json()
    assert new == {"enrolled_here": False, "patient": None}


def test_the_duplicate_check_tells_nothing_of_other_centres(functional_portal, api_as):
    """Necker may not learn that Erasmus MC treats Lotte Jansen, nor her
    pseudonym: no oracle for guessed identities."""
    response = api_as("dr.martin").post(
        "/centres/necker/@duplicate-check", json=IDENTITY
    )
    assert response.json() == {"enrolled_here": False, "patient": None}
    assert refused(
        api_as("dr.martin").post("/centres/erasmus-mc/@duplicate-check", json=IDENTITY)
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"family_name": " "}, "family_name"),
        ({"given_names": None}, "given_names"),
        ({"date_of_birth": "17/04/2012"}, "date_of_birth"),
        ({"sex": "x"}, "sex"),
    ],
)
def test_a_bad_duplicate_check_names_the_field(
    functional_portal, api_as, change, field
):
    response = api_as("dr.dekker").post(
        "/centres/erasmus-mc/@duplicate-check", json={**IDENTITY, **change}
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


# @calendar, @ern-panels


def test_my_calendar_through_the_api(functional_portal, api_as):
    body = api_as("expert.rossi").get("/@calendar").json()
    assert "/@@meetings.ics?user=expert.rossi&token=" in body["feed"]
    (meeting,) = body["meetings"]
    assert meeting["video_link"].startswith("https://")
    assert meeting["start"] < meeting["end"]
    # The feed works with its token, and not with another's.
    feed = api_as().get(body["feed"].replace(functional_portal.absolute_url(), ""))
    assert "BEGIN:VCALENDAR" in feed.text
    assert refused(api_as().get("/@calendar"))


def test_a_coordinator_lists_the_ern_panels(functional_portal, api_as):
    body = api_as("coordinator.eye").get("/erns/ern-eye/@ern-panels").json()
    assert body["items_total"] == 5
    closed = (
        api_as("coordinator.eye").get("/erns/ern-eye/@ern-panels?state=closed").json()
    )
    (panel,) = closed["items"]
    assert panel["contributions"] == 2
    assert panel["opened"] <= panel["closed"]
    assert "Charité" in panel["centre"]
    paged = api_as("coordinator.eye").get("/erns/ern-eye/@ern-panels?b_size=2").json()
    assert len(paged["items"]) == 2
    assert "next" in paged["batching"]
    bad = api_as("coordinator.eye").get("/erns/ern-eye/@ern-panels?state=lost")
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "state"
    for userid in ("dr.dekker", "editor.eye", None):
        assert refused(api_as(userid).get("/erns/ern-eye/@ern-panels")), userid


def test_a_patient_is_named_by_its_pseudonym_in_json(functional_portal, api_as):
    (brain,) = functional_portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Patient",
        path="/plone/centres/necker",
        sort_on="created",
        sort_limit=1,
    )[:1]
    body = (
        api_as("dr.martin")
        .get(brain.getURL()[len(functional_portal.absolute_url()) :])
        .json()
    )
    assert body["title"] == body["pseudonym"] == brain.Title
    assert body["pseudonym"].startswith("ERN-")


# @answer on a data request


def _data_request(portal):
    (request,) = [
        item
        for item in panel_in(portal, "open").objectValues()
        if item.portal_type == "DataRequest"
    ]
    return request


def test_the_centre_answers_a_data_request_with_a_file(functional_portal, api_as):
    request = _data_request(functional_portal)
    path = path_of(functional_portal, request)
    report = pdf_saying("Full-field ERG: generalised cone dysfunction.")
    response = api_as("dr.dekker").post(
        f"{path}/@answer",
        json={
            "answer": "ERG attached.",
            "kind": "report",
            "file": {
                "data": base64.b64encode(report).decode(),
                "filename": "Vermeulen_ERG.pdf",
            },
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["review_state"] == "answered"
    transaction.begin()
    assert request.answer == "ERG attached."
    assert request.answered_by == "dr.dekker"
    (attachment,) = [
        item
        for item in request.__parent__.objectValues()
        if item.portal_type == "Attachment" and item.refers_to == request.UID()
    ]
    # Stored under a neutral name, never the one sent.
    assert attachment.file.filename == "report.pdf"
    assert attachment.file.data == report


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "answer"),
        ({"answer": "   "}, "answer"),
        ({"answer": 42}, "answer"),
        (
            {
                "answer": "See file",
                "file": {"data": "not base64!", "filename": "a.pdf"},
            },
            "file",
        ),
        ({"answer": "See file", "file": "a.pdf"}, "file"),
        (
            {
                "answer": "See file",
                "kind": "gossip",
                "file": {"data": "", "filename": "a"},
            },
            "kind",
        ),
        # A file that names the patient: the answer is not kept either.
        (
            {
                "answer": "See file",
                "file": {
                    "data": base64.b64encode(pdf_saying("Daan de Vries")).decode(),
                    "filename": "erg.pdf",
                },
            },
            "file",
        ),
    ],
)
def test_a_bad_answer_to_a_data_request_names_the_field(
    functional_portal, api_as, body, field
):
    request = _data_request(functional_portal)
    response = api_as("dr.dekker").post(
        f"{path_of(functional_portal, request)}/@answer", json=body
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field
    transaction.begin()
    assert api.content.get_state(request) == "open"
    assert not request.answer
    assert not [
        item
        for item in request.__parent__.objectValues()
        if item.portal_type == "Attachment"
    ]


@pytest.mark.parametrize("userid", ["expert.rossi", "dr.martin", None])
def test_only_the_centre_answers_a_data_request(functional_portal, api_as, userid):
    request = _data_request(functional_portal)
    response = api_as(userid).post(
        f"{path_of(functional_portal, request)}/@answer", json={"answer": "Here."}
    )
    assert refused(response)
    transaction.begin()
    assert api.content.get_state(request) == "open"


# PATCH and POST: the field is named, nothing is kept


def test_a_bad_edit_names_the_field_and_changes_nothing(functional_portal, api_as):
    panel = panel_in(functional_portal, "open")
    reason = panel.reason
    response = api_as("dr.dekker").patch(
        path_of(functional_portal, panel),
        json={"reason": "Now urgent", "ern": "ERN-NONE", "panel_type": "gossip"},
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] in ("ern", "panel_type")
    assert {e["field"] for e in error["errors"]} == {"ern", "panel_type"}
    transaction.begin()
    assert panel.reason == reason


def test_a_comment_with_control_characters_is_refused(functional_portal, api_as):
    """Plone's HTML filter failed on them: a 500 (found by schemathesis)."""
    panel = panel_in(functional_portal, "open")
    before = len(panel.objectIds())
    for text in ("Bell\x07", {"data": "<p>nul\x00</p>", "content-type": "text/html"}):
        response = api_as("expert.rossi").post(
            path_of(functional_portal, panel), json={"@type": "Comment", "text": text}
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["field"] == "text"
    transaction.begin()
    assert len(panel.objectIds()) == before


# @workflow: only those who may take a transition hear of it


def test_a_transition_to_the_current_state_needs_the_permission(
    functional_portal, api_as
):
    """plone.restapi answered 200 (and the last actor's id) to anyone who
    could view an object already in the transition's state."""
    webinar = functional_portal["erns"]["ern-eye"]["resources"]["cpms-for-panel-leads"]
    path = f"{path_of(functional_portal, webinar)}/@workflow/publish"
    effective = webinar.effective()
    anonymous = api_as().post(path)
    assert anonymous.status_code == 401
    assert "editor.eye" not in anonymous.text
    outsider = api_as("dr.martin").post(path)
    assert outsider.status_code == 400
    assert "editor.eye" not in outsider.text
    transaction.begin()
    # Neither wrote anything (plone.restapi sets a missing effective date).
    assert webinar.effective() == effective
    editor = api_as("editor.eye").post(path)
    assert editor.status_code == 200
    assert editor.json()["review_state"] == "public"


def test_a_webinar_in_an_implausible_year_names_the_field(functional_portal, api_as):
    """The catalog's date indexes failed on a year 5208 (a 500, found by
    schemathesis); created without speakers, it was refused too."""
    resources = functional_portal["erns"]["ern-eye"]["resources"]
    before = set(resources.objectIds())
    response = api_as("editor.eye").post(
        path_of(functional_portal, resources),
        json={
            "@type": "Webinar",
            "title": "Far future",
            "start": "2027-03-01T14:00:00",
            "end": "5208-09-25T05:51:07Z",
        },
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "end"
    assert "2000 and 2100" in response.json()["error"]["message"]
    transaction.begin()
    assert set(resources.objectIds()) == before
    created = api_as("editor.eye").post(
        path_of(functional_portal, resources),
        json={
            "@type": "Webinar",
            "title": "Next spring",
            "start": "2027-03-01T14:00:00",
            "end": "2027-03-01T15:00:00",
        },
    )
    assert created.status_code == 201, created.text
