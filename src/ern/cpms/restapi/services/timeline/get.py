"""``GET @timeline`` on a panel: its entries, oldest first, in pages.

``kind`` (repeated, or comma-separated) keeps some kinds only;
``b_start`` and ``b_size`` page as everywhere in plone.restapi.
"""

from ern.cpms import _
from ern.cpms.restapi.services import bad_request
from ern.cpms.timeline import KINDS
from ern.cpms.timeline import timeline
from plone.restapi.batching import HypermediaBatch
from plone.restapi.services import Service


def _iso(when):
    return when.asdatetime().isoformat() if hasattr(when, "asdatetime") else None


class Timeline(Service):
    def reply(self):
        asked = self.request.form.get("kind") or []
        if isinstance(asked, str):
            asked = asked.split(",")
        known = {kind for kind, _label in KINDS}
        unknown = sorted({kind for kind in asked if kind not in known})
        if unknown:
            return bad_request(
                self.request,
                "kind",
                _(
                    "Unknown kind: ${kinds}. Known kinds: ${known}.",
                    mapping={
                        "kinds": ", ".join(unknown),
                        "known": ", ".join(sorted(known)),
                    },
                ),
            )
        entries = timeline(self.context, asked or None)
        batch = HypermediaBatch(self.request, entries)
        result = {
            "@id": batch.canonical_url,
            "items_total": batch.items_total,
            "items": [
                {
                    "when": _iso(entry.when),
                    "kind": entry.kind,
                    "text": entry.text,
                    "@id": entry.obj.absolute_url() if entry.obj is not None else None,
                    "reply_to": entry.reply_to or None,
                }
                for entry in batch
            ],
        }
        if batch.links:
            result["batching"] = batch.links
        return result
