"""Invitation: one expert asked to join one panel.

An invitation lives inside its panel. Its workflow (pending, accepted,
declined, withdrawn) decides the invitee's local role on the panel:
InvitedExpert while pending (the summary only), PanelMember once accepted,
nothing after a refusal or a withdrawal (``ern.cpms.invitations``). The
invitee holds the Invitee role on their invitation (and only there), which
is what lets them, and no other invitee, read and answer it.
"""

from ern.cpms import _
from ern.cpms.content.security import no_raw_read
from plone.autoform import directives
from plone.base.interfaces import INameFromTitle
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.component import adapter
from zope.interface import implementer


class IInvitation(model.Schema):
    """Who is invited, with which message, until when; and the answer."""

    invitee = schema.TextLine(title=_("Expert"), required=True)
    invitee_name = schema.TextLine(title=_("Name"), required=False)
    message = schema.Text(title=_("Message to the expert"), required=False)
    reply_by = schema.Date(title=_("Reply by"), required=False)
    answer_reason = schema.Text(title=_("Reason given"), required=False)
    directives.omitted("invitee", "invitee_name", "answer_reason")
    # Set by ern.cpms (the invitee's name when invited, the reason with the
    # answer), never written through the REST API.
    directives.write_permission(
        invitee_name="cmf.ManagePortal", answer_reason="cmf.ManagePortal"
    )


@no_raw_read
@implementer(IInvitation)
class Invitation(Item):
    """An invitation; its title names the expert, never the patient."""


@implementer(INameFromTitle)
@adapter(IInvitation)
class InvitationNameFromInvitee:
    """``invitation-expert.rossi``; a second invitation gets ``-1``."""

    def __init__(self, context):
        self.context = context

    @property
    def title(self):
        return f"invitation-{self.context.invitee}"
