"""AccessRequest: someone logged in asks to join an ERN.

As a health professional of one of the ERN's member centres, as a
coordinator or an editor of the ERN, or as a guest expert from an
institution outside it. Coordinators of that ERN (and site administrators)
decide (access_requests.py).

A Dexterity type with its add form rather than a collective.easyform form
with a custom action: the request must be a content item anyway (its
workflow, who may see it, the catalog, the REST API), and the type's schema
gives the form, its validation and the REST API's ``@types`` description
from one place; easyform would keep the answers in its own storage and need
the same checks written again in its action.
"""

from ern.cpms import _
from ern.cpms.content.security import no_raw_read
from plone.app.z3cform.widgets.select import AjaxSelectFieldWidget
from plone.autoform import directives
from plone.base.interfaces import INameFromTitle
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.component import adapter
from zope.interface import implementer
from zope.interface import Invalid
from zope.interface import invariant
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


GUEST = "guest"
HEALTH_PROFESSIONAL = "health-professional"
COORDINATOR = "coordinator"
EDITOR = "editor"
GUEST_EXPERT = "guest-expert"
ROLES = (
    (HEALTH_PROFESSIONAL, _("Health professional of a member centre")),
    (COORDINATOR, _("ERN coordinator")),
    (EDITOR, _("ERN editor")),
    (GUEST_EXPERT, _("Guest expert (institution outside the ERN)")),
)


def requested_roles_vocabulary(context):
    return SimpleVocabulary([SimpleTerm(value, value, title) for value, title in ROLES])


class IAccessRequest(model.Schema):
    """What the requester tells the coordinators."""

    ern = schema.Choice(
        title=_("ERN"),
        description=_("The European Reference Network you want to join."),
        vocabulary="ern.cpms.vocabularies.SiteERNs",
        required=True,
    )
    requested_role = schema.Choice(
        title=_("Requested role"),
        vocabulary="ern.cpms.vocabularies.RequestedRoles",
        required=True,
    )
    centre = schema.Choice(
        title=_("Institution"),
        description=_(
            "Your centre, if it is a member of this ERN; otherwise choose "
            "“Guest” and name your institution below."
        ),
        vocabulary="ern.cpms.vocabularies.CentresOrGuest",
        required=True,
    )
    guest_institution = schema.TextLine(
        title=_("Institution (guests)"), required=False, max_length=200
    )
    guest_country = schema.Choice(
        title=_("Country of the institution (guests)"),
        vocabulary="ern.cpms.vocabularies.Countries",
        required=False,
    )
    job_title = schema.TextLine(title=_("Job title"), required=True, max_length=200)
    thematic_areas = schema.List(
        title=_("Thematic areas"),
        description=_("The ERN's areas you work in, one a line."),
        value_type=schema.TextLine(max_length=200),
        required=False,
        max_length=20,
    )
    directives.widget(
        "orphacodes",
        AjaxSelectFieldWidget,
        vocabulary="ern.cpms.vocabularies.OrphaDiseases",
    )
    orphacodes = schema.List(
        title=_("Rare diseases of your expertise (ORPHAcodes)"),
        value_type=schema.Choice(vocabulary="ern.cpms.vocabularies.OrphaDiseases"),
        required=False,
        max_length=50,
    )
    motivation = schema.Text(
        title=_("Motivation"),
        description=_("Why you ask for this access, in a few sentences."),
        required=True,
        max_length=5000,
    )

    # Set by ern.cpms: who asked, why a coordinator refused, until when a
    # guest's access lasts. Never written through forms or the REST API.
    requester = schema.TextLine(title=_("Requester"), required=False)
    decision_reason = schema.Text(title=_("Reason of the decision"), required=False)
    access_until = schema.Datetime(title=_("Access until"), required=False)
    directives.omitted("requester", "decision_reason", "access_until")
    directives.write_permission(
        requester="cmf.ManagePortal",
        decision_reason="cmf.ManagePortal",
        access_until="cmf.ManagePortal",
    )

    @invariant
    def institution_fits_the_role(data):
        """Guests name their institution and country; members choose a
        centre; a guest cannot be a centre's health professional."""
        role = getattr(data, "requested_role", None)
        centre = getattr(data, "centre", None)
        if centre == GUEST:
            if role == HEALTH_PROFESSIONAL:
                raise Invalid(
                    _(
                        "A health professional belongs to a member centre: "
                        "choose your centre, or ask as a guest expert."
                    )
                )
            if not (getattr(data, "guest_institution", None) or "").strip():
                raise Invalid(_("Name your institution."))
            if not getattr(data, "guest_country", None):
                raise Invalid(_("Choose the country of your institution."))
        elif role == GUEST_EXPERT:
            raise Invalid(
                _(
                    "A guest expert comes from an institution outside the "
                    "ERN: choose “Guest”."
                )
            )


@no_raw_read
@implementer(IAccessRequest)
class AccessRequest(Item):
    """A request; its title names the requester and the ERN."""


@implementer(INameFromTitle)
@adapter(IAccessRequest)
class AccessRequestName:
    """``request-<ern code>``; Plone adds a number to repeat ones."""

    def __init__(self, context):
        self.context = context

    @property
    def title(self):
        return f"request-{(self.context.ern or 'ern').lower()}"
