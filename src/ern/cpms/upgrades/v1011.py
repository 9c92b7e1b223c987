"""1010 → 1011: Plone's site-building permissions are the site
administrators' in patients' records and access requests; an outcome's
lead reverts to an earlier version only while it is not final."""

from ern.cpms.setuphandlers import ADMINISTERED_FOLDERS
from ern.cpms.setuphandlers import administrators_only
from ern.cpms.upgrades import reimport
from plone import api


def upgrade(context):
    portal = api.portal.get()
    for folder_id in ADMINISTERED_FOLDERS:
        if folder_id in portal.objectIds():
            administrators_only(portal[folder_id])
    reimport("workflow")
    workflow = api.portal.get_tool("portal_workflow")
    (outcome_workflow,) = workflow.getWorkflowsFor("OutcomeDocument")
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="OutcomeDocument"):
        outcome_workflow.updateRoleMappingsFor(brain._unrestrictedGetObject())
