"""Statistics of an ERN's panels, for its coordinators (page, charts, CSV).

Everything comes from catalog metadata — state, creation, the dates the
panel was opened and closed and its number of contributions, kept as
columns by the indexers below — so that the figures of an ERN with
thousands of panels cost no object wake-up. None of it identifies anybody.
"""

from collections import Counter
from datetime import datetime
from datetime import UTC
from ern.cpms.content.discussion import IContribution
from ern.cpms.content.panel import IPanel
from ern.cpms.content.panel import PANEL_STATES
from ern.cpms.workflow_history import records
from plone import api
from plone.indexer import indexer
from statistics import median

import csv
import io


MONTHS = 12
# Panels closed with fewer contributions are flagged (DESIGN.md: warn under 2).
ENOUGH_CONTRIBUTIONS = 2
# (upper bound in days, label) for the time from opening to closure.
DURATION_BUCKETS = ((30, "≤ 30"), (90, "31–90"), (180, "91–180"), (None, "> 180"))


def _last_transition(panel, action):
    """When the panel last went through `action` (UTC), or None."""
    history = records(panel, "cpms_panel_workflow")
    times = [entry["time"] for entry in history if entry.get("action") == action]
    if not times:
        return None
    return times[-1].asdatetime().astimezone(UTC)


@indexer(IPanel)
def panel_opened(panel):
    return _last_transition(panel, "open")


@indexer(IPanel)
def panel_closed(panel):
    return _last_transition(panel, "close")


@indexer(IPanel)
def panel_contributions(panel):
    return sum(1 for item in panel.objectValues() if IContribution.providedBy(item))


def contribution_changed(contribution, event):
    """A contribution came (or went): its panel's count follows."""
    panel = getattr(event, "oldParent", None) or contribution.__parent__
    if IPanel.providedBy(panel):
        # Any index will do: reindexing one updates every metadata column.
        panel.reindexObject(idxs=["getId"])


def _month(moment):
    return f"{moment.year:04d}-{moment.month:02d}"


def _months_until(today, count=MONTHS):
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def ern_panels(code, state=None):
    """Catalog brains of the ERN's panels (in `state` if given), newest
    first, whoever may open them: for its coordinators' figures and lists
    (summary metadata only, never the case)."""
    query = {
        "portal_type": "Panel",
        "ern_code": code,
        "sort_on": "created",
        "sort_order": "descending",
    }
    if state:
        query["review_state"] = state
    return api.portal.get_tool("portal_catalog").unrestrictedSearchResults(**query)


def figures(code, today=None):
    """The ERN's figures as plain data (for the page, the charts, the CSV)."""
    today = today or datetime.now(UTC).date()
    brains = ern_panels(code)
    by_state = Counter(brain.review_state for brain in brains)
    months = _months_until(today)
    created = Counter(_month(brain.created.asdatetime()) for brain in brains)
    durations = []
    contributions = Counter()
    few = 0
    closed = 0
    for brain in brains:
        if brain.review_state not in ("closed", "archived"):
            continue
        closed += 1
        count = brain.panel_contributions or 0
        contributions[min(count, 5)] += 1
        if count < ENOUGH_CONTRIBUTIONS:
            few += 1
        if brain.panel_opened and brain.panel_closed:
            durations.append((brain.panel_closed - brain.panel_opened).days)
    buckets = []
    lower = 0
    for upper, label in DURATION_BUCKETS:
        buckets.append(
            (
                label,
                sum(
                    1 for d in durations if d >= lower and (upper is None or d <= upper)
                ),
            )
        )
        lower = (upper or 0) + 1
    return {
        "total": len(brains),
        "by_state": [(state, by_state.get(state, 0)) for state in PANEL_STATES],
        "by_month": [(month, created.get(month, 0)) for month in months],
        "durations": buckets,
        "median_days": median(durations) if durations else None,
        "contributions": [
            ("5+" if n == 5 else str(n), contributions.get(n, 0)) for n in range(6)
        ],
        "closed": closed,
        "few_contributions": few,
    }


def as_csv(code, data):
    """The figures as one CSV table: section, key, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ern", "figure", "key", "value"])
    writer.writerow([code, "panels", "total", data["total"]])
    for section in ("by_state", "by_month", "durations", "contributions"):
        for key, value in data[section]:
            writer.writerow([code, section, key, value])
    writer.writerow([code, "closed", "total", data["closed"]])
    writer.writerow(
        [
            code,
            "closed_with_fewer_than_2_contributions",
            "total",
            data["few_contributions"],
        ]
    )
    writer.writerow([code, "median_days_open_to_closed", "", data["median_days"] or ""])
    return out.getvalue()
