"""Catalog indexers: only directory data, never identifying patient data."""

from ern.cpms.content.ern import IERN
from plone.indexer import indexer


@indexer(IERN)
def ern_code(obj):
    """The network code of an ERN."""
    return obj.code
