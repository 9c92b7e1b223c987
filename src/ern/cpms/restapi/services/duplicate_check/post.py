"""``POST @duplicate-check`` on a centre: ``{"family_name", "given_names",
"date_of_birth": "YYYY-MM-DD", "sex"}`` → whether the centre has enrolled
this person already, and as which pseudonym.

Deliberately nothing more: neither the pseudonym a new enrolment would get
nor whether other centres enrolled the person (both would let anyone who
may enrol test a guessed identity against pseudonyms seen elsewhere). Other
centres are named on the patient's page once the patient is enrolled.
"""

from datetime import date
from ern.cpms import _
from ern.cpms import pseudonym
from ern.cpms.audit import record_read
from ern.cpms.enrolment import enrolments_of
from ern.cpms.restapi.services import bad_request
from ern.cpms.restapi.services import json_body_of
from ern.cpms.vocabularies.sexes import SEXES
from plone import api
from plone.restapi.services import Service


class DuplicateCheck(Service):
    def reply(self):
        body = json_body_of(self.request)
        if body is None:
            return bad_request(self.request, "body", _("Send a JSON object."))
        for name in ("family_name", "given_names"):
            value = body.get(name)
            if not isinstance(value, str) or not value.strip():
                return bad_request(
                    self.request,
                    name,
                    _("Enter the patient's given and family names."),
                )
        try:
            born = date.fromisoformat(body.get("date_of_birth"))
        except (TypeError, ValueError):
            return bad_request(
                self.request, "date_of_birth", _("Give the date as YYYY-MM-DD.")
            )
        sex = body.get("sex")
        if sex not in dict(SEXES):
            return bad_request(
                self.request,
                "sex",
                _(
                    "Choose one of: ${choices}.",
                    mapping={"choices": ", ".join(dict(SEXES))},
                ),
            )
        identity_hash = pseudonym.identity_hash(
            pseudonym.site_secret(api.portal.get()),
            body["family_name"],
            body["given_names"],
            born,
            sex,
        )
        centre_path = "/".join(self.context.getPhysicalPath()) + "/"
        for brain in enrolments_of(identity_hash):
            if brain.getPath().startswith(centre_path):
                record_read("identify", [brain._unrestrictedGetObject()])
                return {
                    "enrolled_here": True,
                    "patient": {"@id": brain.getURL(), "pseudonym": brain.Title},
                }
        record_read("identify", [self.context], detail="no match")
        return {"enrolled_here": False, "patient": None}
