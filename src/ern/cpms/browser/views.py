"""Pages of the ERN and centre directories."""

from ern.cpms import _
from ern.cpms import consents
from ern.cpms.audit import record_read
from ern.cpms.content.panel import PANEL_STATES
from ern.cpms.enrolment import matches_elsewhere
from ern.cpms.vocabularies.countries import country_name
from ern.cpms.vocabularies.networks import NETWORKS_BY_CODE
from ern.cpms.vocabularies.sexes import SEXES
from plone import api
from plone.memoize.instance import memoize
from Products.Five.browser import BrowserView


VIEW_IDENTITY_PERMISSION = "ern.cpms: View patient identity"


def state_title(state, portal_type="Panel"):
    """A workflow state's title, translated."""
    workflow = api.portal.get_tool("portal_workflow")
    return api.portal.translate(
        workflow.getTitleForStateOnType(state, portal_type), domain="ern.cpms"
    )


class ERNView(BrowserView):
    """An ERN: its thematic area, helpdesk and member centres."""

    def thematic_area(self):
        return self.context.thematic_area_or_default()

    def can_see_statistics(self):
        return api.user.has_permission(
            "ern.cpms: View ERN statistics", obj=self.context
        )

    def member_centres(self):
        """Catalog brains of the centres that are members of this ERN."""
        return api.content.find(
            portal_type="Centre",
            ern_memberships=self.context.code,
            sort_on="sortable_title",
        )


class CentreView(BrowserView):
    """A centre: where it is and which ERNs it belongs to."""

    def country(self):
        return country_name(self.context.country)

    def is_my_centre(self):
        return api.user.has_permission("ern.cpms: Add Patient", obj=self.context)

    def networks(self):
        return [
            NETWORKS_BY_CODE[code]
            for code in self.context.ern_memberships or ()
            if code in NETWORKS_BY_CODE
        ]


class PatientView(BrowserView):
    """A patient: identity (for the own centre), consents, panels."""

    def __call__(self):
        if self.can_view_identity():
            record_read("view", [self.context])
        return self.index()

    def can_view_identity(self):
        return api.user.has_permission(VIEW_IDENTITY_PERMISSION, obj=self.context)

    def matches_elsewhere(self):
        """Other centres that enrolled the same person (own centre only)."""
        if not self.can_view_identity():
            return []
        return matches_elsewhere(self.context)

    def sex(self):
        return dict(SEXES).get(self.context.sex, self.context.sex)

    def other_consents(self):
        answers = {True: _("yes"), False: _("no")}
        return [
            _(
                "${consent}: ${answer}",
                mapping={
                    "consent": api.portal.translate(title),
                    "answer": api.portal.translate(answers[bool(value)]),
                },
            )
            for title, value in (
                (
                    _("Consent to ERN registries and databases"),
                    self.context.consent_registries,
                ),
                (
                    _("Consent to be contacted for research"),
                    self.context.consent_research,
                ),
            )
        ]

    def consent_history(self):
        """The consent changes, newest first, as the page shows them."""
        titles = {consent: title for consent, _field, title in consents.CONSENTS}
        return [
            {
                "when": item["when"][:16].replace("T", " "),
                "who": item["userid"],
                "consent": titles.get(item["consent"], item["consent"]),
                "given": _("given") if item["given"] else _("not given"),
                "signed": item["signed"] or "",
                "how": consents.HOW.get(item["how"], item["how"]),
            }
            for item in reversed(consents.history(self.context))
        ]

    def can_open_panel(self):
        return api.user.has_permission("ern.cpms: Add Panel", obj=self.context)

    def panel_groups(self):
        """The panels by state, in the order of the panel's life."""
        groups = {}
        for panel in self.panels():
            groups.setdefault(panel["review_state"], []).append(panel)
        return [
            {
                "state": state,
                "title": groups[state][0]["state"],
                "panels": groups[state],
            }
            for state in PANEL_STATES
            if state in groups
        ]

    @memoize
    def panels(self):
        """The patient's panels the user may see, newest first."""
        return [
            {
                "url": brain.getURL(),
                "title": brain.Title,
                "review_state": brain.review_state,
                "state": state_title(brain.review_state),
            }
            for brain in api.content.find(
                context=self.context,
                portal_type="Panel",
                sort_on="created",
                sort_order="descending",
            )
        ]
