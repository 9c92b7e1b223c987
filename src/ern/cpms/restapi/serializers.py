"""plone.restapi representations of ern.cpms content."""

from ern.cpms.audit import record_read
from ern.cpms.content.panel import IPanel
from ern.cpms.content.patient import IPatient
from ern.cpms.interfaces import IBrowserLayer
from ern.cpms.questionnaire import answers_of
from plone import api
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.dxcontent import SerializeFolderToJson
from zope.component import adapter
from zope.interface import implementer


VIEW_CLINICAL_DATA_TITLE = "ern.cpms: View clinical data"


@implementer(ISerializeToJson)
@adapter(IPanel, IBrowserLayer)
class PanelSerializer(SerializeFolderToJson):
    """A panel, with the answers to its ERN's questionnaire for those who
    may read its clinical data (left out, not blanked, for the others)."""

    def __call__(self, *args, **kwargs):
        result = super().__call__(*args, **kwargs)
        if api.user.has_permission(VIEW_CLINICAL_DATA_TITLE, obj=self.context):
            result["questionnaire"] = answers_of(self.context)
        return result


@implementer(ISerializeToJson)
@adapter(IPatient, IBrowserLayer)
class PatientSerializer(SerializeFolderToJson):
    """A patient, named by its pseudonym (``title`` and ``pseudonym``): the
    only name it has outside its centre, and the one integrations file."""

    def __call__(self, *args, **kwargs):
        result = super().__call__(*args, **kwargs)
        result["title"] = result["pseudonym"] = self.context.Title()
        if "family_name" in result:  # only for those who may read it
            record_read("view", [self.context])
        return result
