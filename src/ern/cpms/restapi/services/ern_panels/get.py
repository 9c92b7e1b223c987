"""``GET @ern-panels`` on an ERN: its panels, newest first, ``state=`` to
keep one state, ``b_start``/``b_size`` to page: title, centre, state and
dates only — never the case, and no link a coordinator could not open."""

from ern.cpms import _
from ern.cpms.browser.applications import centre_id_of
from ern.cpms.browser.applications import centre_titles
from ern.cpms.content.panel import PANEL_STATES
from ern.cpms.restapi.services import bad_request
from ern.cpms.statistics import ern_panels
from plone.restapi.batching import HypermediaBatch
from plone.restapi.services import Service


class ERNPanels(Service):
    def reply(self):
        state = self.request.form.get("state")
        if state is not None and state not in PANEL_STATES:
            return bad_request(
                self.request,
                "state",
                _(
                    "Choose one of: ${choices}.",
                    mapping={"choices": ", ".join(PANEL_STATES)},
                ),
            )
        centres = centre_titles()
        batch = HypermediaBatch(self.request, ern_panels(self.context.code, state))
        result = {
            "@id": batch.canonical_url,
            "items_total": batch.items_total,
            "items": [
                {
                    "title": brain.Title,
                    "centre": centres.get(centre_id_of(brain)),
                    "review_state": brain.review_state,
                    "created": brain.created.asdatetime().isoformat(),
                    "opened": brain.panel_opened and brain.panel_opened.isoformat(),
                    "closed": brain.panel_closed and brain.panel_closed.isoformat(),
                    "contributions": brain.panel_contributions or 0,
                }
                for brain in batch
            ],
        }
        if batch.links:
            result["batching"] = batch.links
        return result
