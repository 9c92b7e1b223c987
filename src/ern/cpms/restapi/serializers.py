"""plone.restapi representations of ern.cpms content."""

from Acquisition import aq_base
from DateTime import DateTime
from ern.cpms.audit import record_read
from ern.cpms.content.panel import IPanel
from ern.cpms.content.patient import IPatient
from ern.cpms.interfaces import IBrowserLayer
from ern.cpms.questionnaire import answers_of
from plone import api
from plone.app.contentlisting.interfaces import IContentListingObject
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.interfaces import ISerializeToJsonSummary
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.serializer.dxcontent import SerializeFolderToJson
from plone.restapi.serializer.summary import DefaultJSONSummarySerializer
from plone.restapi.serializer.summary import merge_serializer_metadata_utilities_data
from plone.restapi.serializer.utils import get_portal_type_title
from Products.CMFCore.WorkflowCore import WorkflowException
from Products.ZCatalog.interfaces import ICatalogBrain
from zope.component import adapter
from zope.interface import implementer

import functools
import Missing


VIEW_CLINICAL_DATA_TITLE = "ern.cpms: View clinical data"


@implementer(ISerializeToJson)
@adapter(IPanel, IBrowserLayer)
class PanelSerializer(SerializeFolderToJson):
    """A panel, with the answers to its ERN's questionnaire for those who
    may read its clinical data (left out, not blanked, for the others)."""

    def _build_query(self):
        # A panel holds only its own items (comments, contributions, data
        # requests, meetings, invitations, the outcome), none of which has
        # publication dates: Plone's filter on them, for those who may not
        # see inactive content, could exclude nothing.
        return dict(super()._build_query(), show_inactive=True)

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


PLAIN = frozenset((str, int, float, bool, type(None)))
SUMMARY_CACHE = "ern.cpms.summary"
MISSING = object()


@functools.cache
def _names_of(cls):
    """What a listing object's class answers itself (not from its row)."""
    return frozenset(name for name in dir(cls) if not name.startswith("_"))


@implementer(ISerializeToJsonSummary)
@adapter(ICatalogBrain, IBrowserLayer)
class BrainSummary(DefaultJSONSummarySerializer):
    """plone.restapi's summary of a catalog brain (the ``items`` of a folder,
    the rows of ``@search``), the same fields and values, with what
    plone.restapi works out again for every row worked out once per request:
    the merged metadata settings (it keeps them under a key it then never
    finds), the type titles and the dates (most rows share theirs: an item
    without a publication date has Plone's floor date). Plain values (text,
    numbers, booleans, ``None``, an empty column) are taken as they are;
    the others go through plone.restapi's converters. Columns are read from
    the row itself where plone.restapi's listing object would only pass the
    question on to it."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        cache = request.other.get(SUMMARY_CACHE)
        if cache is None:
            cache = request.other[SUMMARY_CACHE] = (
                merge_serializer_metadata_utilities_data(),
                {},
                {},
            )
        metadata, self.type_titles, self.dates = cache
        self.default_metadata_fields = metadata["default_metadata_fields"]
        self.field_accessors = metadata["field_accessors"]
        self.non_metadata_attributes = metadata["non_metadata_attributes"]
        self.blocklisted_attributes = metadata["blocklisted_attributes"]

    def __call__(self):
        listing = IContentListingObject(self.context)
        own = _names_of(type(listing))
        row = aq_base(self.context)
        summary = {}
        for field in self.metadata_fields():
            if field.startswith("_") or field in self.blocklisted_attributes:
                continue
            if field == "type_title":
                value = self.type_title(self.context.portal_type)
            else:
                # What the listing object answers: its own methods, else
                # the row's column, else the object (which it wakes).
                accessor = self.field_accessors.get(field, field)
                value = MISSING if accessor in own else getattr(row, accessor, MISSING)
                if value is MISSING:
                    value = getattr(listing, accessor, None)
            try:
                if callable(value):
                    value = value()
            except WorkflowException:
                summary[field] = None
                continue
            summary[field] = self.json(value)
        return summary

    def json(self, value):
        if type(value) in PLAIN:
            return value
        if value is Missing.Value:  # an empty column
            return None
        if type(value) is not DateTime:
            return json_compatible(value)
        # What plone.restapi's converter makes of a DateTime depends on
        # its instant, its time zone and whether it has one.
        key = (value.micros(), value.timezone(), value.timezoneNaive())
        converted = self.dates.get(key)
        if converted is None:
            converted = self.dates[key] = json_compatible(value)
        return converted

    def type_title(self, portal_type):
        title = self.type_titles.get(portal_type)
        if title is None:
            title = self.type_titles[portal_type] = get_portal_type_title(portal_type)
        return title
