"""1006 → 1007: the Centre and ERN applications, ERN publishing."""

from ern.cpms.panel_content import set_state
from ern.cpms.publishing import set_up_resources
from ern.cpms.upgrades import reimport
from plone import api


PLACEFUL = "Products.CMFPlacefulWorkflow:base"
# The indexes and metadata columns this version adds, per type.
NEW_INDEXES = {
    "Patient": ["patient_search_keys", "active_panels"],
    "Centre": ["cpms_groups"],
    "ERN": ["cpms_groups"],
    "Panel": ["ern_code"],
}
# What Plone's own workflows called published, and what it is now inside
# an ERN (cpms_publication_workflow); anything else becomes a draft.
PUBLISHED = ("published", "published_internally", "external", "visible")


def add_applications(context):
    """The catalog indexes of the patient list and of people's centres and
    ERNs and the statistics' columns, filled for existing content; the
    navigation tabs; the map's settings; who sees an ERN's statistics; the
    Webinar type, the publication workflow and every ERN's resources."""
    setup = api.portal.get_tool("portal_setup")
    if setup.getLastVersionForProfile(PLACEFUL) == "unknown":
        setup.runAllImportStepsFromProfile(f"profile-{PLACEFUL}")
    catalog = api.portal.get_tool("portal_catalog")
    # What ERNs held before they had a workflow policy, and in which state.
    before = {
        brain.getPath(): brain.review_state
        for ern in catalog.unrestrictedSearchResults(portal_type="ERN")
        for brain in catalog.unrestrictedSearchResults(
            path={"query": ern.getPath(), "depth": -1},
            portal_type=["Document", "File", "Image", "Link", "Folder"],
        )
    }
    reimport(
        "catalog",
        "actions",
        "plone.app.registry",
        "rolemap",
        "typeinfo",
        "workflow",
        "placeful_workflow",
    )
    for portal_type, indexes in NEW_INDEXES.items():
        for brain in catalog.unrestrictedSearchResults(portal_type=portal_type):
            # Only the new indexes; the metadata row gains its new columns.
            catalog.catalog_object(
                brain._unrestrictedGetObject(), brain.getPath(), idxs=indexes
            )
    for brain in catalog.unrestrictedSearchResults(portal_type="ERN"):
        set_up_resources(brain._unrestrictedGetObject())
    # Content already in ERNs keeps being seen as before: published → public.
    portal = api.portal.get()
    for path, state in before.items():
        obj = portal.unrestrictedTraverse(path)
        set_state(obj, "public" if state in PUBLISHED else "draft")
