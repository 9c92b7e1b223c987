"""Panel: a virtual consultation about one patient, inside the patient.

This is the skeleton the panel issue extends: the ERN it is held in, its
type, the reason for the request and its lead. The lead holds the local role
PanelLead on the panel (``update_panel_roles``); the title names the ERN and
the type, never the patient.
"""

from Acquisition import aq_inner
from Acquisition import aq_parent
from datetime import date
from ern.cpms import _
from ern.cpms.content.busy import BusyContainer
from ern.cpms.content.security import no_raw_read
from ern.cpms.content.security import SECURITY_INDEXES
from ern.cpms.groups import group_id
from ern.cpms.refusals import FieldError
from ern.cpms.refusals import refusal
from plone import api
from plone.app.z3cform.widgets.select import AjaxSelectFieldWidget
from plone.autoform import directives
from plone.base.interfaces import INameFromTitle
from plone.supermodel import model
from zope import schema
from zope.component import adapter
from zope.interface import implementer
from zope.interface import provider
from zope.schema.interfaces import IContextAwareDefaultFactory
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


# The states of cpms_panel_workflow in the order of a panel's life, and those
# of a panel still at work (listings, counts and rules share them).
PANEL_STATES = ("draft", "open", "outcome_review", "closed", "archived", "cancelled")
PANEL_AT_WORK = PANEL_STATES[:3]


VIEW_CLINICAL_DATA = "ern.cpms.ViewClinicalData"

PANEL_TYPES = (
    ("diagnosis", _("Diagnosis")),
    ("treatment", _("Treatment / management")),
    ("second_opinion", _("Second opinion")),
    ("other", _("Other")),
)


@provider(IVocabularyFactory)
def panel_types_vocabulary(context):
    """Diagnosis, treatment / management, second opinion, other."""
    return SimpleVocabulary(
        [SimpleTerm(value, value, title) for value, title in PANEL_TYPES]
    )


@provider(IContextAwareDefaultFactory)
def current_user_id(context):
    """The user who opens the panel leads it unless they name another."""
    user = api.user.get_current()
    return None if api.user.is_anonymous() else user.getId()


# The two fieldsets of clinical data, both behind "View clinical data".
CLINICAL_SECTIONS = (
    "history",
    "examination",
    "laboratory",
    "genetics",
    "imaging",
    "histology",
    "current_treatment",
)
CODING = (
    "suspected_orpha",
    "confirmed_orpha",
    "icd10",
    "phenotype_present",
    "phenotype_absent",
)
CLINICAL_FIELDS = CLINICAL_SECTIONS + CODING


ORPHA = "ern.cpms.vocabularies.OrphaDiseases"
ICD10 = "ern.cpms.vocabularies.ICD10"
HPO = "ern.cpms.vocabularies.HPOTerms"


def _coded(title, vocabulary):
    """A list of codes from one of the terminologies."""
    return schema.List(
        title=title,
        value_type=schema.Choice(vocabulary=vocabulary),
        required=False,
        default=[],
    )


class IPanel(model.Schema):
    """The consultation form.

    The summary (ERN, type, urgency, reason, questions) is what an invited
    expert may read; the clinical information and the coding carry the read
    permission ``ern.cpms: View clinical data``, which the panel workflow
    gives to the centre, the lead and the members, never to a pending
    invitee.
    """

    model.fieldset(
        "clinical", label=_("Clinical information"), fields=list(CLINICAL_SECTIONS)
    )
    model.fieldset("coding", label=_("Diagnosis and phenotype"), fields=list(CODING))
    directives.read_permission(**dict.fromkeys(CLINICAL_FIELDS, VIEW_CLINICAL_DATA))

    ern = schema.Choice(
        title=_("ERN"),
        description=_("The network whose experts are consulted."),
        vocabulary="ern.cpms.vocabularies.Networks",
        required=True,
    )

    panel_type = schema.Choice(
        title=_("Panel type"),
        vocabulary="ern.cpms.vocabularies.PanelTypes",
        required=True,
    )

    reason = schema.Text(
        title=_("Reason for the request"),
        description=_("What the panel is asked; no names or identifying details."),
        required=True,
    )

    urgent = schema.Bool(
        title=_("Urgent"),
        description=_("Invited experts are notified at once."),
        required=False,
        default=False,
    )

    questions = schema.List(
        title=_("Clinical questions"),
        description=_("One question a line: what should the experts answer?"),
        value_type=schema.TextLine(),
        required=False,
        default=[],
    )

    history = schema.Text(title=_("History and family history"), required=False)
    examination = schema.Text(title=_("Examination"), required=False)
    laboratory = schema.Text(title=_("Laboratory"), required=False)
    genetics = schema.Text(title=_("Genetics"), required=False)
    imaging = schema.Text(title=_("Imaging"), required=False)
    histology = schema.Text(title=_("Histology"), required=False)
    current_treatment = schema.Text(title=_("Current treatment"), required=False)

    # Tens of thousands of terms: searched as one types, never listed whole.
    directives.widget("suspected_orpha", AjaxSelectFieldWidget, vocabulary=ORPHA)
    directives.widget("confirmed_orpha", AjaxSelectFieldWidget, vocabulary=ORPHA)
    directives.widget("icd10", AjaxSelectFieldWidget, vocabulary=ICD10)
    directives.widget("phenotype_present", AjaxSelectFieldWidget, vocabulary=HPO)
    directives.widget("phenotype_absent", AjaxSelectFieldWidget, vocabulary=HPO)
    suspected_orpha = _coded(_("Suspected diagnosis (ORPHAcode)"), ORPHA)
    confirmed_orpha = _coded(_("Confirmed diagnosis (ORPHAcode)"), ORPHA)
    icd10 = _coded(_("Diagnosis (ICD-10)"), ICD10)
    phenotype_present = _coded(_("Phenotype: present (HPO)"), HPO)
    phenotype_absent = _coded(_("Phenotype: excluded (HPO)"), HPO)

    few_contributions_confirmed = schema.Bool(
        title=_("Close with fewer than 2 contributions"),
        description=_(
            "The lead confirms that the panel may close although fewer than "
            "2 members recorded a contribution."
        ),
        required=False,
        default=False,
    )
    directives.omitted("few_contributions_confirmed")

    panel_lead = schema.TextLine(
        title=_("Panel lead"),
        description=_("The user id of the clinician who leads the panel."),
        defaultFactory=current_user_id,
        required=True,
    )


