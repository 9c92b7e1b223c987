"""Meetings of panels: notices, attendance, .ics files and each user's
personal calendar feed."""

from ern.cpms import _
from ern.cpms.content.meeting import ATTEND
from ern.cpms.content.meeting import DECLINE
from ern.cpms.notifications import panel_reference
from ern.cpms.notifications import send
from ern.cpms.panel_content import panel_of
from ern.cpms.panel_content import participants
from ern.cpms.pseudonym import site_secret
from ern.cpms.refusals import FieldError
from ern.cpms.refusals import refusal
from plone import api
from zope.lifecycleevent.interfaces import IObjectAddedEvent

import hashlib
import hmac
import icalendar


def _label(meeting):
    start = meeting.starts()
    return f"{start:%Y-%m-%d %H:%M} ({meeting.timezone})"


def meeting_saved(meeting, event):
    """Title from the time; the participants hear of a new or changed time."""
    meeting.title = api.portal.translate(
        _("Meeting on ${when}", mapping={"when": _label(meeting)})
    )
    panel = panel_of(meeting)
    added = IObjectAddedEvent.providedBy(event)
    text = _(
        "A panel meeting is planned on ${when}.",
        mapping={"when": _label(meeting)},
    )
    if not added:
        text = _(
            "A panel meeting has changed; it is now on ${when}.",
            mapping={"when": _label(meeting)},
        )
    send(
        "meeting",
        participants(panel) - {api.user.get_current().getId()},
        text,
        panel,
    )


def set_attendance(meeting, answer):
    """The current participant attends or declines."""
    userid = api.user.get_current().getId()
    if answer not in (ATTEND, DECLINE):
        raise refusal(FieldError("attendance", _("Answer attend or decline.")))
    if api.content.get_state(meeting) == "frozen":
        raise refusal(FieldError("attendance", _("The panel is closed.")))
    if userid not in participants(panel_of(meeting)):
        raise refusal(FieldError("attendance", _("Only the panel's members answer.")))
    meeting.answer(userid, answer)


def to_ical(meetings, with_agenda=True):
    """A VCALENDAR with one VEVENT per meeting; pseudonym and link only."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//ERN CPMS//ern.cpms//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "CPMS")
    for meeting in meetings:
        panel = panel_of(meeting)
        event = icalendar.Event()
        event.add("uid", f"{meeting.UID()}@ern.cpms")
        event.add("dtstamp", meeting.modified().asdatetime())
        event.add("dtstart", meeting.starts())
        event.add("dtend", meeting.ends())
        event.add(
            "summary",
            api.portal.translate(
                _("Panel meeting: ${panel}", mapping={"panel": panel_reference(panel)})
            ),
        )
        description = [panel.absolute_url()]
        if with_agenda and meeting.agenda:
            description.insert(0, meeting.agenda)
        event.add("description", "\n\n".join(description))
        if meeting.video_link:
            event.add("location", meeting.video_link)
            event.add("url", meeting.video_link)
        calendar.add_component(event)
    return calendar.to_ical()


def feed_token(userid):
    """The secret of a user's calendar feed URL, derived from the site's
    secret and the user's second-factor generation: no storage, the same on
    every instance, and a reset of the second factor (a lost phone) gives a
    new one."""
    from ern.cpms.second_factor import generation

    key = hashlib.sha256(b"ern.cpms calendar feed" + site_secret(api.portal.get()))
    message = f"{userid}\x1f{generation(userid)}".encode()
    return hmac.new(key.digest(), message, hashlib.sha256).hexdigest()[:32]


def feed_url(userid):
    """The address of a user's personal calendar feed (secret: whoever has
    it sees when the user's panels meet)."""
    portal_url = api.portal.get().absolute_url()
    return f"{portal_url}/@@meetings.ics?user={userid}&token={feed_token(userid)}"


def token_is_valid(userid, token):
    """The right token, of a user whose guest access has not ended."""
    from ern.cpms.access_requests import access_ended

    if not (isinstance(userid, str) and isinstance(token, str) and userid and token):
        return False
    if not hmac.compare_digest(feed_token(userid).encode(), token.encode()):
        return False
    return not access_ended(userid)


def meetings_of(userid):
    """The meetings of every panel the user may read, soonest first."""
    catalog = api.portal.get_tool("portal_catalog")
    user = api.user.get(userid=userid)
    if user is None:
        return []
    allowed = catalog._listAllowedRolesAndUsers(user)
    return [
        brain._unrestrictedGetObject()
        for brain in catalog.unrestrictedSearchResults(
            portal_type="Meeting", allowedRolesAndUsers=allowed, sort_on="start"
        )
    ]
