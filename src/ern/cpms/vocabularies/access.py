"""The choices of an access request: the site's ERNs, the centres (or
"guest"), the roles one may ask for."""

from ern.cpms import _
from ern.cpms.content.access_request import GUEST
from ern.cpms.content.access_request import requested_roles_vocabulary
from plone import api
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


def _brains(portal_type):
    catalog = api.portal.get_tool("portal_catalog")
    return catalog.unrestrictedSearchResults(
        portal_type=portal_type, sort_on="sortable_title"
    )


@provider(IVocabularyFactory)
def site_erns_vocabulary(context):
    """The ERNs of this site; the value is the network's code. Public
    directory information (the ERN map shows the same)."""
    terms, seen = [], set()
    for brain in _brains("ERN"):  # 24 at most
        code = brain._unrestrictedGetObject().code
        if code and code not in seen:
            seen.add(code)
            terms.append(SimpleTerm(code, code, f"{code} — {brain.Title}"))
    return SimpleVocabulary(terms)


@provider(IVocabularyFactory)
def centres_or_guest_vocabulary(context):
    """Every centre of the site (its id), and "guest" for institutions
    outside the networks."""
    guest = api.portal.translate(_("Guest: an institution outside the ERN"))
    terms = [SimpleTerm(GUEST, GUEST, guest)]
    terms += [
        SimpleTerm(brain.getId, brain.getId, brain.Title) for brain in _brains("Centre")
    ]
    return SimpleVocabulary(terms)


requested_roles = provider(IVocabularyFactory)(requested_roles_vocabulary)
