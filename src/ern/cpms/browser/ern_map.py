"""The ERN map: every ERN and its member centres, on a map and in a list.

Public directory information (ERNs and centres use `one_state_workflow`):
nothing below a centre is read. The list is rendered on the server and is
always there; the map (static/ern-map.js with the bundled Leaflet) is drawn
over it when the browser can, from the JSON in the map's data attribute.
"""

from ern.cpms.vocabularies.countries import country_name
from ern.cpms.vocabularies.networks import NETWORKS_BY_CODE
from plone import api
from plone.memoize.view import memoize
from Products.Five.browser import BrowserView

import json


TILE_URL_RECORD = "ern.cpms.map_tile_url"
ATTRIBUTION_RECORD = "ern.cpms.map_attribution"
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = "© OpenStreetMap contributors"


def _sort_key(text):
    return (text or "").casefold()


class ERNMapView(BrowserView):
    """`@@ern-map` on the site root: filter form, map and list of centres."""

    # The static resources of the add-on (browser/static, plone:static).
    def static_url(self):
        return f"{api.portal.get().absolute_url()}/++plone++ern.cpms"

    def tile_url(self):
        # The default also serves a site whose profile is not upgraded yet.
        return api.portal.get_registry_record(TILE_URL_RECORD, default=None) or (
            DEFAULT_TILE_URL
        )

    def attribution(self):
        return api.portal.get_registry_record(ATTRIBUTION_RECORD, default=None) or (
            DEFAULT_ATTRIBUTION
        )

    # The filter form.

    @memoize
    def erns(self):
        """The ERNs of the site, by code: code, title and address."""
        catalog = api.portal.get_tool("portal_catalog")
        codes = catalog.Indexes["ern_code"]
        erns = []
        for brain in api.content.find(portal_type="ERN", sort_on="ern_code"):
            code = codes.getEntryForObject(brain.getRID(), None)
            if code:
                erns.append({"code": code, "title": brain.Title, "url": brain.getURL()})
        return sorted(erns, key=lambda ern: _sort_key(ern["code"]))

    @memoize
    def countries(self):
        """The countries that have centres, by name: code and name."""
        catalog = api.portal.get_tool("portal_catalog")
        index = catalog.Indexes["country"]
        codes = {
            index.getEntryForObject(brain.getRID(), None)
            for brain in api.content.find(portal_type="Centre")
        }
        countries = [
            {"code": code, "name": country_name(code)} for code in codes if code
        ]
        return sorted(countries, key=lambda country: _sort_key(country["name"]))

    def _chosen(self, name, allowed):
        """The form's value for `name` if it is one of the offered options."""
        value = self.request.form.get(name)
        return value if isinstance(value, str) and value in allowed else ""

    @memoize
    def selected_ern(self):
        return self._chosen("ern", {ern["code"] for ern in self.erns()})

    @memoize
    def selected_country(self):
        return self._chosen("country", {c["code"] for c in self.countries()})

    # The centres.

    @memoize
    def centres(self):
        """The centres that match the filter and belong to a network, by name."""
        query = {"portal_type": "Centre", "sort_on": "sortable_title"}
        if self.selected_ern():
            query["ern_memberships"] = self.selected_ern()
        if self.selected_country():
            query["country"] = self.selected_country()
        centres = []
        for brain in api.content.find(**query):
            # Coordinates and city are no catalog metadata; there are at
            # most a few hundred centres.
            centre = brain.getObject()
            networks = sorted(centre.ern_memberships or (), key=_sort_key)
            if not networks:
                continue  # on the map are the networks' member centres
            centres.append(
                {
                    "title": centre.Title(),
                    "url": brain.getURL(),
                    "city": centre.city or "",
                    "country": country_name(centre.country) or "",
                    "erns": networks,
                    "lat": centre.latitude,
                    "lon": centre.longitude,
                }
            )
        return centres

    def markers_json(self):
        """The centres with coordinates, as JSON for static/ern-map.js."""
        return json.dumps(
            [
                centre
                for centre in self.centres()
                if centre["lat"] is not None and centre["lon"] is not None
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def groups(self):
        """The centres grouped by network, networks by code.

        A centre is listed under each of its networks (the chosen one only
        when the form names one). A network without an ERN on this site is
        named by its thematic area and not linked.
        """
        erns = {ern["code"]: ern for ern in self.erns()}
        members = {}
        for centre in self.centres():
            for code in centre["erns"]:
                if self.selected_ern() and code != self.selected_ern():
                    continue
                members.setdefault(code, []).append(centre)
        groups = []
        for code in sorted(members, key=_sort_key):
            ern = erns.get(code)
            if ern is not None:
                title, url = ern["title"], ern["url"]
            else:
                network = NETWORKS_BY_CODE.get(code)
                title = network.thematic_area if network else ""
                url = None
            groups.append(
                {"code": code, "title": title, "url": url, "centres": members[code]}
            )
        return groups
