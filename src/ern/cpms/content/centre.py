"""Centre: a healthcare provider that is a member of one or more ERNs."""

from ern.cpms import _
from ern.cpms.content.busy import BusyContainer
from ern.cpms.content.security import SECURITY_INDEXES
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class ICentre(model.Schema):
    """The fields of a centre; its name is the title."""

    country = schema.Choice(
        title=_("Country"),
        vocabulary="ern.cpms.vocabularies.Countries",
        required=True,
    )

    city = schema.TextLine(title=_("City"), required=True)

    latitude = schema.Float(
        title=_("Latitude"),
        description=_("In decimal degrees, for the ERN map."),
        min=-90.0,
        max=90.0,
        required=False,
    )

    longitude = schema.Float(
        title=_("Longitude"),
        description=_("In decimal degrees, for the ERN map."),
        min=-180.0,
        max=180.0,
        required=False,
    )

    ern_memberships = schema.List(
        title=_("ERN memberships"),
        description=_("The networks this centre is a full member of."),
        value_type=schema.Choice(vocabulary="ern.cpms.vocabularies.Networks"),
        required=False,
        default=[],
    )


@implementer(ICentre)
class Centre(BusyContainer):
    """A healthcare provider.

    Unordered: a centre holds thousands of patients enrolled concurrently by
    its health professionals, and an ordered folder makes them conflict.
    """

    _cmf_security_indexes = SECURITY_INDEXES
