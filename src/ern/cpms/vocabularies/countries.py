"""Countries as ISO 3166-1 alpha-2 codes, from pycountry."""

from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary

import functools
import pycountry


@functools.cache
def _country_terms():
    countries = sorted(pycountry.countries, key=lambda country: country.name)
    return tuple(
        SimpleTerm(value=country.alpha_2, token=country.alpha_2, title=country.name)
        for country in countries
    )


def country_name(code):
    """The English short name of an ISO 3166-1 alpha-2 code, or the code."""
    country = pycountry.countries.get(alpha_2=code or "")
    return country.name if country else code


@provider(IVocabularyFactory)
def countries_vocabulary(context):
    """Every country of ISO 3166-1; the token and value are the alpha-2 code."""
    return SimpleVocabulary(_country_terms())
