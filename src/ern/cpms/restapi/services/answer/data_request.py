"""``POST @answer`` on a data request: the patient's centre answers it,
``{"answer": "…"}``, with an optional file
``{"file": {"data": "<base64>", "filename": "…"}, "kind": "report"}``
attached to the panel and referring to the request — what the panel
page's answer form does (browser/panel.py, AnswerDataRequest)."""

from ern.cpms import _
from ern.cpms.data_requests import answer_request
from ern.cpms.data_requests import KIND_FORMATS
from ern.cpms.panel_content import panel_of
from ern.cpms.restapi.services import bad_request
from ern.cpms.restapi.services import json_body_of
from ern.cpms.restapi.services import refused
from plone import api
from plone.dexterity.utils import createContentInContainer
from plone.namedfile.file import NamedBlobFile
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zExceptions import BadRequest
from zope.interface import alsoProvides

import base64
import binascii


class AnswerDataRequest(Service):
    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        body = json_body_of(self.request)
        if body is None or not isinstance(body.get("answer"), str):
            return bad_request(
                self.request, "answer", _("Write the answer before sending it.")
            )
        upload = None
        if body.get("file") is not None:
            upload = _file_of(body["file"])
            if upload is None:
                return bad_request(
                    self.request,
                    "file",
                    _('Send the file as {"data": base64, "filename": name}.'),
                )
        kind = body.get("kind", "report")
        if kind not in KIND_FORMATS:
            return bad_request(
                self.request, "kind", _("Choose the kind of file from the list.")
            )
        try:
            answer_request(self.context, body["answer"])
            if upload is not None:
                createContentInContainer(
                    panel_of(self.context),
                    "Attachment",
                    checkConstraints=True,
                    kind=kind,
                    file=NamedBlobFile(data=upload[0], filename=upload[1]),
                    refers_to=self.context.UID(),
                )
        except BadRequest as exception:
            return refused(self.request, exception)
        return {
            "@id": self.context.absolute_url(),
            "review_state": api.content.get_state(self.context),
        }


def _file_of(value):
    """(bytes, file name) from plone.restapi's file shape, or None."""
    if not isinstance(value, dict):
        return None
    data, filename = value.get("data"), value.get("filename")
    if not isinstance(data, str) or not isinstance(filename, str):
        return None
    if not filename.strip() or value.get("encoding", "base64") != "base64":
        return None
    try:
        return base64.b64decode(data, validate=True), filename.strip()
    except (binascii.Error, ValueError):
        return None
