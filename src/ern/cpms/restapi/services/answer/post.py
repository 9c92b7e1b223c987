"""``POST @answer`` on an invitation: ``{"interested": true}`` or
``{"interested": false, "reason": "…"}``, by the invitee."""

from ern.cpms import _
from ern.cpms import invitations
from ern.cpms.restapi.services import bad_request
from ern.cpms.restapi.services import json_body_of
from ern.cpms.restapi.services import refused
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zExceptions import BadRequest
from zope.interface import alsoProvides


class Answer(Service):
    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        body = json_body_of(self.request)
        interested = body.get("interested") if body is not None else None
        if not isinstance(interested, bool):
            return bad_request(
                self.request, "interested", _("Answer interested: true or false.")
            )
        reason = body.get("reason") or ""
        if not isinstance(reason, str):
            return bad_request(self.request, "reason", _("The reason is text."))
        if self.context.invitee != api.user.get_current().getId():
            self.request.response.setStatus(403)
            return {"error": {"type": "Forbidden", "message": "Not your invitation"}}
        try:
            invitations.answer(self.context, accept=interested, reason=reason)
        except BadRequest as exception:
            return refused(self.request, exception)
        return {
            "@id": self.context.absolute_url(),
            "review_state": api.content.get_state(self.context),
        }
