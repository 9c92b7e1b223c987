"""1006 → 1007: the Centre and ERN applications."""

from ern.cpms.upgrades import reimport
from plone import api


NEW_INDEXES = ("patient_search_keys", "active_panels", "cpms_groups", "ern_code")


def add_applications(context):
    """The catalog indexes of the patient list and of people's centres and
    ERNs and the statistics' columns, filled for existing content; the
    navigation tabs; the map's settings; who sees an ERN's statistics."""
    reimport("catalog", "actions", "plone.app.registry", "rolemap")
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(
        portal_type=["Patient", "Centre", "ERN", "Panel"]
    ):
        # All of a patient's indexes, for the new metadata column too.
        catalog.catalog_object(brain._unrestrictedGetObject(), brain.getPath())
