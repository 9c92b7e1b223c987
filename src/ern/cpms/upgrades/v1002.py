"""1001 → 1002: the pseudonym secret."""

from ern.cpms.pseudonym import site_secret
from plone import api


def create_pseudonym_secret(context):
    """Give the site the secret its pseudonyms are minted with."""
    site_secret(api.portal.get(), create=True)
