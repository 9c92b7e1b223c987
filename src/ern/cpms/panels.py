"""The rules of a panel's lifecycle, in one place.

The workflow's guards ask ``transition_refusal``; a page or the REST API asks
it too, to say why a transition is not offered. None means allowed.
"""

from Acquisition import aq_inner
from Acquisition import aq_parent
from ern.cpms import _
from ern.cpms.data_requests import request_refusal
from ern.cpms.invitations import answer_refusal
from ern.cpms.panel_content import children
from ern.cpms.panel_content import outcome_of
from ern.cpms.panel_content import outcome_refusal
from ern.cpms.questionnaire import missing_answers
from plone import api
from Products.Five.browser import BrowserView


REQUIRED_TO_OPEN = ("ern", "panel_type", "reason", "panel_lead")


def _missing_fields(panel):
    return [name for name in REQUIRED_TO_OPEN if not getattr(panel, name, None)]


def transition_refusal(panel, transition):
    """Why `transition` may not happen to `panel` now, or None."""
    if transition == "open":
        patient = aq_parent(aq_inner(panel))
        if api.content.get_state(patient, default=None) != "enrolled":
            return _(
                "This panel cannot be opened: the patient has withdrawn "
                "consent for care."
            )
        missing = _missing_fields(panel)
        if missing:
            return _(
                "Complete the consultation form before opening the panel: "
                "${fields} missing.",
                mapping={"fields": ", ".join(missing)},
            )
        unanswered = missing_answers(panel)
        if unanswered:
            return _(
                "Answer the ERN's questionnaire before opening the panel: "
                "${questions} missing.",
                mapping={"questions": ", ".join(unanswered)},
            )
    if transition == "reopen":
        outcome = outcome_of(panel)
        if outcome is not None and api.content.get_state(outcome) == "final":
            return _(
                "The outcome document is final: close the panel, or ask for a "
                "new panel to discuss the case again."
            )
    if transition == "submit_outcome" and outcome_of(panel) is None:
        return _("Draft the outcome document before sending it to review.")
    if transition == "close":
        outcome = outcome_of(panel)
        if outcome is None or api.content.get_state(outcome) != "final":
            return _("A panel cannot be closed before its outcome document is final.")
        recorded = len(children(panel, "Contribution"))
        if recorded < MINIMUM_CONTRIBUTIONS and not panel.few_contributions_confirmed:
            return _(
                "Only ${count} contribution(s) recorded: confirm that you close "
                "the panel with fewer than ${minimum}.",
                mapping={"count": recorded, "minimum": MINIMUM_CONTRIBUTIONS},
            )
    return None


# Closing with fewer contributions is possible, but only once confirmed.
MINIMUM_CONTRIBUTIONS = 2


# The transitions whose guard asks transition_refusal, with the permission
# that must be held before a refusal is worth explaining.
EXPLAINED = (
    ("open", "ern.cpms: Open panel"),
    ("reopen", "ern.cpms: Reopen panel"),
    ("submit_outcome", "ern.cpms: Submit outcome for review"),
    ("close", "ern.cpms: Close panel"),
)


def refusals_for_user(panel):
    """What the current user could do here but for the data, and why not.

    A list of (transition id, sentence): only transitions that leave the
    panel's current state and whose permission the user holds.
    """
    workflow = api.portal.get_tool("portal_workflow")
    (definition,) = workflow.getWorkflowsFor(panel)
    state = definition.states[api.content.get_state(panel)]
    result = []
    for transition, permission in EXPLAINED:
        if transition not in state.transitions:
            continue
        if not api.user.has_permission(permission, obj=panel):
            continue
        refusal = transition_refusal(panel, transition)
        if refusal is not None:
            result.append((transition, refusal))
    return result


class Guard(BrowserView):
    """What a workflow's guard expressions call: ``@@panel-guard``,
    ``@@invitation-guard``, ``@@outcome-guard``. The same rule answers the
    page or the API that must say why a transition is refused."""

    refusal = staticmethod(transition_refusal)

    def allows(self, transition):
        return self.refusal(self.context, transition) is None


class PanelGuard(Guard):
    refusal = staticmethod(transition_refusal)


class InvitationGuard(Guard):
    refusal = staticmethod(answer_refusal)


class DataRequestGuard(Guard):
    refusal = staticmethod(request_refusal)


class OutcomeGuard(Guard):
    refusal = staticmethod(outcome_refusal)


class AccessRequestGuard(Guard):
    @staticmethod
    def refusal(request, transition):
        from ern.cpms.access_requests import decision_refusal

        return decision_refusal(request, transition)
