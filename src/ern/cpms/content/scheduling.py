"""What has a start, an end and a time zone: panel meetings and webinars."""

from DateTime import DateTime
from datetime import datetime
from ern.cpms import _
from plone.indexer import indexer
from plone.supermodel import model
from zoneinfo import ZoneInfo
from zope import schema
from zope.interface import Invalid
from zope.interface import invariant
from zope.schema import ValidationError


class NotHTTPS(ValidationError):
    __doc__ = _("Give an https:// address.")


def https_only(value):
    """Only https links: a link is clicked by everyone who reads it (no
    javascript:, no plain http)."""
    if value and not value.lower().startswith("https://"):
        raise NotHTTPS(value)
    return True


class NotPlausible(ValidationError):
    __doc__ = _("Give a date between the years 2000 and 2100.")


def plausible(value):
    """A meeting or webinar between 2000 and 2100: what people schedule,
    and what the catalog's date indexes hold (a year 5208 made them fail
    with a 500; found by schemathesis)."""
    if value is not None and not 2000 <= value.year <= 2100:
        raise NotPlausible(value)
    return True


class IScheduled(model.Schema):
    """A start and an end, given in a time zone."""

    start = schema.Datetime(title=_("Start"), constraint=plausible, required=True)
    end = schema.Datetime(title=_("End"), constraint=plausible, required=True)
    timezone = schema.Choice(
        title=_("Time zone"),
        description=_("The start and end are in this time zone."),
        vocabulary="plone.app.vocabularies.CommonTimezones",
        default="Europe/Brussels",
        required=True,
    )

    @invariant
    def end_after_start(data):
        start, end = getattr(data, "start", None), getattr(data, "end", None)
        if start and end and end <= start:
            raise Invalid(_("The end must come after the start."))


class Scheduled:
    """Aware datetimes from the naive ones the form stores."""

    def aware(self, value):
        """`value` (naive, in the item's time zone) as an aware datetime."""
        if value is None:
            return None
        zone = ZoneInfo(self.timezone or "UTC")
        return value.replace(tzinfo=zone) if value.tzinfo is None else value

    def starts(self):
        return self.aware(self.start)

    def ends(self):
        return self.aware(self.end)


def _as_zope(value):
    return DateTime(value) if isinstance(value, datetime) else None


@indexer(IScheduled)
def scheduled_start(item):
    return _as_zope(item.starts())


@indexer(IScheduled)
def scheduled_end(item):
    return _as_zope(item.ends())
