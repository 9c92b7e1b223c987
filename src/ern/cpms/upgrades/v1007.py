"""1006 → 1007: the Centre and ERN applications, ERN publishing."""

from ern.cpms.publishing import set_up_resources
from ern.cpms.upgrades import reimport
from plone import api


PLACEFUL = "Products.CMFPlacefulWorkflow:base"


def add_applications(context):
    """The catalog indexes of the patient list and of people's centres and
    ERNs and the statistics' columns, filled for existing content; the
    navigation tabs; the map's settings; who sees an ERN's statistics; the
    Webinar type, the publication workflow and every ERN's resources."""
    setup = api.portal.get_tool("portal_setup")
    if setup.getLastVersionForProfile(PLACEFUL) == "unknown":
        setup.runAllImportStepsFromProfile(f"profile-{PLACEFUL}")
    reimport(
        "catalog",
        "actions",
        "plone.app.registry",
        "rolemap",
        "typeinfo",
        "workflow",
        "placeful_workflow",
    )
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(
        portal_type=["Patient", "Centre", "ERN", "Panel"]
    ):
        # All of a patient's indexes, for the new metadata column too.
        catalog.catalog_object(brain._unrestrictedGetObject(), brain.getPath())
    for brain in catalog.unrestrictedSearchResults(portal_type="ERN"):
        set_up_resources(brain._unrestrictedGetObject())
    api.portal.get_tool("portal_workflow").updateRoleMappings()
