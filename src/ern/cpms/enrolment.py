"""The enrolment rules, in one place for the forms, the REST API and scripts.

Each refusal is a sentence that says what to do, translated, with the field
it concerns; nothing is created when one applies.
"""

from Acquisition import aq_base
from Acquisition import aq_inner
from Acquisition import aq_parent
from datetime import date
from ern.cpms import _
from ern.cpms.refusals import field_error_of
from ern.cpms.refusals import FieldError
from plone import api
from plone.dexterity.utils import createContentInContainer
from types import SimpleNamespace
from z3c.form.interfaces import NO_VALUE
from zExceptions import BadRequest


EARLIEST_BIRTH = date(1900, 1, 1)


def _value(data, name):
    value = getattr(data, name, None)
    # z3c.form's marker for a field that was not submitted: never a value
    # (it is truthy, so a crafted form without the consent box would pass).
    return None if value is NO_VALUE else value


def enrolment_errors(data, today=None):
    """What stops `data` (an enrolment form's values) from being enrolled.

    Returns a list of FieldError, empty when the enrolment may go ahead.
    """
    today = today or date.today()
    errors = []
    for name in ("given_names", "family_name"):
        value = _value(data, name)
        if value is not None and not value.strip():
            errors.append(
                FieldError(name, _("Enter the patient's given and family names."))
            )
            break
    birth = _value(data, "date_of_birth")
    if birth is not None and not EARLIEST_BIRTH <= birth <= today:
        errors.append(
            FieldError(
                "date_of_birth",
                _("The date of birth must lie between 1 January 1900 and today."),
            )
        )
    enrolled = _value(data, "enrolment_date")
    if enrolled is not None and (
        enrolled > today or (birth is not None and enrolled < birth)
    ):
        errors.append(
            FieldError(
                "enrolment_date",
                _("The enrolment date must lie between the birth and today."),
            )
        )
    if _value(data, "consent_care") is not True:
        errors.append(
            FieldError(
                "consent_care",
                _(
                    "A patient can only be enrolled with signed consent for "
                    "care. Tick it when the patient has signed the form."
                ),
            )
        )
        return errors
    consent_date = _value(data, "consent_care_date")
    if consent_date is None or consent_date > today:
        errors.append(
            FieldError(
                "consent_care_date",
                _(
                    "Enter the date the consent for care was signed; it cannot "
                    "be in the future."
                ),
            )
        )
    if not (
        _value(data, "consent_care_form")
        or _value(data, "consent_care_form_kept_by_centre")
    ):
        errors.append(
            FieldError(
                "consent_care_form",
                _(
                    "Upload the signed consent form, or state that your centre "
                    "keeps it."
                ),
            )
        )
    return errors


class EnrolmentRefused(ValueError):
    """An enrolment that breaks a rule; `errors` says which and why."""

    def __init__(self, errors):
        super().__init__("; ".join(str(error.message) for error in errors))
        self.errors = errors


def enrolments_of(identity_hash, exclude_uid=None):
    """Catalog brains of every enrolment of one person, in any centre.

    Unrestricted: a centre must learn of a match it may not see. Callers
    reveal no more than the centre's name (and its ERNs).

    The search asks the hash alone and keeps the patients from its rows:
    adding ``portal_type`` would intersect those few rows with every
    patient of the network, a cost that grows with it.
    """
    catalog = api.portal.get_tool("portal_catalog")
    return [
        brain
        for brain in catalog.unrestrictedSearchResults(identity_hash=identity_hash)
        if brain.portal_type == "Patient" and exclude_uid != brain.UID
    ]


def duplicate_error(centre, identity_hash, exclude_uid=None):
    """The error for enrolling in `centre` a person it has enrolled already."""
    centre_path = "/".join(centre.getPhysicalPath()) + "/"
    for brain in enrolments_of(identity_hash, exclude_uid):
        if brain.getPath().startswith(centre_path):
            return FieldError(
                "family_name",
                _(
                    "This patient is already enrolled at your centre as "
                    "${pseudonym}: ${url}",
                    mapping={"pseudonym": brain.Title, "url": brain.getURL()},
                ),
            )
    return None


def matches_elsewhere(patient):
    """The other centres that enrolled the same person: their names only."""
    own_centre = aq_parent(aq_inner(patient))
    centres = set()
    for brain in enrolments_of(patient.identity_hash, exclude_uid=patient.UID()):
        centre = aq_parent(brain._unrestrictedGetObject())
        if aq_base(centre) is not aq_base(own_centre):
            centres.add(centre.Title())
    return sorted(centres)


def enrol(centre, **data):
    """Enrol a patient at `centre` as the current user; return the patient.

    The patient's id is its pseudonym. Raises EnrolmentRefused, and creates
    nothing, when a rule refuses the enrolment (the duplicate check runs when
    the patient is added, content/patient.py, so it guards every way in).
    """
    errors = enrolment_errors(SimpleNamespace(**data))
    if errors:
        raise EnrolmentRefused(errors)
    try:
        return createContentInContainer(
            centre, "Patient", checkConstraints=True, **data
        )
    except BadRequest as error:
        if field_error_of(error) is None:
            raise
        raise EnrolmentRefused([field_error_of(error)]) from error
