"""Data requests and attachments: what a panel asks of the patient's centre,
and the files the centre shares with the panel."""

from ern.cpms import _
from plone.autoform import directives
from plone.base.interfaces import INameFromTitle
from plone.dexterity.content import Item
from plone.namedfile.field import NamedBlobFile
from plone.supermodel import model
from zope import schema
from zope.component import adapter
from zope.interface import implementer
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


class IDataRequest(model.Schema):
    """A member asks the patient's centre for more data."""

    question = schema.Text(
        title=_("What data do you need?"),
        description=_("No names or identifying details of the patient."),
        required=True,
    )
    due_date = schema.Date(title=_("Needed by"), required=False)
    answer = schema.Text(title=_("Answer"), required=False)
    answered_by = schema.TextLine(title=_("Answered by"), required=False)
    answered_on = schema.Datetime(title=_("Answered on"), required=False)
    directives.omitted("answer", "answered_by", "answered_on")


@implementer(IDataRequest)
class DataRequest(Item):
    """A data request; open, answered or cancelled."""

    answer = None
    answered_by = None
    answered_on = None


ATTACHMENT_KINDS = (
    ("report", _("Clinical report (PDF)")),
    ("image", _("Image (PNG, JPEG or TIFF)")),
    ("dicom", _("DICOM file")),
    ("lab", _("Laboratory report (PDF, CSV or text)")),
)


@provider(IVocabularyFactory)
def attachment_kinds_vocabulary(context):
    return SimpleVocabulary(
        [SimpleTerm(value, value, title) for value, title in ATTACHMENT_KINDS]
    )


class IAttachment(model.Schema):
    """A file shared with the panel; its type and size are checked."""

    kind = schema.Choice(
        title=_("Kind of file"),
        vocabulary="ern.cpms.vocabularies.AttachmentKinds",
        required=True,
    )
    file = NamedBlobFile(
        title=_("File"),
        description=_(
            "PDF, PNG, JPEG, TIFF, DICOM, CSV or text; pseudonymised: a file "
            "that names the patient is refused."
        ),
        required=True,
    )
    refers_to = schema.TextLine(title=_("Refers to"), required=False)
    directives.omitted("refers_to")


@implementer(IAttachment)
class Attachment(Item):
    """An attachment of a panel, a comment or a data request's answer."""

    refers_to = None


class _Named:
    prefix = ""

    def __init__(self, context):
        self.context = context

    @property
    def title(self):
        return self.prefix


@implementer(INameFromTitle)
@adapter(IDataRequest)
class DataRequestName(_Named):
    """``data-request``, ``data-request-1``…"""

    prefix = "data-request"


@implementer(INameFromTitle)
@adapter(IAttachment)
class AttachmentName(_Named):
    """``attachment``, ``attachment-1``… never the uploaded file's name."""

    prefix = "attachment"
