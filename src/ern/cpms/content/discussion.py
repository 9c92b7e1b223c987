"""What members write on a panel: comments, contributions, the outcome.

All three live inside their panel and are read by the centre, the lead and
the members only (their workflows never give a pending invitee anything).
Titles are made by the code (the kind of text and its author), so nothing a
person types can put a patient's name into a title, a URL or the catalog.
"""

from ern.cpms import _
from ern.cpms.content.naming import author_name
from ern.cpms.content.naming import fixed_name
from ern.cpms.content.security import no_raw_read
from ern.cpms.panel_content import default_contributions_summary
from ern.cpms.panel_content import default_questions
from ern.cpms.refusals import is_text
from plone.app.textfield import RichText
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class IComment(model.Schema):
    """One message in the panel's discussion; a reply names its parent."""

    text = RichText(
        title=_("Comment"),
        description=_("No names or identifying details of the patient."),
        default_mime_type="text/html",
        output_mime_type="text/x-html-safe",
        allowed_mime_types=("text/html",),
        constraint=is_text,
        required=True,
    )
    in_reply_to = schema.TextLine(title=_("In reply to"), required=False)
    directives.omitted("in_reply_to")


@no_raw_read
@implementer(IComment)
class Comment(Item):
    """A comment; its HTML is sanitised by Plone's safe_html on output."""


class IContribution(model.Schema):
    """A member's assessment of the case and their recommendation."""

    assessment = schema.Text(title=_("Assessment"), required=True)
    recommendation = schema.Text(title=_("Recommendation"), required=True)


@no_raw_read
@implementer(IContribution)
class Contribution(Item):
    """One per member and panel; its id names the member."""


class IOutcomeDocument(model.Schema):
    """The panel's answer, written by the lead from the contributions."""

    questions_answered = schema.Text(
        title=_("Questions of the panel"),
        description=_("Prefilled from the consultation form."),
        defaultFactory=default_questions,
        required=False,
    )
    contributions_summary = schema.Text(
        title=_("Summary of the contributions"),
        description=_("Prefilled from the members' contributions."),
        defaultFactory=default_contributions_summary,
        required=False,
    )
    conclusions = schema.Text(title=_("Conclusions"), required=True)
    recommendations = schema.Text(title=_("Recommendations"), required=True)

    signed_off_by = schema.TextLine(title=_("Signed off by"), required=False)
    signed_off_name = schema.TextLine(title=_("Name"), required=False)
    signed_off_centre = schema.TextLine(title=_("Centre"), required=False)
    signed_off_date = schema.Datetime(title=_("Date of sign-off"), required=False)
    directives.omitted(
        "signed_off_by", "signed_off_name", "signed_off_centre", "signed_off_date"
    )
    # Set when the lead finalises (panel_content.outcome_transitioned).
    directives.write_permission(
        signed_off_by="cmf.ManagePortal",
        signed_off_name="cmf.ManagePortal",
        signed_off_centre="cmf.ManagePortal",
        signed_off_date="cmf.ManagePortal",
    )


@no_raw_read
@implementer(IOutcomeDocument)
class OutcomeDocument(Item):
    """The outcome document; one per panel, versioned on every save."""


CommentName = author_name(IComment, "comment")  # comment-dr.dekker, …-1
ContributionName = author_name(IContribution, "contribution")  # one per member
OutcomeName = fixed_name(IOutcomeDocument, "outcome")  # one per panel
