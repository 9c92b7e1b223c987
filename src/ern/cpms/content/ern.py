"""ERN: one European Reference Network."""

from ern.cpms import _
from ern.cpms.groups import group_id
from ern.cpms.refusals import FieldError
from ern.cpms.refusals import refusal
from ern.cpms.vocabularies.networks import NETWORKS_BY_CODE
from plone import api
from plone.base.interfaces import INameFromTitle
from plone.dexterity.content import Container
from plone.supermodel import model
from zope import schema
from zope.component import adapter
from zope.interface import implementer


class IERN(model.Schema):
    """The fields of an ERN."""

    code = schema.Choice(
        title=_("Network"),
        description=_("The network's code, as the ERN Board approved it."),
        vocabulary="ern.cpms.vocabularies.Networks",
        required=True,
    )

    thematic_area = schema.TextLine(
        title=_("Thematic area"),
        description=_("Left empty, the network's usual thematic area is used."),
        required=False,
    )

    thematic_areas = schema.List(
        title=_("Thematic areas"),
        description=_(
            "The areas the network's work is organised in, one a line (for "
            "example retinal diseases, neuro-ophthalmology)."
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
    )

    helpdesk_email = schema.TextLine(
        title=_("Helpdesk e-mail"),
        description=_("Where members of this network ask for help."),
        required=False,
        constraint=lambda value: "@" in value,
    )


@implementer(IERN)
class ERN(Container):
    """A European Reference Network."""

    def coordinators(self):
        """The ERN's coordinators: the members of its coordinators group.

        Coordinators are not a field: the group holds the ERNCoordinator role
        on the ERN, so adding someone to it is all it takes (groups.py).
        """
        groupname = group_id(self, "coordinators")
        if api.group.get(groupname=groupname) is None:
            return []
        return sorted(
            (user.getProperty("fullname") or user.getId())
            for user in api.user.get_users(groupname=groupname)
        )

    def thematic_area_or_default(self):
        """The thematic area written on the ERN, or the network's usual one."""
        if self.thematic_area:
            return self.thematic_area
        network = NETWORKS_BY_CODE.get(self.code)
        return network.thematic_area if network else ""


@implementer(INameFromTitle)
@adapter(IERN)
class ERNNameFromCode:
    """An ERN's id is its code (``ERN-EYE`` lives at ``/erns/ern-eye``)."""

    def __init__(self, context):
        self.context = context

    @property
    def title(self):
        return self.context.code


def ern_of(code):
    """The site's ERN of a network code, or None.

    Read from the ERN directory (/erns, the only place an ERN may be
    added), not the catalog: the rules ask it during writes (opening a
    panel, inviting), and a catalog search first indexes everything the
    transaction has queued, the same panel again and again."""
    erns = api.portal.get().get("erns") if code else None
    if erns is None:
        return None
    ern = erns.get(code.lower())
    if ern is not None and getattr(ern, "code", None) == code:
        return ern
    return next(
        (item for item in erns.objectValues() if getattr(item, "code", None) == code),
        None,
    )


def refuse_second_ern_with_code(ern, event):
    """One ERN per network: a second one with the same code is refused."""
    if getattr(event, "newParent", True) is None:
        return
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(
        portal_type="ERN", ern_code=ern.code
    ):
        if ern.UID() != brain.UID:
            raise refusal(
                FieldError(
                    "code",
                    _(
                        "There is already an ERN for ${code}: ${url}",
                        mapping={"code": ern.code, "url": brain.getURL()},
                    ),
                )
            )
