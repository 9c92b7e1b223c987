"""1011 → 1012: "my work" asks two indexes of its own: Plone's security
entries of panels (``panel_people``) and of open data requests
(``open_request_people``), filled here for what exists."""

from plone import api


NEW_INDEXES = {
    "panel_people": {"portal_type": "Panel"},
    "open_request_people": {"portal_type": "DataRequest", "review_state": "open"},
}


def upgrade(context):
    catalog = api.portal.get_tool("portal_catalog")
    for name, query in NEW_INDEXES.items():
        if name not in catalog.indexes():
            catalog.addIndex(name, "KeywordIndex", extra={"indexed_attrs": name})
        for brain in catalog.unrestrictedSearchResults(**query):
            catalog.catalog_object(
                brain._unrestrictedGetObject(),
                brain.getPath(),
                idxs=[name],
                update_metadata=0,
            )
