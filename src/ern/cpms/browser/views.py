"""Pages of the ERN and centre directories."""

from ern.cpms.vocabularies.countries import country_name
from ern.cpms.vocabularies.networks import NETWORKS_BY_CODE
from plone import api
from Products.Five.browser import BrowserView


class ERNView(BrowserView):
    """An ERN: its thematic area, helpdesk and member centres."""

    def thematic_area(self):
        return self.context.thematic_area_or_default()

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

    def networks(self):
        return [
            NETWORKS_BY_CODE[code]
            for code in self.context.ern_memberships or ()
            if code in NETWORKS_BY_CODE
        ]
