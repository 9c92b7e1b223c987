"""``@my-work``: what waits for each demo user, from the demo's panels."""

from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.demo import PATIENTS
from ern.cpms.work import my_work
from plone import api

import pytest


def test_a_pending_invitation_waits_for_the_invitee(portal):
    work = my_work("dr.martin")
    (invitation,) = work["invitations"]
    assert invitation["title"] == "ERN-EYE: Diagnosis"
    assert invitation["urgent"] is True
    assert invitation["pseudonym"].startswith("ERN-")
    # Not also listed as one of their panels.
    assert all(p["@id"] != invitation["@id"] for p in work["panels"]["open"])


def test_the_lead_sees_their_panels_and_the_request_to_answer(portal):
    work = my_work("dr.dekker")
    assert [p["title"] for p in work["panels"]["open"]] == ["ERN-EYE: Diagnosis"]
    assert {p["title"] for p in work["panels"]["draft"]} == {"ERN-EYE: Diagnosis"}
    (request,) = work["data_requests"]
    assert request["question"] == (
        "Please share the full-field ERG when it is available."
    )
    # dr.dekker leads the open panel and has not contributed yet.
    assert "ERN-EYE: Diagnosis" in [p["title"] for p in work["contributions"]]


def test_the_current_user_gets_the_same_as_when_asked_by_name(portal):
    """my_work() for the logged-in person checks the data requests as them
    without adopting them again; asked by name for someone else, it adopts
    them: both answer alike."""
    by_name = my_work("dr.dekker")
    with api.env.adopt_user(username="dr.dekker"):
        assert my_work() == by_name
    with api.env.adopt_user(username="expert.rossi"):
        # The member answers none, not even when asking for dr.dekker's.
        assert my_work()["data_requests"] == []
        assert my_work("dr.dekker") == by_name


def test_a_member_sees_the_outcome_to_review(portal):
    work = my_work("expert.rossi")
    assert [p["title"] for p in work["reviews"]] == ["EURO-NMD: Treatment / management"]
    # rossi contributed on both active panels; nothing to record.
    assert work["contributions"] == []
    # A member answers no data request.
    assert work["data_requests"] == []


def test_a_declined_expert_has_nothing_of_that_panel(portal):
    work = my_work("dr.weber")
    titles = [p["title"] for state in work["panels"].values() for p in state]
    assert "ERN-EYE: Diagnosis" not in titles
    assert work["invitations"] == []


@pytest.mark.parametrize("userid", ["dr.martin", "expert.rossi"])
def test_over_rest(request_factory, userid):
    session = request_factory(basic_auth=(userid, DEMO_PASSWORD))
    response = session.get("/@my-work")
    for person in PATIENTS:  # no demo patient's name, ever
        assert person.family_name not in response.text
        assert person.given_names not in response.text
    data = response.json()
    assert set(data) == {
        "invitations",
        "panels",
        "data_requests",
        "contributions",
        "reviews",
    }


def test_anonymous_gets_nothing(request_factory):
    assert request_factory().get("/@my-work").status_code == 401
