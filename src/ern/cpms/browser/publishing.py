"""Pages of ERN publishing: a webinar, and an ERN's webinars."""

from ern.cpms.publishing import webinars
from plone import api
from Products.Five.browser import BrowserView


def _when(item_start, item_end, zone):
    start = api.portal.get_localized_time(item_start, long_format=True)
    end = api.portal.get_localized_time(item_end, time_only=True)
    return f"{start} – {end} ({zone})"


class WebinarView(BrowserView):
    """A webinar: when, who, the recording (played here) and the slides."""

    def when(self):
        context = self.context
        return _when(context.start, context.end, context.timezone)

    def video_url(self):
        if self.context.recording is None:
            return None
        return f"{self.context.absolute_url()}/@@download/recording"

    def captions_url(self):
        if self.context.recording is None or self.context.captions is None:
            return None
        return f"{self.context.absolute_url()}/@@download/captions"

    def language(self):
        return api.portal.get_default_language()

    def slides_url(self):
        if self.context.slides is None:
            return None
        return f"{self.context.absolute_url()}/@@download/slides"


class ERNWebinars(BrowserView):
    """``@@webinars`` on an ERN: upcoming and past webinars."""

    def rows(self, upcoming):
        return [
            {
                "url": brain.getURL(),
                "title": brain.Title,
                "description": brain.Description,
                "when": api.portal.get_localized_time(brain.start, long_format=True),
            }
            for brain in webinars(self.context, upcoming=upcoming)
        ]

    def upcoming(self):
        return self.rows(True)

    def past(self):
        return self.rows(False)