@no_raw_read
@implementer(IPanel)
class Panel(BusyContainer):
    """A consultation panel. Unordered: members add to it concurrently."""

    _cmf_security_indexes = SECURITY_INDEXES

    few_contributions_confirmed = False
    patient_age_months = None
    patient_sex = None

    def patient_age(self):
        """``14 years``, or ``18 months`` under 2: the age at opening."""
        months = self.patient_age_months
        if months is None:
            return ""
        if months < 24:
            return _("${count} months", mapping={"count": months})
        return _("${count} years", mapping={"count": months // 12})

    @property
    def title(self):
        # Not translated: the title is indexed, and indexing also runs where
        # there is no request or site (at commit time, in scripts).
        kind = str(dict(PANEL_TYPES).get(self.panel_type, ""))
        return f"{self.ern or ''}: {kind}".strip(": ")

    @title.setter
    def title(self, value):
        # The title is made of the ERN and the type: nothing typed by a
        # person can put a patient's name into it.
        pass

    def Title(self):
        return self.title


@implementer(INameFromTitle)
@adapter(IPanel)
class PanelNameFromTitle:
    """``ern-eye-diagnosis``, then ``ern-eye-diagnosis-1`` and so on."""

    def __init__(self, context):
        self.context = context

    @property
    def title(self):
        return f"{self.context.ern}-{self.context.panel_type}"


def record_patient_facts(panel, event=None):
    """What the panel shows instead of the patient's identity: the age when
    the panel is opened (recomputed at opening) and the sex."""
    patient = aq_parent(aq_inner(panel))
    born = getattr(patient, "date_of_birth", None)
    if born is not None:
        today = date.today()
        months = (today.year - born.year) * 12 + today.month - born.month
        panel.patient_age_months = months - (today.day < born.day)
    panel.patient_sex = getattr(patient, "sex", None)


def lead_error(lead, patient):
    """Why `lead` may not lead a panel of `patient`, or None: the lead is a
    health professional of the patient's centre (the one who answers for
    the panel there)."""
    centre = aq_parent(aq_inner(patient))
    groupname = group_id(centre, "health-professionals")
    # The person's groups, not every member of the centre's group built as
    # a user (a third of making a panel at 30 clinicians a centre).
    user = api.user.get(userid=lead) if lead else None
    if user is not None and groupname in user.getGroups():
        return None
    return FieldError(
        "panel_lead",
        _(
            "${user} is not a health professional of ${centre}: the lead "
            "answers for the panel at the patient's centre.",
            mapping={"user": lead or "—", "centre": centre.Title()},
        ),
    )


def check_panel_lead(panel, event):
    """The lead named on a new or changed panel is checked (forms, REST)."""
    patient = getattr(event, "newParent", None) or aq_parent(aq_inner(panel))
    lead = panel.__dict__.get("panel_lead") or current_user_id(panel)
    error = lead_error(lead, patient)
    if error is not None:
        raise refusal(error)


def update_panel_roles(panel, event=None):
    """Give the lead, and only the lead, the PanelLead role on the panel."""
    if not panel.__dict__.get("panel_lead"):
        # Store the default: computed on each read, it would follow whoever
        # looks at the panel.
        panel.panel_lead = current_user_id(panel)
    lead = panel.panel_lead
    changed = False
    for principal, roles in panel.get_local_roles():
        if "PanelLead" in roles and principal != lead:
            remaining = [role for role in roles if role != "PanelLead"]
            if remaining:
                panel.manage_setLocalRoles(principal, remaining)
            else:
                panel.manage_delLocalRoles([principal])
            changed = True
    if lead and "PanelLead" not in panel.get_local_roles_for_userid(lead):
        roles = set(panel.get_local_roles_for_userid(lead)) | {"PanelLead"}
        panel.manage_setLocalRoles(lead, sorted(roles))
        changed = True
    if changed:
        panel.reindexObjectSecurity()
