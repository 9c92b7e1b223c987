"""Meeting pages: the .ics of one meeting, attendance, the calendar feed."""

from ern.cpms import _
from ern.cpms import second_factor
from ern.cpms.browser.panel import _PanelAction
from ern.cpms.caching import never_keep
from ern.cpms.meetings import feed_url
from ern.cpms.meetings import meetings_of
from ern.cpms.meetings import set_attendance
from ern.cpms.meetings import to_ical
from ern.cpms.meetings import token_is_valid
from plone import api
from Products.Five.browser import BrowserView
from zExceptions import NotFound
from zExceptions import Unauthorized


def _calendar_response(response, data, filename):
    response.setHeader("Content-Type", "text/calendar; charset=utf-8")
    response.setHeader("Content-Disposition", f'attachment; filename="{filename}"')
    never_keep()
    return data


class MeetingICS(BrowserView):
    """``@@ics`` on a meeting: the meeting for one's own calendar."""

    def __call__(self):
        return _calendar_response(
            self.request.response, to_ical([self.context]), "meeting.ics"
        )


class Attendance(_PanelAction):
    """``@@attendance`` on a meeting: the current member attends or not."""

    def act(self):
        set_attendance(self.context, self.request.form.get("answer"))
        panel = self.context.__parent__
        return _("Your answer is saved."), panel.absolute_url() + "#meetings"


class CalendarFeed(BrowserView):
    """``@@meetings.ics?user=…&token=…``: a user's panel meetings for a
    calendar application, which cannot log in. The token is the secret; the
    feed names panels by ERN, type and pseudonym, and leaves agendas out."""

    def __call__(self):
        userid = self.request.form.get("user") or ""
        token = self.request.form.get("token") or ""
        if not token_is_valid(userid, token):
            raise NotFound("No such calendar")
        with api.env.adopt_user(username=userid):
            meetings = meetings_of(userid)
            data = to_ical(meetings, with_agenda=False)
        return _calendar_response(self.request.response, data, "cpms.ics")


class CalendarLink(BrowserView):
    """``@@my-calendar``: the logged-in user's personal feed URL."""

    def __call__(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to see your calendar link")
        second_factor.require_proof()
        return self.index()

    def feed_url(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to see your calendar link")
        second_factor.require_proof()
        return feed_url(api.user.get_current().getId())

    def meetings(self):
        return meetings_of(api.user.get_current().getId())
