"""1009 → 1010: the catalog columns plone.restapi's summaries ask for;
"my work" from the catalog; no inherited portlets under /centres."""

from ern.cpms.setuphandlers import quiet_portlets
from plone import api


SUMMARY_COLUMNS = ("head_title", "image_field", "nav_title")
WORK_COLUMNS = ("reply_by", "urgent", "panel_lead")


def add_columns(catalog, names):
    """Add the missing columns. A new column is filled with "missing" for
    what is already catalogued."""
    for name in names:
        if name not in catalog.schema():
            catalog.addColumn(name)


def add_summary_columns(context):
    """What the objects already catalogued would answer for these (they
    have no such attribute) is "missing": nothing needs reindexing."""
    add_columns(api.portal.get_tool("portal_catalog"), SUMMARY_COLUMNS)


def quiet_centres(context):
    """The site's navigation portlet no longer lists patients."""
    portal = api.portal.get()
    if "centres" in portal.objectIds():
        quiet_portlets(portal["centres"])


def add_work_columns(context):
    """ "My work" reads invitations and panels from the catalog: the
    ``invitee`` index and three columns, filled for what exists."""
    catalog = api.portal.get_tool("portal_catalog")
    if "invitee" not in catalog.indexes():
        catalog.addIndex("invitee", "FieldIndex", extra={"indexed_attrs": "invitee"})
    add_columns(catalog, WORK_COLUMNS)
    for brain in catalog.unrestrictedSearchResults(portal_type=["Invitation", "Panel"]):
        brain._unrestrictedGetObject().reindexObject(idxs=["invitee"])


def upgrade(context):
    add_summary_columns(context)
    add_work_columns(context)
    quiet_centres(context)
