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


def panels_of(work):
    return [p["@id"] for state in work["panels"].values() for p in state]


def questions_for(userid):
    return [row["question"] for row in my_work(userid)["data_requests"]]


def test_answered_and_cancelled_requests_leave_the_list(portal):
    """The open data requests come from an index of their own, which a
    request leaves when it is answered or cancelled."""
    from ern.cpms import data_requests
    from panels import as_user
    from panels import make_panel
    from test_data_requests import ask

    panel = make_panel(portal, ("Ines", "Work"), members=["expert.rossi"])
    request = ask(panel, question="Is there a recent ERG?")
    assert "Is there a recent ERG?" in questions_for("dr.dekker")
    as_user("dr.dekker", data_requests.answer_request, request, "Yes, from May.")
    assert "Is there a recent ERG?" not in questions_for("dr.dekker")
    cancelled = ask(panel, question="Is there a recent OCT?")
    assert "Is there a recent OCT?" in questions_for("dr.dekker")
    as_user("expert.rossi", api.content.transition, obj=cancelled, transition="cancel")
    assert "Is there a recent OCT?" not in questions_for("dr.dekker")
    catalog = api.portal.get_tool("portal_catalog")
    path = "/".join(panel.getPhysicalPath())
    assert not catalog.unrestrictedSearchResults(
        path=path,
        open_request_people=["user:dr.dekker", "user:erasmus-mc-health-professionals"],
    )


def test_people_who_gain_a_role_on_a_panel_find_it(portal):
    """A panel's index entries follow its roles: an expert who accepts an
    invitation, a new lead."""
    from ern.cpms import invitations
    from panels import as_user
    from panels import make_panel
    from test_panel import colleague
    from zope.event import notify
    from zope.lifecycleevent import ObjectModifiedEvent

    panel = make_panel(portal, ("Ines", "Work"))
    url = panel.absolute_url()
    assert url not in panels_of(my_work("dr.weber"))
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["dr.weber"])
    assert [row["@id"] for row in my_work("dr.weber")["invitations"]] == [url]
    as_user("dr.weber", invitations.answer, invitation, accept=True)
    assert url in panels_of(my_work("dr.weber"))
    lead = colleague()
    assert url not in panels_of(my_work(lead))
    panel.panel_lead = lead
    notify(ObjectModifiedEvent(panel))
    assert url in panels_of(my_work(lead))


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
