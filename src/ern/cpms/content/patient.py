"""Patient: the enrolment of one person at one centre, known by a pseudonym.

The identity fields carry the read permission ``ern.cpms: View patient
identity``, which only the health professionals of the patient's own centre
hold (rolemap.xml and the patient workflow): Plone's forms, views and
plone.restapi's serialisers then leave those fields out for everybody else.
The patient's id and title are its pseudonym, never its name.
"""

from Acquisition import aq_chain
from datetime import date
from ern.cpms import _
from ern.cpms import pseudonym
from ern.cpms.content.busy import BusyContainer
from ern.cpms.content.centre import ICentre
from ern.cpms.content.security import no_raw_read
from ern.cpms.content.security import SECURITY_INDEXES
from ern.cpms.enrolment import duplicate_error
from ern.cpms.enrolment import enrolment_errors
from ern.cpms.refusals import refusal
from plone import api
from plone.app.content.namechooser import NormalizingNameChooser
from plone.autoform import directives
from plone.base.interfaces import INameFromTitle
from plone.namedfile.field import NamedBlobFile
from plone.supermodel import model
from zExceptions import BadRequest
from zope import schema
from zope.component import adapter
from zope.container.interfaces import INameChooser
from zope.interface import implementer
from zope.interface import Invalid
from zope.interface import invariant


VIEW_IDENTITY = "ern.cpms.ViewPatientIdentity"
EDIT_IDENTITY = "ern.cpms.EditPatientIdentity"
IDENTITY_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "hospital_record_number",
)


def _today():
    return date.today()


def within_record(obj):
    """Whether `obj` is a patient or anything inside one (its panels and
    everything in them): clinical, whatever its type."""
    return any(IPatient.providedBy(item) for item in aq_chain(obj))


class IPatient(model.Schema):
    """The enrolment form."""

    model.fieldset(
        "consent",
        label=_("Consent"),
        fields=[
            "consent_care",
            "consent_care_date",
            "consent_care_form",
            "consent_care_form_kept_by_centre",
            "consent_care_recorded_by",
            "consent_registries",
            "consent_research",
        ],
    )

    directives.read_permission(
        given_names=VIEW_IDENTITY,
        family_name=VIEW_IDENTITY,
        date_of_birth=VIEW_IDENTITY,
        hospital_record_number=VIEW_IDENTITY,
    )
    directives.write_permission(
        given_names=EDIT_IDENTITY,
        family_name=EDIT_IDENTITY,
        date_of_birth=EDIT_IDENTITY,
        hospital_record_number=EDIT_IDENTITY,
    )

    given_names = schema.TextLine(title=_("Given name(s)"), required=True)

    family_name = schema.TextLine(title=_("Family name"), required=True)

    date_of_birth = schema.Date(title=_("Date of birth"), required=True)

    sex = schema.Choice(
        title=_("Sex"),
        vocabulary="ern.cpms.vocabularies.Sexes",
        required=True,
    )

    enrolment_date = schema.Date(
        title=_("Enrolment date"),
        defaultFactory=_today,
        required=True,
    )

    hospital_record_number = schema.TextLine(
        title=_("Hospital record number"),
        description=_("The patient's number in your hospital's own records."),
        required=False,
    )

    consent_care = schema.Bool(
        title=_("Consent for care signed"),
        description=_(
            "Required: a patient is enrolled only with signed consent for care."
        ),
        required=False,
        default=False,
    )

    consent_care_date = schema.Date(
        title=_("Date of the consent for care"),
        required=False,
    )

    consent_care_form = NamedBlobFile(
        title=_("Signed consent form"),
        description=_("Upload the signed form, or tick that your centre keeps it."),
        required=False,
    )

    consent_care_form_kept_by_centre = schema.Bool(
        title=_("The signed form is kept by the centre"),
        required=False,
        default=False,
    )

    directives.omitted("consent_care_recorded_by")
    consent_care_recorded_by = schema.TextLine(
        title=_("Consent for care recorded by"),
        description=_("The user who enrolled the patient with this consent."),
        required=False,
        readonly=True,
    )

    consent_registries = schema.Bool(
        title=_("Consent to ERN registries and databases"),
        required=False,
        default=False,
    )

    consent_research = schema.Bool(
        title=_("Consent to be contacted for research"),
        required=False,
        default=False,
    )

    @invariant
    def enrolment_rules(data):
        """The enrolment rules that need no other record (enrolment.py)."""
        errors = enrolment_errors(data)
        if errors:
            raise Invalid(errors[0].message)


