"""The experts a panel's lead may invite: the ERN's health professionals."""

from Acquisition import aq_chain
from ern.cpms.content.panel import IPanel
from ern.cpms.invitations import ACTIVE_STATES
from ern.cpms.invitations import experts_of
from ern.cpms.invitations import invitations_of
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


def _panel(context):
    for obj in aq_chain(context):
        if IPanel.providedBy(obj):
            return obj
    return None


@provider(IVocabularyFactory)
def experts_vocabulary(context):
    """Experts of the panel's ERN not yet on it: ``Name — Centre (country)``,
    so that typing a name, a centre or a country code finds them."""
    panel = _panel(context)
    if panel is None:
        return SimpleVocabulary([])
    taken = {panel.panel_lead} | {
        invitation.invitee for invitation in invitations_of(panel, ACTIVE_STATES)
    }
    return SimpleVocabulary(
        [
            SimpleTerm(expert.userid, expert.userid, expert.label)
            for expert in experts_of(panel.ern)
            if expert.userid not in taken
        ]
    )
