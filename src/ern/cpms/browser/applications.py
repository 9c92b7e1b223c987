"""The two applications of CPMS: the Centre application (a centre's patient
list, enrolment, the patient's panels) and the ERN application (what waits
for an expert, their panels and meetings, and for coordinators their ERN's
panels).

Lists come from the catalog. The patient list wakes only the patients of
the page it shows (their names are in no index or metadata column).
"""

from AccessControl import getSecurityManager
from AccessControl import Unauthorized
from datetime import datetime
from datetime import UTC
from ern.cpms import _
from ern.cpms import second_factor
from ern.cpms.audit import record_read
from ern.cpms.browser.views import state_title
from ern.cpms.content.panel import PANEL_STATES
from ern.cpms.meetings import meetings_of
from ern.cpms.patient_search import INDEX as SEARCH_INDEX
from ern.cpms.patient_search import search_query
from ern.cpms.publishing import RESOURCES
from ern.cpms.publishing import webinars
from ern.cpms.statistics import ern_panels
from ern.cpms.work import my_work
from plone import api
from plone.batching import Batch
from plone.memoize.instance import memoize
from Products.Five.browser import BrowserView


PAGE_SIZE = 25
ADD_PATIENT = "ern.cpms: Add Patient"
VIEW_IDENTITY = "ern.cpms: View patient identity"

# (value of the "sort" parameter, catalog index, order, label)
SORTS = (
    ("enrolled", "created", "descending", _("Newest enrolment first")),
    ("pseudonym", "id", "ascending", _("Pseudonym")),
    ("changed", "modified", "descending", _("Last changed first")),
    ("panels", "active_panels", "descending", _("Most panels at work first")),
)
CONSENT_STATES = (
    ("enrolled", _("Consent for care given")),
    ("consent_withdrawn", _("Consent for care withdrawn")),
)
PANEL_FILTERS = (
    ("active", _("With panels at work")),
    ("none", _("Without panels at work")),
)


def patients_of(centre, text="", consent="", panels="", sort=SORTS[0][0]):
    """Catalog brains of a centre's patients the user may see: searched by
    name or pseudonym (`text`, through the search keys), filtered by consent
    state and panels at work ("active" or "none"), sorted by one of SORTS.
    None when `text` has nothing searchable."""
    _value, index, order, _title = next((s for s in SORTS if s[0] == sort), SORTS[0])
    # The centre's children are its patients (its type allows nothing else)
    # and patients have no publication dates: asking for the type and the
    # effective range as well would intersect the centre's few hundred rows
    # with sets of the whole network, a cost that grows with it
    # (docs/performance.md).
    query = {
        "path": {"query": "/".join(centre.getPhysicalPath()), "depth": 1},
        "sort_on": index,
        "sort_order": order,
        "show_inactive": True,
    }
    if text:
        search = search_query(text)
        if search is None:
            return None
        query[SEARCH_INDEX] = search
    if consent:
        query["review_state"] = consent
    if panels == "active":
        query["active_panels"] = {"query": 1, "range": "min"}
    elif panels == "none":
        query["active_panels"] = 0
    return api.portal.get_tool("portal_catalog")(**query)


def listed_patient(centre, brain):
    """The patient of a row of patients_of(centre): taken from the centre,
    whose search the catalog filtered by the user's View, not traversed to
    again from the site with a security check at each step (getObject: a
    third of a page of 25)."""
    return centre._getOb(brain.getId)


def identity_readable(patient):
    """Whether the current user may read the patient's name and birth."""
    return bool(getSecurityManager().checkPermission(VIEW_IDENTITY, patient))


def _group_ids():
    user = api.user.get_current()
    return [group.getId() for group in api.group.get_groups(user=user)]


def my_places(portal_type, suffix=None):
    """Brains of the centres (or ERNs) whose groups the current user is in;
    with `suffix`, only through that group (e.g. ``coordinators``)."""
    groups = _group_ids()
    if suffix is not None:
        groups = [group for group in groups if group.endswith(f"-{suffix}")]
    if not groups:
        return []
    return api.content.find(
        portal_type=portal_type, cpms_groups=groups, sort_on="sortable_title"
    )


def _require_login():
    if api.user.is_anonymous():
        raise Unauthorized("Log in first")


