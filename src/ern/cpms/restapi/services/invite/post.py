"""``POST @invite`` on a panel: ``{"experts": [user ids or "group:<uid>"],
"message": "…", "reply_by": "YYYY-MM-DD"}``; all are invited, or none."""

from datetime import date
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


class Invite(Service):
    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        body = json_body_of(self.request)
        if body is None:
            return bad_request(self.request, "body", _("Send a JSON object."))
        experts = body.get("experts")
        if not isinstance(experts, list) or not all(
            isinstance(e, str) for e in experts
        ):
            return bad_request(
                self.request, "experts", _("Give the experts as a list of user ids.")
            )
        message = body.get("message") or ""
        if not isinstance(message, str):
            return bad_request(self.request, "message", _("The message is text."))
        reply_by = body.get("reply_by")
        if reply_by is not None:
            try:
                reply_by = date.fromisoformat(reply_by)
            except (TypeError, ValueError):
                return bad_request(
                    self.request, "reply_by", _("Give the date as YYYY-MM-DD.")
                )
        try:
            invited = invitations.invite(self.context, experts, message, reply_by)
        except BadRequest as exception:
            return refused(self.request, exception)
        self.request.response.setStatus(201)
        return {
            "items": [
                {
                    "@id": invitation.absolute_url(),
                    "invitee": invitation.invitee,
                    "review_state": api.content.get_state(invitation),
                    "reply_by": reply_by and reply_by.isoformat(),
                }
                for invitation in invited
            ]
        }
