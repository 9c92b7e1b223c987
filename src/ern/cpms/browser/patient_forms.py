"""The enrolment and patient edit forms: refusals shown in the form."""

from ern.cpms.audit import record_read
from ern.cpms.browser.forms import RefusalsInForm
from ern.cpms.browser.forms import refuse
from ern.cpms.content.patient import IPatient
from ern.cpms.enrolment import enrolment_errors
from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView
from plone.dexterity.browser.edit import DefaultEditForm
from types import SimpleNamespace


IPATIENT_FIELDS = tuple(IPatient.names())


class PatientAddForm(RefusalsInForm, DefaultAddForm):
    """Checks every enrolment rule on the whole form before anything is
    created.

    The schema's invariant sees one fieldset at a time in a form with
    fieldsets, so the form asks the rules itself, with all the data; the
    rule that needs the other records (a second enrolment of the same
    person) comes from the add event, through RefusalsInForm.
    """

    def createAndAdd(self, data):
        errors = enrolment_errors(SimpleNamespace(**data))
        if errors:
            refuse(self, errors[0])
        return super().createAndAdd(data)


class PatientAddView(DefaultAddView):
    form = PatientAddForm


class PatientEditForm(DefaultEditForm):
    """The same rules when a record is corrected: the values the form does
    not show (or the user may not edit) are taken from the record."""

    def render(self):
        # The form shows the identity it may edit: a read.
        if "family_name" in self.fields or any(
            "family_name" in group.fields for group in self.groups
        ):
            record_read("view", [self.context], detail="edit form")
        return super().render()

    def applyChanges(self, data):
        values = {name: getattr(self.context, name, None) for name in IPATIENT_FIELDS}
        values.update(data)
        errors = enrolment_errors(SimpleNamespace(**values))
        if errors:
            refuse(self, errors[0])
        return super().applyChanges(data)
