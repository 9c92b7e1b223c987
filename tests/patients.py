"""Enrolling test patients: one helper for the whole suite."""

from datetime import date
from ern.cpms import enrolment
from plone import api


def enrolment_data(**changes):
    """A valid enrolment (consent for care kept by the centre), changed."""
    data = {
        "given_names": "Lotte",
        "family_name": "Verbruggen",
        "date_of_birth": date(2015, 6, 1),
        "sex": "female",
        "enrolment_date": date(2026, 11, 1),
        "consent_care": True,
        "consent_care_date": date(2026, 10, 30),
        "consent_care_form_kept_by_centre": True,
    }
    data.update(changes)
    return data


def enrol_as(userid, centre, **changes):
    """Enrol a patient at `centre` as `userid`; return the patient."""
    with api.env.adopt_user(username=userid):
        return enrolment.enrol(centre, **enrolment_data(**changes))


def rest_payload(**changes):
    """The same enrolment as a plone.restapi POST body."""
    data = enrolment_data(**changes)
    return {
        "@type": "Patient",
        **{k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()},
    }


def rest_payload_with_form(form, **changes):
    """An enrolment whose signed consent form (`form`, bytes of a PDF) is
    uploaded rather than kept by the centre: a file (a blob) in the site."""
    import base64

    return rest_payload(
        consent_care_form_kept_by_centre=False,
        consent_care_form={
            "data": base64.b64encode(form).decode(),
            "encoding": "base64",
            "filename": "consent.pdf",
            "content-type": "application/pdf",
        },
        **changes,
    )