@no_raw_read
@implementer(IPatient)
class Patient(BusyContainer):
    """An enrolled patient. Unordered: it is the container of its panels."""

    _cmf_security_indexes = SECURITY_INDEXES

    pseudonym = None
    identity_hash = None

    @property
    def title(self):
        return self.pseudonym or ""

    @title.setter
    def title(self, value):
        # The title is the pseudonym; a name given as title is never kept.
        pass

    def Title(self):
        return self.title


def assign_pseudonym(patient):
    """Mint the patient's pseudonym (once) and refresh its identity hash."""
    secret = pseudonym.site_secret(api.portal.get())
    patient.identity_hash = pseudonym.identity_hash(
        secret,
        patient.family_name,
        patient.given_names,
        patient.date_of_birth,
        patient.sex,
    )
    if patient.pseudonym is None:
        patient.pseudonym = pseudonym.code_from_hash(patient.identity_hash)
    return patient.pseudonym


def rotate_pseudonym_secret(portal):
    """Replace the site secret and recompute every stored identity hash.

    Pseudonyms already minted do not change (they are ids, written in
    letters and panels); matching between centres goes on working because
    every identity hash is recomputed under the new secret. Returns the
    number of patients updated.
    """
    pseudonym.replace_secret(portal)
    count = 0
    for brain in portal.portal_catalog.unrestrictedSearchResults(portal_type="Patient"):
        patient = brain._unrestrictedGetObject()
        assign_pseudonym(patient)
        patient.reindexObject(idxs=["identity_hash", "patient_search_keys"])
        count += 1
    return count


@implementer(INameFromTitle)
@adapter(IPatient)
class PatientNameFromPseudonym:
    """A patient's id is its pseudonym, in lower case (``ern-7k3f-9qd2-mx4a``)."""

    def __init__(self, context):
        self.context = context

    @property
    def title(self):
        return assign_pseudonym(self.context).lower()


@implementer(INameChooser)
@adapter(ICentre)
class CentreNameChooser(NormalizingNameChooser):
    """A new patient is named by its pseudonym, when no record of the centre
    has that name yet (enrolling the same person twice is refused anyway).
    Plone's chooser would also ask whether the name could hide something
    the centre acquires (a tool, a view): a pseudonym's form
    (``ern-xxxx-xxxx-xxxx``) cannot, and asking cost a tenth of an
    enrolment. Anything else is named by Plone's chooser."""

    def chooseName(self, name, obj):
        if IPatient.providedBy(obj) and not name:
            name = PatientNameFromPseudonym(obj).title
            if (
                pseudonym.canonical_code(name) == name.upper()
                and name not in self.context
            ):
                return name
        return super().chooseName(name, obj)


def check_new_enrolment(patient, event):
    """Refuse a second enrolment of a person at one centre, and any id but
    the pseudonym: an id chosen by a person would put whatever they typed (a
    name, a record number) into every URL."""
    expected_id = assign_pseudonym(patient).lower()
    duplicate = duplicate_error(event.newParent, patient.identity_hash)
    if duplicate is not None:
        raise refusal(duplicate)
    if event.newName and event.newName != expected_id:
        raise BadRequest(
            api.portal.translate(
                _("A patient's id is its pseudonym: leave the id out.")
            )
        )


def identity_changed(patient, event):
    """Keep the identity hash in step with the identity fields."""
    assign_pseudonym(patient)
    patient.reindexObject(idxs=["identity_hash", "patient_search_keys"])


def record_consent(patient, event):
    """Who recorded the consent for care: the user who enrolled the patient."""
    if not patient.__dict__.get("consent_care_recorded_by"):
        patient.consent_care_recorded_by = api.user.get_current().getId()
