"""Catalog indexers: never identifying patient data.

SearchableText of panel content is what each reader may read anyway (the
catalog filters by View); a panel itself offers its summary only.
"""

from ern.cpms.content.centre import ICentre
from ern.cpms.content.datarequest import IDataRequest
from ern.cpms.content.discussion import IComment
from ern.cpms.content.discussion import IContribution
from ern.cpms.content.discussion import IOutcomeDocument
from ern.cpms.content.ern import IERN
from ern.cpms.content.panel import IPanel
from ern.cpms.content.patient import IPatient
from ern.cpms.groups import CENTRE_GROUPS
from ern.cpms.groups import ERN_GROUPS
from ern.cpms.groups import group_id
from ern.cpms.patient_search import active_panels
from ern.cpms.patient_search import search_keys
from plone.indexer import indexer
from plone.indexer.interfaces import IIndexer
from Products.CMFCore.utils import getToolByName
from zope.component import getMultiAdapter

import re


@indexer(IERN)
def ern_code(obj):
    """The network code of an ERN."""
    return obj.code


@indexer(IPanel)
def panel_ern_code(panel):
    """The network a panel belongs to (for its coordinators' lists)."""
    return panel.ern


def _searchable(*parts):
    return " ".join(part for part in parts if part)


@indexer(IPanel)
def panel_searchable_text(panel):
    """The summary only: what an invited expert may read (the clinical
    sections are not searchable, so a search cannot probe them)."""
    return _searchable(panel.Title(), panel.reason, *(panel.questions or ()))


@indexer(IComment)
def comment_searchable_text(comment):
    html = comment.text.raw if comment.text is not None else ""
    return _searchable(comment.Title(), re.sub(r"<[^>]+>", " ", html))


@indexer(IContribution)
def contribution_searchable_text(contribution):
    return _searchable(
        contribution.Title(), contribution.assessment, contribution.recommendation
    )


@indexer(IDataRequest)
def data_request_searchable_text(request):
    return _searchable(request.Title(), request.question, request.answer)


@indexer(IOutcomeDocument)
def outcome_searchable_text(outcome):
    return _searchable(outcome.Title(), outcome.conclusions, outcome.recommendations)


@indexer(IPatient)
def patient_search_keys(patient):
    """Keyed hashes of name and pseudonym prefixes (patient_search.py)."""
    return search_keys(patient)


@indexer(IPatient)
def patient_active_panels(patient):
    return active_panels(patient)


@indexer(ICentre)
def centre_groups(centre):
    """The groups of a centre: how a person's centres are found."""
    return [group_id(centre, suffix) for suffix, _role, _title in CENTRE_GROUPS]


@indexer(IERN)
def ern_groups(ern):
    """The groups of an ERN: how a person's ERNs are found (by role)."""
    return [group_id(ern, suffix) for suffix, _role, _title in ERN_GROUPS]


def _own_entries(obj):
    """The user and group entries (``user:<id>``) of Plone's security index
    for `obj`: who may see it by a role of their own or of their group."""
    catalog = getToolByName(obj, "portal_catalog")
    security = getMultiAdapter((obj, catalog), IIndexer, name="allowedRolesAndUsers")
    return [entry for entry in security() if entry.startswith("user:")]


@indexer(IPanel)
def panel_people(panel):
    """For "my work": Plone's security entries of a panel alone. Asking
    Plone's index for a person's panels also finds every item inside them,
    and asking it with the type intersects those with every panel of the
    network."""
    return _own_entries(panel)


@indexer(IDataRequest)
def open_request_people(request):
    """For "my work": Plone's security entries of a data request while it
    is open (answered or cancelled, it is not indexed)."""
    workflow = getToolByName(request, "portal_workflow")
    if workflow.getInfoFor(request, "review_state", None) != "open":
        raise AttributeError("open_request_people")
    return _own_entries(request)
