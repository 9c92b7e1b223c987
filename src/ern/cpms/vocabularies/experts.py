"""The experts a panel's lead may invite: the ERN's health professionals."""

from Acquisition import aq_chain
from ern.cpms import _
from ern.cpms.content.ern import IERN
from ern.cpms.content.panel import IPanel
from ern.cpms.invitations import expert_groups_of
from ern.cpms.invitations import experts_of
from ern.cpms.invitations import GROUP_PREFIX
from ern.cpms.invitations import on_panel
from plone.api.portal import translate
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


def _first(context, interface):
    for obj in aq_chain(context):
        if interface.providedBy(obj):
            return obj
    return None


@provider(IVocabularyFactory)
def experts_vocabulary(context):
    """The experts of an ERN: ``Name — Centre (country) — expertise``, so
    that typing a name, a centre, a country code or an area finds them.

    On a panel: the experts of its ERN not yet on it, and the ERN's expert
    groups (``group:<uid>``). On an ERN (an expert group's form): its
    experts."""
    panel = _first(context, IPanel)
    if panel is None:
        ern = _first(context, IERN)
        if ern is None:
            return SimpleVocabulary([])
        return SimpleVocabulary(
            [SimpleTerm(e.userid, e.userid, e.label) for e in experts_of(ern.code)]
        )
    taken = on_panel(panel)
    terms = [
        SimpleTerm(
            f"{GROUP_PREFIX}{group.UID()}",
            f"{GROUP_PREFIX}{group.UID()}",
            translate(
                _(
                    "Expert group: ${name} (${count} experts)",
                    mapping={"name": group.Title(), "count": len(group.experts)},
                )
            ),
        )
        for group in expert_groups_of(panel.ern)
    ]
    terms.extend(
        SimpleTerm(expert.userid, expert.userid, expert.label)
        for expert in experts_of(panel.ern)
        if expert.userid not in taken
    )
    return SimpleVocabulary(terms)
