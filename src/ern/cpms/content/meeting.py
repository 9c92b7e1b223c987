"""Meeting: a video conference of a panel, with who attends."""

from BTrees.OOBTree import OOBTree
from ern.cpms import _
from ern.cpms.content.naming import fixed_name
from ern.cpms.content.scheduling import https_only
from ern.cpms.content.scheduling import IScheduled
from ern.cpms.content.scheduling import Scheduled
from ern.cpms.content.security import no_raw_read
from plone.dexterity.content import Item
from zope import schema
from zope.interface import implementer


class IMeeting(IScheduled):
    """When, in which time zone, where (a link) and about what."""

    video_link = schema.URI(
        title=_("Video-conference link"),
        description=_("An https:// address."),
        constraint=https_only,
        required=False,
    )
    agenda = schema.Text(
        title=_("Agenda"),
        description=_("No names or identifying details of the patient."),
        required=False,
    )


ATTEND, DECLINE = "attend", "decline"


@no_raw_read
@implementer(IMeeting)
class Meeting(Item, Scheduled):
    """A meeting; ``attendance`` maps user ids to attend/decline (a BTree:
    members answering at the same time do not conflict)."""

    video_link = None
    agenda = None

    def safe_video_link(self):
        """The link if it is https (checked again when shown), else None."""
        link = self.video_link or ""
        return link if link.lower().startswith("https://") else None

    def answers(self):
        if "attendance" not in self.__dict__:
            return {}
        return dict(self.attendance.items())

    def answer(self, userid, value):
        if "attendance" not in self.__dict__:
            self.attendance = OOBTree()
        self.attendance[userid] = value


MeetingName = fixed_name(IMeeting, "meeting")