class CentrePatients(BrowserView):
    """``@@patients`` on a centre: every patient of the centre, whoever
    enrolled them; search by name or pseudonym, filter, sort, pages."""

    def __call__(self):
        self.message = None
        return self.index()

    # What was asked, cleaned: unknown (or repeated) values fall back to the
    # defaults.
    def _field(self, name):
        value = self.request.form.get(name)
        return value if isinstance(value, str) else ""

    def text(self):
        """What was typed in the search box: from a POST only, so that a
        name typed there never stands in a URL (and so in no log, history
        or bookmark); the pages of the result are POSTs too."""
        if self.request.method != "POST":
            return ""
        return self._field("q").strip()[:100]

    def sort(self):
        wanted = self._field("sort")
        return next((s for s in SORTS if s[0] == wanted), SORTS[0])

    def consent(self):
        wanted = self._field("consent")
        return wanted if wanted in dict(CONSENT_STATES) else ""

    def panels_filter(self):
        wanted = self._field("panels")
        return wanted if wanted in dict(PANEL_FILTERS) else ""

    def pager(self):
        """Where the previous and next pages start, and which page this is."""
        batch = self.batch()
        total = batch.sequence_length
        start = min(self._start(), max(total - 1, 0))
        pages = max(1, -(-total // PAGE_SIZE))
        return {
            "page": start // PAGE_SIZE + 1,
            "pages": pages,
            "previous": max(start - PAGE_SIZE, 0) if start > 0 else None,
            "next": start + PAGE_SIZE if start + PAGE_SIZE < total else None,
        }

    def options(self, choices, current):
        return [
            {"value": value, "title": title, "selected": value == current}
            for value, title in choices
        ]

    def sort_options(self):
        current = self.sort()[0]
        return [
            {"value": value, "title": title, "selected": value == current}
            for value, _index, _order, title in SORTS
        ]

    def consent_options(self):
        return self.options(CONSENT_STATES, self.consent())

    def panel_options(self):
        return self.options(PANEL_FILTERS, self.panels_filter())

    def _start(self):
        try:
            return max(0, int(self._field("b_start") or 0))
        except ValueError:
            return 0

    @memoize
    def batch(self):
        """The page of catalog brains asked for (a lazy Batch)."""
        results = patients_of(
            self.context,
            self.text(),
            self.consent(),
            self.panels_filter(),
            self.sort()[0],
        )
        if results is None:
            self.message = _("Type at least two letters or digits to search.")
            return Batch([], PAGE_SIZE)
        return Batch(results, PAGE_SIZE, self._start(), orphan=0)

    def rows(self):
        """The patients of the page: identity from the objects (never the
        catalog), for those who may see it."""
        rows, shown = [], []
        for brain in self.batch():
            patient = listed_patient(self.context, brain)
            identity = identity_readable(patient)
            if identity:
                shown.append(patient)
            rows.append(
                {
                    "url": brain.getURL(),
                    "pseudonym": brain.Title,
                    "name": identity
                    and f"{patient.family_name}, {patient.given_names}",
                    "born": identity
                    and api.portal.get_localized_time(patient.date_of_birth),
                    "enrolled": api.portal.get_localized_time(brain.created),
                    "consent": state_title(brain.review_state, "Patient"),
                    "active_panels": brain.active_panels or 0,
                }
            )
        # Before the names are shown: every patient named on the page.
        record_read("list", shown)
        return rows

    def total(self):
        return self.batch().sequence_length

    def searched(self):
        return bool(self.text() or self.consent() or self.panels_filter())

    def can_enrol(self):
        return api.user.has_permission(ADD_PATIENT, obj=self.context)

    def enrol_url(self):
        return f"{self.context.absolute_url()}/++add++Patient"

    def other_centres(self):
        """The user's other centres, to switch between them."""
        here = self.context.UID()
        return [brain for brain in my_places("Centre") if here != brain.UID]


class MyCentre(BrowserView):
    """``@@my-centre``: the Centre application's door. One centre: its
    patient list; several: a choice; none: what to do about it."""

    def __call__(self):
        _require_login()
        centres = self.centres()
        if len(centres) == 1:
            self.request.response.redirect(f"{centres[0].getURL()}/@@patients")
            return ""
        return self.index()

    @memoize
    def centres(self):
        return list(my_places("Centre"))


class MyERN(BrowserView):
    """``@@my-ern``: the ERN application's home for one expert."""

    def __call__(self):
        _require_login()
        # Listed from the user's id (not through the catalog's security):
        # a second factor first.
        second_factor.require_proof()
        return self.index()

    def userid(self):
        return api.user.get_current().getId()

    @memoize
    def work(self):
        return my_work(self.userid())

    def panel_groups(self):
        """My panels by state, the states in workflow order, empty ones left out."""
        return [
            {"state": state, "title": state_title(state, "Panel"), "panels": panels}
            for state, panels in self.work()["panels"].items()
            if panels
        ]

    def waiting(self):
        work = self.work()
        return bool(work["data_requests"] or work["contributions"] or work["reviews"])

    def invitation_action(self, invitation):
        """Where an invitation's buttons post (the panel's action view)."""
        return invitation["@id"] + "/@@invitation-action"

    def invitation_id(self, invitation):
        return invitation["invitation"].rsplit("/", 1)[-1]

    @memoize
    def meetings(self):
        """My meetings still to come, soonest first."""
        now = datetime.now(UTC)
        upcoming = []
        for meeting in meetings_of(self.userid()):
            if meeting.end and meeting.ends() < now:
                continue
            upcoming.append(
                {
                    "title": meeting.Title(),
                    "url": meeting.absolute_url(),
                    "panel": meeting.__parent__.Title(),
                    "start": api.portal.get_localized_time(
                        meeting.start, long_format=True
                    ),
                    "link": meeting.safe_video_link(),
                }
            )
        return upcoming

    def networks(self):
        """The ERNs of my centres, each with its resources and the next
        webinars I may see."""
        codes = set()
        for centre in my_places("Centre"):
            codes.update(centre.getObject().ern_memberships or ())
        if not codes:
            return []
        networks = []
        for brain in api.content.find(
            portal_type="ERN", ern_code=sorted(codes), sort_on="sortable_title"
        ):
            ern = brain.getObject()
            resources = ern.get(RESOURCES)
            networks.append(
                {
                    "title": brain.Title,
                    "url": brain.getURL(),
                    "resources": resources is not None and resources.absolute_url(),
                    "webinars": [
                        {
                            "title": webinar.Title,
                            "url": webinar.getURL(),
                            "when": api.portal.get_localized_time(
                                webinar.start, long_format=True
                            ),
                        }
                        for webinar in webinars(ern, upcoming=True, limit=3)
                    ],
                }
            )
        return networks

    def coordinated(self):
        """The ERNs I coordinate, each with its latest panels."""
        coordinated = []
        for ern in my_places("ERN", suffix="coordinators"):
            panels = ern_panels(ern.getObject().code)
            coordinated.append(
                {
                    "title": ern.Title,
                    "url": ern.getURL(),
                    "panels": panel_rows(panels[:PAGE_SIZE]),
                    "count": len(panels),
                }
            )
        return coordinated


def centre_titles():
    """Every centre's title by its id (a few hundred: one catalog query)."""
    return {
        brain.getId: brain.Title
        for brain in api.portal.get_tool("portal_catalog").unrestrictedSearchResults(
            portal_type="Centre"
        )
    }


def centre_id_of(panel_brain):
    """The id of a panel's centre, from its path: .../<centre>/<patient>/<panel>."""
    return panel_brain.getPath().split("/")[-3]


def panel_rows(brains):
    """What a coordinator reads of panels: title, centre, state, dates."""
    centres = centre_titles()
    return [
        {
            "title": brain.Title,
            "centre": centres.get(centre_id_of(brain), centre_id_of(brain)),
            "state": state_title(brain.review_state),
            "created": api.portal.get_localized_time(brain.created),
        }
        for brain in brains
    ]


class ERNPanels(CentrePatients):
    """``@@panels`` on an ERN: all its panels for its coordinators, by
    state, 25 a page (the page's filter and paging of the patient list)."""

    def state_options(self):
        current = self.state()
        return [
            {
                "value": state,
                "title": state_title(state, "Panel"),
                "selected": state == current,
            }
            for state in PANEL_STATES
        ]

    def state(self):
        wanted = self._field("state")
        return wanted if wanted in PANEL_STATES else ""

    @memoize
    def batch(self):
        return Batch(
            ern_panels(self.context.code, self.state()),
            PAGE_SIZE,
            self._start(),
            orphan=0,
        )

    def rows(self):
        return panel_rows(self.batch())
