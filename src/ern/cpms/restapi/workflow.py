"""``POST @workflow/<transition>`` that says why a guard refuses.

plone.restapi answers a refused transition with a generic "Invalid
transition". For the CPMS types whose guards depend on the data (open a
panel, close it, answer an invitation, finalise an outcome, answer a data
request), the answer is the guard's own sentence, translated — to those who
hold the transition's permission only, so that it tells nothing to anyone
else.
"""

from AccessControl import getSecurityManager
from AccessControl import Unauthorized
from ern.cpms.access_requests import decision_refusal
from ern.cpms.data_requests import request_refusal
from ern.cpms.invitations import answer_refusal
from ern.cpms.panel_content import outcome_refusal
from ern.cpms.panels import transition_refusal
from ern.cpms.restapi.services import json_body_of
from plone import api
from plone.restapi.services.workflow.transition import WorkflowTransition
from zope.i18n import translate

import transaction


REFUSALS = {
    "Panel": transition_refusal,
    "Invitation": answer_refusal,
    "OutcomeDocument": outcome_refusal,
    "DataRequest": request_refusal,
    "AccessRequest": decision_refusal,
}


def explained_refusal(obj, transition):
    """The guard's sentence, if `transition` leaves the object's state, the
    user holds its permission, and the data refuses it; else None."""
    refusal_of = REFUSALS.get(obj.portal_type)
    if refusal_of is None:
        return None
    workflows = api.portal.get_tool("portal_workflow")
    (workflow,) = workflows.getWorkflowsFor(obj)
    definition = workflow.transitions.get(transition)
    state = workflow.states.get(api.content.get_state(obj))
    if definition is None or state is None or transition not in state.transitions:
        return None
    permissions = definition.guard.permissions if definition.guard else ()
    if not all(api.user.has_permission(p, obj=obj) for p in permissions):
        return None
    return refusal_of(obj, transition)


class GuardedWorkflowTransition(WorkflowTransition):
    def reply(self):
        if self.transition is not None:
            self.take_reason()
            refusal = explained_refusal(self.context, self.transition)
            if refusal is not None:
                return self.refuse(api.portal.translate(refusal))
            if not self.may_take(self.context, self.transition):
                # plone.restapi would answer 200 to anyone who may view an
                # object already in the transition's state (and would set
                # its effective date on the way): here, only to those who
                # may take the transition; anonymous callers log in first.
                if api.user.is_anonymous():
                    raise Unauthorized(self.transition)
                return self.refuse(
                    translate("Invalid transition", context=self.request)
                )
        return super().reply()

    def refuse(self, message):
        transaction.doom()
        self.request.response.setStatus(400)
        return {"error": {"type": "WorkflowException", "message": message}}

    def may_take(self, obj, transition):
        """Whether the workflow offers `transition` to the user now, or the
        object is already where it leads and the user holds its guard."""
        workflows = api.portal.get_tool("portal_workflow")
        if transition in {t["id"] for t in workflows.getTransitionsFor(obj)}:
            return True
        for workflow in workflows.getWorkflowsFor(obj):
            definition = workflow.transitions.get(transition)
            if definition is None:
                continue
            if definition.new_state_id != api.content.get_state(obj, default=None):
                continue
            return definition.guard is None or definition.guard.check(
                getSecurityManager(), workflow, obj
            )
        return False

    def take_reason(self):
        """Rejecting an access request: the transition's comment is the
        reason the requester reads (the guard needs one)."""
        if self.context.portal_type != "AccessRequest" or self.transition != "reject":
            return
        if api.content.get_state(self.context, default=None) != "pending":
            return
        if not api.user.has_permission(
            "ern.cpms: Decide access requests", obj=self.context
        ):
            return
        body = json_body_of(self.request) or {}
        comment = body.get("comment")
        if isinstance(comment, str) and comment.strip():
            self.context.decision_reason = comment.strip()
