"""The patient's three consents and their history.

Care (required to enrol; withdrawn and renewed through the patient's
workflow), ERN registries and contact for research (ticked on the record).
Every change is kept, never overwritten: when, by whom, which consent,
given or not, the date of the signed consent where there is one, and how
(enrolment, correction of the record, withdrawal, renewal). Each change is
also an audit entry ("consent").

Withdrawing the consent for care blocks new panels (the workflow's
permissions) and closes nothing silently: the leads of the patient's
panels still at work are told (notification "consent_withdrawn") and their
panel pages say so until the consent is renewed.
"""

from datetime import date
from datetime import datetime
from datetime import UTC
from ern.cpms import _
from ern.cpms.audit import record_change
from ern.cpms.content.panel import PANEL_AT_WORK
from ern.cpms.notifications import send
from persistent.list import PersistentList
from plone import api
from zope.annotation.interfaces import IAnnotations


ANNOTATION = "ern.cpms.consents"
CONSENTS = (
    ("care", "consent_care", _("Consent for care")),
    ("registries", "consent_registries", _("Consent to ERN registries and databases")),
    ("research", "consent_research", _("Consent to be contacted for research")),
)
HOW = {
    "enrolment": _("at enrolment"),
    "edit": _("record corrected"),
    "withdraw_consent": _("withdrawn"),
    "renew_consent": _("renewed"),
}


def history(patient):
    """The consent changes, oldest first (records are never changed)."""
    return list(IAnnotations(patient).get(ANNOTATION, ()))


def _history(patient):
    annotations = IAnnotations(patient)
    if ANNOTATION not in annotations:
        annotations[ANNOTATION] = PersistentList()
    return annotations[ANNOTATION]


def current(patient):
    """{consent: given} as the history last says (None: never recorded)."""
    state = {}
    for item in history(patient):
        state[item["consent"]] = item["given"]
    return state


def _given(patient, consent, field):
    if consent == "care":
        withdrawn = api.content.get_state(patient, default=None) == "consent_withdrawn"
        return bool(getattr(patient, field, False)) and not withdrawn
    return bool(getattr(patient, field, False))


def record(patient, how):
    """Append a record for every consent whose value differs from the
    history's last word (all three at enrolment)."""
    before = current(patient)
    userid = api.user.get_current().getId()
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for consent, field, _title in CONSENTS:
        given = _given(patient, consent, field)
        if consent in before and before[consent] == given:
            continue
        signed = patient.consent_care_date if consent == "care" else None
        _history(patient).append(
            {
                "when": when,
                "userid": userid,
                "consent": consent,
                "given": given,
                "signed": signed.isoformat() if isinstance(signed, date) else None,
                "how": how,
            }
        )
        record_change(
            "consent",
            patient,
            f"{consent}: {'given' if given else 'not given'} ({how})",
        )


# Subscribers


def enrolled(patient, event):
    if event.oldParent is None:
        record(patient, "enrolment")


def corrected(patient, event):
    record(patient, "edit")


def transitioned(patient, event):
    if event.transition is None:
        return
    if event.transition.id == "renew_consent":
        patient.consent_care = True
        patient.consent_care_recorded_by = api.user.get_current().getId()
    record(patient, event.transition.id)
    if event.transition.id == "withdraw_consent":
        tell_the_leads(patient)


def panels_at_work(patient):
    return [
        panel
        for panel in patient.objectValues()
        if panel.portal_type == "Panel"
        and api.content.get_state(panel, default=None) in PANEL_AT_WORK
    ]


def tell_the_leads(patient):
    for panel in panels_at_work(patient):
        send(
            "consent_withdrawn",
            [panel.panel_lead],
            _(
                "The patient withdrew the consent for care. The panel stays as "
                "it is: decide with your centre whether to cancel or close it."
            ),
            panel,
            urgent=True,
        )


def withdrawn(panel):
    """Whether the panel's patient has withdrawn the consent for care (the
    panel page says so to its lead and members)."""
    patient = panel.__parent__
    return api.content.get_state(patient, default=None) == "consent_withdrawn"
