"""Add and edit forms that show a rule's refusal beside its field."""

from Acquisition import aq_inner
from Acquisition import aq_parent
from ern.cpms.content.panel import IPanel
from ern.cpms.content.panel import lead_error
from ern.cpms.questionnaire import questionnaire_of
from ern.cpms.refusals import field_error_of
from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView
from plone.dexterity.browser.edit import DefaultEditForm
from Products.Five.browser import BrowserView
from z3c.form.interfaces import ActionExecutionError
from z3c.form.interfaces import WidgetActionExecutionError
from zExceptions import BadRequest
from zope.interface import Invalid


def refuse(form, error):
    """Show a FieldError beside its field, or above the form."""
    if error.field in form.widgets:
        raise WidgetActionExecutionError(error.field, Invalid(error.message))
    raise ActionExecutionError(Invalid(error.message))


class RefusalsInForm:
    """Mixin for a Dexterity add form: a refusal raised while the object is
    added (an add-event rule) is shown in the form, and nothing is added."""

    def createAndAdd(self, data):
        try:
            return super().createAndAdd(data)
        except BadRequest as exception:
            error = field_error_of(exception)
            if error is None:
                raise
            refuse(self, error)


# Where on the panel page each kind of item is, to go back there once added.
PANEL_SECTIONS = {
    "Attachment": "attachments",
    "Comment": "timeline",
    "Contribution": "contributions",
    "DataRequest": "data-requests",
    "Meeting": "meetings",
    "OutcomeDocument": "outcome",
}


class RefusingAddForm(RefusalsInForm, DefaultAddForm):
    """The add form of a type whose add-event rules may refuse (a second ERN
    of the same network, a second contribution, a file naming the patient):
    the refusal is shown in the form. What is added to a panel leads back
    to its place on the panel page."""

    def add(self, obj):
        super().add(obj)
        section = PANEL_SECTIONS.get(obj.portal_type)
        if section is not None and IPanel.providedBy(self.context):
            self.immediate_view = f"{self.context.absolute_url()}#{section}"


class RefusingAddView(DefaultAddView):
    form = RefusingAddForm


class PanelAddForm(RefusingAddForm):
    """The consultation form; when the ERN has its own questionnaire, the
    next step is answering it."""

    def add(self, obj):
        super().add(obj)
        panel = self.context.get(obj.getId())
        if panel is not None and questionnaire_of(panel.ern) is not None:
            self.immediate_view = f"{panel.absolute_url()}/@@questionnaire"


class PanelAddView(DefaultAddView):
    form = PanelAddForm


class PanelEditForm(DefaultEditForm):
    """The consultation form, edited: a lead who is not a health
    professional of the patient's centre is refused beside the field."""

    def applyChanges(self, data):
        lead = data.get("panel_lead", self.context.panel_lead)
        error = lead_error(lead, aq_parent(aq_inner(self.context)))
        if error is not None:
            refuse(self, error)
        return super().applyChanges(data)


class InvitationAddView(BrowserView):
    """``++add++Invitation`` (the Add menu) leads to the invite form, which
    searches the ERN's experts and invites several at once."""

    def __init__(self, context, request, ti=None):
        super().__init__(context, request)
        self.ti = ti

    def __call__(self):
        self.request.response.redirect(f"{self.context.absolute_url()}/@@invite")
        return ""
