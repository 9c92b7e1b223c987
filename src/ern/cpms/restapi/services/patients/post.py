"""``POST @patients`` on a centre: ``{"q": "jans", "consent": "enrolled",
"panels": "active" | "none", "sort": "enrolled" | "pseudonym" | "changed" |
"panels", "b_start": 0, "b_size": 25}``; every key is optional.

A search, not a change: it is a POST so that what is typed (a name) stands
in no URL. Identity comes with each patient only for those who may see it.
"""

from ern.cpms import _
from ern.cpms.audit import record_read
from ern.cpms.browser.applications import CONSENT_STATES
from ern.cpms.browser.applications import identity_readable
from ern.cpms.browser.applications import listed_patient
from ern.cpms.browser.applications import PANEL_FILTERS
from ern.cpms.browser.applications import patients_of
from ern.cpms.browser.applications import SORTS
from ern.cpms.restapi.services import bad_request
from ern.cpms.restapi.services import json_body_of
from plone.restapi.services import Service


MAX_SIZE = 100
CHOICES = {
    "consent": [value for value, _title in CONSENT_STATES],
    "panels": [value for value, _title in PANEL_FILTERS],
    "sort": [value for value, *_rest in SORTS],
}


def _number(body, name, default):
    """A whole number (JSON has one kind of number: 25.0 is 25)."""
    value = body.get(name, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Patients(Service):
    def reply(self):
        body = json_body_of(self.request)
        if body is None:
            return bad_request(self.request, "body", _("Send a JSON object."))
        for name, allowed in CHOICES.items():
            value = body.get(name)
            if value is not None and value not in allowed:
                return bad_request(
                    self.request,
                    name,
                    _(
                        "Choose one of: ${choices}.",
                        mapping={"choices": ", ".join(allowed)},
                    ),
                )
        text = body.get("q") or ""
        if not isinstance(text, str):
            return bad_request(self.request, "q", _("Type a name or a pseudonym."))
        start, size = _number(body, "b_start", 0), _number(body, "b_size", 25)
        if start is None or start < 0:
            return bad_request(self.request, "b_start", _("Give a whole number."))
        if size is None or not 1 <= size <= MAX_SIZE:
            return bad_request(
                self.request,
                "b_size",
                _("Give a number from 1 to ${most}.", mapping={"most": MAX_SIZE}),
            )
        results = patients_of(
            self.context,
            text.strip()[:100],
            body.get("consent") or "",
            body.get("panels") or "",
            body.get("sort") or SORTS[0][0],
        )
        if results is None:
            return bad_request(
                self.request, "q", _("Type at least two letters or digits to search.")
            )
        rows = [self._item(brain) for brain in results[start : start + size]]
        # One audit entry per patient named, written at once before the
        # names leave (one write for the page, not one per row).
        record_read("list", [patient for _item, patient in rows if patient])
        return {"items_total": len(results), "items": [item for item, _p in rows]}

    def _item(self, brain):
        """The row, and the patient when its identity is in it."""
        patient = listed_patient(self.context, brain)
        item = {
            "@id": brain.getURL(),
            "pseudonym": brain.Title,
            "review_state": brain.review_state,
            "created": brain.created.asdatetime().isoformat(),
            "active_panels": brain.active_panels or 0,
        }
        if not identity_readable(patient):
            return item, None
        item.update(
            given_names=patient.given_names,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth.isoformat(),
        )
        return item, patient
