"""Webinar: a training or information session an ERN publishes, with its
recording (a video file or a link) and slides."""

from ern.cpms import _
from ern.cpms.content.scheduling import https_only
from ern.cpms.content.scheduling import IScheduled
from ern.cpms.content.scheduling import Scheduled
from plone.dexterity.content import Item
from plone.namedfile.field import NamedBlobFile
from zope import schema
from zope.interface import implementer
from zope.interface import Invalid
from zope.interface import invariant
from zope.schema import ValidationError


VIDEO_TYPES = ("video/mp4", "video/webm", "video/ogg")
SLIDE_EXTENSIONS = (".pdf", ".pptx", ".odp")


class NotAVideo(ValidationError):
    __doc__ = _("Upload an MP4, WebM or Ogg video.")


class NotCaptions(ValidationError):
    __doc__ = _("Upload the captions as a WebVTT file (.vtt).")


class NotSlides(ValidationError):
    __doc__ = _("Upload the slides as PDF, PowerPoint (.pptx) or OpenDocument (.odp).")


def _head(file):
    """The first bytes of an uploaded file, without reading all of it."""
    try:
        with file.open() as opened:
            return opened.read(64)
    except (AttributeError, TypeError):
        return bytes(file.data[:64])


def _sniffed_video(file):
    """The video type of the first bytes, or None (never the file's name)."""
    head = _head(file)
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"OggS"):
        return "video/ogg"
    return None


def video_only(value):
    if value is not None and _sniffed_video(value) is None:
        raise NotAVideo()
    return True


def captions_only(value):
    if value is not None and not _head(value).lstrip(b"\xef\xbb\xbf").startswith(
        b"WEBVTT"
    ):
        raise NotCaptions()
    return True


def slides_only(value):
    name = (getattr(value, "filename", None) or "").lower()
    if value is not None and not name.endswith(SLIDE_EXTENSIONS):
        raise NotSlides()
    return True


class IWebinar(IScheduled):
    """When, who speaks, and what is left of it afterwards."""

    speakers = schema.List(
        title=_("Speakers"),
        description=_("One per line: name and affiliation."),
        value_type=schema.TextLine(),
        required=False,
        default=[],
    )
    recording = NamedBlobFile(
        title=_("Recording (video file)"),
        description=_("MP4, WebM or Ogg. Or give a link below."),
        constraint=video_only,
        required=False,
    )
    captions = NamedBlobFile(
        title=_("Captions of the recording"),
        description=_(
            "A WebVTT file (.vtt): people who cannot hear the video read it."
        ),
        constraint=captions_only,
        required=False,
    )
    recording_link = schema.URI(
        title=_("Recording (link)"),
        description=_("An https:// address of the recording elsewhere."),
        constraint=https_only,
        required=False,
    )
    slides = NamedBlobFile(
        title=_("Slides"),
        description=_("PDF, PowerPoint (.pptx) or OpenDocument (.odp)."),
        constraint=slides_only,
        required=False,
    )

    @invariant
    def one_recording(data):
        if getattr(data, "recording", None) and getattr(data, "recording_link", None):
            raise Invalid(_("Give either a video file or a link, not both."))


@implementer(IWebinar)
class Webinar(Item, Scheduled):
    """A webinar of an ERN (cpms_publication_workflow)."""

    recording = None
    captions = None
    recording_link = None
    slides = None

    def video_type(self):
        return _sniffed_video(self.recording) if self.recording else None

    def safe_recording_link(self):
        link = self.recording_link or ""
        return link if link.lower().startswith("https://") else None
