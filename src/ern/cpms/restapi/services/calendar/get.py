"""``GET @calendar``: the logged-in user's meetings still to come, and the
address of their personal iCalendar feed (to keep to themselves)."""

from datetime import datetime
from datetime import UTC
from ern.cpms import second_factor
from ern.cpms.meetings import feed_url
from ern.cpms.meetings import meetings_of
from plone import api
from plone.restapi.services import Service


class Calendar(Service):
    def reply(self):
        second_factor.require_proof()
        userid = api.user.get_current().getId()
        now = datetime.now(UTC)
        return {
            "feed": feed_url(userid),
            "meetings": [
                {
                    "@id": meeting.absolute_url(),
                    "title": meeting.Title(),
                    "panel": meeting.__parent__.absolute_url(),
                    "start": meeting.starts().isoformat(),
                    "end": meeting.ends().isoformat(),
                    "timezone": meeting.timezone,
                    "video_link": meeting.safe_video_link(),
                }
                for meeting in meetings_of(userid)
                if meeting.ends() is None or meeting.ends() >= now
            ],
        }
