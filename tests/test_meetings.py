"""Meetings: scheduled by members, answered, downloaded as .ics, and each
user's calendar feed (token in the URL, no agenda, pseudonym only)."""

from datetime import date
from datetime import datetime
from ern.cpms import meetings
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.refusals import field_error_of
from panels import as_user
from panels import messages
from panels import reset_mail
from plone.dexterity.utils import createContentInContainer
from zExceptions import BadRequest

import icalendar
import panels
import pytest
import re
import transaction


IDENTITY = ("Mirthe", "Kuipers")
AGENDA = "Discuss the ERG of the left eye."


def make_panel(portal):
    return panels.make_panel(
        portal,
        IDENTITY,
        date_of_birth=date(2013, 7, 7),
        reason="Cone-rod dystrophy suspected.",
        members=["expert.rossi"],
    )


def schedule(panel, userid="expert.rossi", **changes):
    values = {
        "start": datetime(2026, 12, 3, 16, 0),
        "end": datetime(2026, 12, 3, 17, 0),
        "timezone": "Europe/Rome",
        "video_link": "https://meet.example.org/cpms-42",
        "agenda": AGENDA,
        **changes,
    }
    return as_user(
        userid,
        createContentInContainer,
        panel,
        "Meeting",
        checkConstraints=True,
        **values,
    )


@pytest.fixture
def panel(portal):
    return make_panel(portal)


def test_a_member_schedules_and_the_others_are_told(panel):
    reset_mail()
    meeting = schedule(panel)
    assert meeting.Title() == "Meeting on 2026-12-03 16:00 (Europe/Rome)"
    (mail,) = messages()
    assert "dr.dekker@example.org" in mail
    assert IDENTITY[1] not in mail


def test_the_ics_keeps_the_time_zone_and_names_the_pseudonym(panel):
    meeting = schedule(panel)
    calendar = icalendar.Calendar.from_ical(meetings.to_ical([meeting]))
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.utcoffset().total_seconds() == 3600  # Rome, winter
    assert start.hour == 16
    assert panel.aq_parent.Title() in str(event["summary"])
    assert AGENDA in str(event["description"])
    assert str(event["location"]) == "https://meet.example.org/cpms-42"
    for part in IDENTITY:
        assert part not in meetings.to_ical([meeting]).decode()


def test_members_answer_attendance_others_cannot(panel):
    meeting = schedule(panel)
    as_user("expert.rossi", meetings.set_attendance, meeting, "attend")
    as_user("dr.dekker", meetings.set_attendance, meeting, "decline")
    assert meeting.answers() == {"expert.rossi": "attend", "dr.dekker": "decline"}
    with pytest.raises(BadRequest) as info:
        as_user("dr.martin", meetings.set_attendance, meeting, "attend")
    assert field_error_of(info.value).field == "attendance"
    with pytest.raises(BadRequest):
        as_user("expert.rossi", meetings.set_attendance, meeting, "maybe")
    assert meeting.answers()["expert.rossi"] == "attend"


def test_only_https_links(panel):
    from ern.cpms.content.meeting import IMeeting
    from zope.schema import ValidationError

    field = IMeeting["video_link"]
    for link in ("javascript:alert(document.cookie)", "http://meet.example.org/x"):
        with pytest.raises(ValidationError):
            field.validate(link)
    field.validate("https://meet.example.org/x")
    # A link stored some other way is still not shown as a link.
    meeting = schedule(panel)
    meeting.video_link = "javascript:alert(1)"
    assert meeting.safe_video_link() is None


def test_a_closed_panels_meetings_take_no_answers(panel):
    meeting = schedule(panel)
    from ern.cpms.panel_content import freeze

    freeze(panel)
    with pytest.raises(BadRequest):
        as_user("expert.rossi", meetings.set_attendance, meeting, "attend")


def test_an_end_before_the_start_is_refused_by_the_schema(panel):
    from ern.cpms.content.meeting import IMeeting
    from types import SimpleNamespace
    from zope.interface.exceptions import Invalid

    data = SimpleNamespace(
        start=datetime(2026, 12, 3, 16), end=datetime(2026, 12, 3, 15)
    )
    with pytest.raises(Invalid):
        IMeeting.validateInvariants(data)


def test_the_feed_lists_the_users_meetings_only(panel):
    meeting = schedule(panel)
    assert meeting in meetings.meetings_of("expert.rossi")
    assert meeting in meetings.meetings_of("dr.dekker")
    # dr.martin is invited (pending) to the demo's open panel, dr.weber
    # declined: neither sees a meeting.
    assert meetings.meetings_of("dr.martin") == []
    assert meetings.meetings_of("dr.weber") == []


def test_feed_tokens_are_per_user(portal):
    token = meetings.feed_token("expert.rossi")
    assert meetings.token_is_valid("expert.rossi", token)
    assert not meetings.token_is_valid("dr.martin", token)
    changed = token[:-1] + ("1" if token[-1] == "0" else "0")
    assert not meetings.token_is_valid("expert.rossi", changed)
    assert not meetings.token_is_valid("expert.rossi", "")


def test_feed_over_http(functional_portal, request_factory):
    panel = make_panel(functional_portal)
    schedule(panel)
    transaction.commit()
    anonymous = request_factory(api=False)
    base = functional_portal.absolute_url()
    token = meetings.feed_token("expert.rossi")
    response = anonymous.get(
        f"{base}/@@meetings.ics", params={"user": "expert.rossi", "token": token}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    body = response.text
    assert "BEGIN:VEVENT" in body
    assert AGENDA.split()[0] not in body  # agendas stay out of the feed
    for part in IDENTITY:
        assert part not in body
    wrong = anonymous.get(
        f"{base}/@@meetings.ics", params={"user": "dr.martin", "token": token}
    )
    assert wrong.status_code == 404
    # The user finds the address on their page.
    session = request_factory(basic_auth=("expert.rossi", DEMO_PASSWORD), api=False)
    session.headers["Accept"] = "text/html"
    page = session.get(f"{base}/@@my-calendar").text
    assert re.search(rf"token={token}", page)
