"""Meeting: a video conference of a panel, with who attends."""

from BTrees.OOBTree import OOBTree
from DateTime import DateTime
from datetime import datetime
from ern.cpms import _
from ern.cpms.content.naming import fixed_name
from plone.dexterity.content import Item
from plone.indexer import indexer
from plone.supermodel import model
from zoneinfo import ZoneInfo
from zope import schema
from zope.interface import implementer
from zope.interface import Invalid
from zope.interface import invariant
from zope.schema import ValidationError


class NotHTTPS(ValidationError):
    __doc__ = _("Give an https:// address.")


def https_only(value):
    """Only https links: a link is clicked by every member (no javascript:)."""
    if value and not value.lower().startswith("https://"):
        raise NotHTTPS(value)
    return True


class IMeeting(model.Schema):
    """When, in which time zone, where (a link) and about what."""

    start = schema.Datetime(title=_("Start"), required=True)
    end = schema.Datetime(title=_("End"), required=True)
    timezone = schema.Choice(
        title=_("Time zone"),
        description=_("The start and end are in this time zone."),
        vocabulary="plone.app.vocabularies.CommonTimezones",
        default="Europe/Brussels",
        required=True,
    )
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

    @invariant
    def end_after_start(data):
        start, end = getattr(data, "start", None), getattr(data, "end", None)
        if start and end and end <= start:
            raise Invalid(_("The meeting must end after it starts."))


ATTEND, DECLINE = "attend", "decline"


@implementer(IMeeting)
class Meeting(Item):
    """A meeting; ``attendance`` maps user ids to attend/decline (a BTree:
    members answering at the same time do not conflict)."""

    video_link = None
    agenda = None

    def safe_video_link(self):
        """The link if it is https (checked again when shown), else None."""
        link = self.video_link or ""
        return link if link.lower().startswith("https://") else None

    def aware(self, value):
        """`value` (naive, in the meeting's time zone) as an aware datetime."""
        if value is None:
            return None
        zone = ZoneInfo(self.timezone or "UTC")
        return value.replace(tzinfo=zone) if value.tzinfo is None else value

    def starts(self):
        return self.aware(self.start)

    def ends(self):
        return self.aware(self.end)

    def answers(self):
        if "attendance" not in self.__dict__:
            return {}
        return dict(self.attendance.items())

    def answer(self, userid, value):
        if "attendance" not in self.__dict__:
            self.attendance = OOBTree()
        self.attendance[userid] = value


def _as_zope(value):
    return DateTime(value) if isinstance(value, datetime) else None


@indexer(IMeeting)
def meeting_start(meeting):
    return _as_zope(meeting.starts())


@indexer(IMeeting)
def meeting_end(meeting):
    return _as_zope(meeting.ends())


MeetingName = fixed_name(IMeeting, "meeting")
