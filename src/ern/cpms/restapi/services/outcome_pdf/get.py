"""``GET @outcome-pdf`` on a panel: the final outcome document, printed."""

from ern.cpms import _
from ern.cpms.audit import record_read
from ern.cpms.caching import never_keep
from ern.cpms.outcome_pdf import render
from ern.cpms.panel_content import outcome_of
from ern.cpms.restapi.services import bad_request
from plone import api
from plone.restapi.services import Service

import json


class OutcomePDF(Service):
    def render(self):
        outcome = outcome_of(self.context)
        if outcome is None or not api.user.has_permission("View", obj=outcome):
            self.request.response.setStatus(404)
            return self._json(
                {"error": {"type": "NotFound", "message": "No outcome document"}}
            )
        if api.content.get_state(outcome) != "final":
            return self._json(
                bad_request(
                    self.request,
                    "outcome",
                    _("The PDF is available once the outcome is final."),
                )
            )
        data = render(outcome)
        record_read("download", [outcome], detail="pdf")
        response = self.request.response
        response.setHeader("Content-Type", "application/pdf")
        response.setHeader("Content-Disposition", 'attachment; filename="outcome.pdf"')
        never_keep()
        return data

    def _json(self, body):
        self.request.response.setHeader("Content-Type", "application/json")
        return json.dumps(body)
