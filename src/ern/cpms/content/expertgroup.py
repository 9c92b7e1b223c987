"""ExpertGroup: a predefined group of an ERN's experts, invited at once."""

from ern.cpms import _
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class IExpertGroup(model.Schema):
    """A named list of the ERN's experts (kept by its coordinators)."""

    title = schema.TextLine(title=_("Name of the group"), required=True)
    description = schema.Text(title=_("What the group is for"), required=False)
    experts = schema.List(
        title=_("Experts"),
        value_type=schema.Choice(vocabulary="ern.cpms.vocabularies.Experts"),
        required=True,
        default=[],
    )


@implementer(IExpertGroup)
class ExpertGroup(Item):
    """An expert group of an ERN; inviting it invites each of its experts."""
