"""Data requests and attachments: what a panel asks of the patient's centre,
and the files the centre shares with the panel."""

from ern.cpms import _
from ern.cpms.content.naming import fixed_name
from ern.cpms.content.security import no_raw_read
from ern.cpms.content.security import SECURITY_INDEXES
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.namedfile.field import NamedBlobFile
from plone.supermodel import model
from zope import schema
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
    # Set by ern.cpms when the centre answers (data_requests.answer_request),
    # never written through a form or the REST API.
    directives.write_permission(
        answer="cmf.ManagePortal",
        answered_by="cmf.ManagePortal",
        answered_on="cmf.ManagePortal",
    )


@no_raw_read
@implementer(IDataRequest)
class DataRequest(Item):
    """A data request; open, answered or cancelled."""

    _cmf_security_indexes = SECURITY_INDEXES

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
    directives.write_permission(refers_to="cmf.ManagePortal")


@no_raw_read
@implementer(IAttachment)
class Attachment(Item):
    """An attachment of a panel, a comment or a data request's answer."""

    refers_to = None


DataRequestName = fixed_name(IDataRequest, "data-request")
# Never the uploaded file's name: it may name the patient.
AttachmentName = fixed_name(IAttachment, "attachment")
