"""A panel's timeline: one chronological feed of comments and events.

Nothing is stored twice: events are read from the workflow histories of the
panel and of what it contains (invitations, the outcome document), and from
the comments and contributions themselves. The feed is for the people who
may read the panel's clinical data; the view checks that before asking.
"""

from ern.cpms import _
from ern.cpms.panel_content import author_of
from ern.cpms.panel_content import fullname
from ern.cpms.panel_content import items_by_type
from zope.globalrequest import getRequest
from zope.i18n import translate

import functools
import typing


KINDS = (
    ("comment", _("Comments")),
    ("invitation", _("Invitations")),
    ("contribution", _("Contributions")),
    ("data_request", _("Data requests")),
    ("meeting", _("Meetings")),
    ("outcome", _("Outcome")),
    ("state", _("Panel state")),
)

PANEL_EVENTS = {
    None: _("${actor} drafted the panel."),
    "open": _("${actor} opened the panel."),
    "submit_outcome": _("${actor} sent the outcome for review."),
    "reopen": _("${actor} reopened the panel."),
    "close": _("${actor} closed the panel."),
    "archive": _("${actor} archived the panel."),
    "cancel": _("${actor} cancelled the panel."),
}
INVITATION_EVENTS = {
    None: _("${actor} invited ${name}."),
    "accept": _("${name} accepted the invitation."),
    "decline": _("${name} declined the invitation."),
    "withdraw": _("${actor} withdrew the invitation of ${name}."),
}
DATA_REQUEST_EVENTS = {
    None: _("${actor} asked for more data."),
    "answer": _("${actor} answered a data request."),
    "cancel": _("${actor} cancelled a data request."),
}
OUTCOME_EVENTS = {
    None: _("${actor} drafted the outcome document."),
    "submit_review": _("The outcome document went to review."),
    "revise": _("The outcome document went back to draft."),
    "finalise": _("${actor} finalised the outcome document."),
}


class Entry(typing.NamedTuple):
    when: object  # DateTime
    kind: str
    text: str  # translated sentence
    obj: object = None  # the comment or contribution, for its page and HTML
    reply_to: str = ""  # the author of the comment replied to


def _history(obj, events, kind, translated, **mapping):
    """One entry per workflow history record that has a sentence."""
    workflow_history = getattr(obj, "workflow_history", {}) or {}
    for records in workflow_history.values():
        for record in records:
            action = record.get("action")
            if action not in events:
                continue
            text = translated(
                _(
                    events[action],
                    mapping={"actor": fullname(record.get("actor")), **mapping},
                )
            )
            yield Entry(record["time"], kind, text)


def timeline(panel, kinds=None):
    """The panel's entries, oldest first, limited to `kinds` if given."""
    wanted = set(kinds or (kind for kind, _label in KINDS))
    # The panel's items read once, grouped by type; every sentence in the
    # request's language (a timeline has one or two a line).
    items = items_by_type(panel)

    def of(portal_type):
        return items.get(portal_type, [])

    translated = functools.partial(translate, context=getRequest())
    entries = []
    if "state" in wanted:
        entries.extend(_history(panel, PANEL_EVENTS, "state", translated))
    if "invitation" in wanted:
        for invitation in of("Invitation"):
            entries.extend(
                _history(
                    invitation,
                    INVITATION_EVENTS,
                    "invitation",
                    translated,
                    name=invitation.invitee_name or invitation.invitee,
                )
            )
    if "outcome" in wanted:
        for outcome in of("OutcomeDocument"):
            entries.extend(_history(outcome, OUTCOME_EVENTS, "outcome", translated))
    if "data_request" in wanted:
        for request in of("DataRequest"):
            entries.extend(
                _history(request, DATA_REQUEST_EVENTS, "data_request", translated)
            )
    if "meeting" in wanted:
        for meeting in of("Meeting"):
            text = translated(
                _(
                    "${name} scheduled a meeting: ${title}.",
                    mapping={
                        "name": fullname(author_of(meeting)),
                        "title": meeting.Title(),
                    },
                )
            )
            entries.append(Entry(meeting.created(), "meeting", text, meeting))
    if "comment" in wanted:
        comments = of("Comment")
        authors = {c.UID(): fullname(author_of(c)) for c in comments}
        # A comment may answer a contribution or the outcome document too.
        for kind in ("Contribution", "OutcomeDocument"):
            for item in of(kind):
                authors[item.UID()] = item.Title()
        for comment in comments:
            text = translated(
                _("${name} commented", mapping={"name": authors[comment.UID()]})
            )
            entries.append(
                Entry(
                    comment.created(),
                    "comment",
                    text,
                    comment,
                    authors.get(comment.in_reply_to or "", ""),
                )
            )
    if "contribution" in wanted:
        for contribution in of("Contribution"):
            text = translated(
                _(
                    "${name} recorded a contribution.",
                    mapping={"name": fullname(author_of(contribution))},
                )
            )
            entries.append(
                Entry(contribution.created(), "contribution", text, contribution)
            )
    entries.sort(key=lambda entry: entry.when)
    return entries
