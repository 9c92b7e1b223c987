"""The panel's pages: the panel itself, inviting experts, answering an
invitation, commenting, closing, and the outcome PDF."""

from AccessControl import getSecurityManager
from collective.easyform.api import get_schema
from ern.cpms import _
from ern.cpms import consents
from ern.cpms import invitations
from ern.cpms.audit import record_read
from ern.cpms.browser.forms import refuse
from ern.cpms.caching import never_keep
from ern.cpms.content.datarequest import ATTACHMENT_KINDS
from ern.cpms.content.panel import PANEL_AT_WORK
from ern.cpms.content.panel import PANEL_TYPES
from ern.cpms.data_requests import answer_request
from ern.cpms.outcome_pdf import render
from ern.cpms.panel_content import author_of
from ern.cpms.panel_content import contribution_of
from ern.cpms.panel_content import fullname
from ern.cpms.panel_content import items_by_type
from ern.cpms.panel_content import missing_contributions
from ern.cpms.panel_content import participants
from ern.cpms.panels import MINIMUM_CONTRIBUTIONS
from ern.cpms.panels import transition_refusal
from ern.cpms.questionnaire import answers_of
from ern.cpms.questionnaire import questionnaire_of
from ern.cpms.questionnaire import store_answers
from ern.cpms.questionnaire import values_of
from ern.cpms.refusals import field_error_of
from ern.cpms.refusals import FieldError
from ern.cpms.refusals import refusal
from ern.cpms.timeline import KINDS
from ern.cpms.timeline import timeline
from ern.cpms.vocabularies.sexes import SEXES
from html import escape
from plone import api
from plone.app.textfield.value import RichTextValue
from plone.app.z3cform.widgets.select import AjaxSelectFieldWidget
from plone.autoform import directives
from plone.autoform.form import AutoExtensibleForm
from plone.dexterity.browser.view import DefaultView
from plone.dexterity.utils import createContentInContainer
from plone.memoize.view import memoize
from plone.namedfile.file import NamedBlobFile
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from z3c.form import button
from z3c.form import form
from zExceptions import BadRequest
from zExceptions import NotFound
from zope import schema
from zope.interface import Interface

import transaction


CLINICAL = "ern.cpms: View clinical data"


def _can(permission, obj):
    """The current user's permission (what api.user.has_permission asks,
    without its checks of the arguments: a panel page asks it often)."""
    return bool(getSecurityManager().checkPermission(permission, obj))


class PanelView(DefaultView):
    """The panel: summary for everyone who may see it; the clinical data,
    the people, the timeline and the outcome for the centre and members."""

    def panel_type(self):
        return dict(PANEL_TYPES).get(self.context.panel_type, "")

    @memoize
    def _items(self):
        """The panel's items by type, read once for the page."""
        return items_by_type(self.context)

    def _of(self, portal_type):
        return self._items().get(portal_type, [])

    @memoize
    def state(self):
        return api.content.get_state(self.context)

    def consent_withdrawn(self):
        """Told to those who read the clinical data, while the panel is
        at work (consents.py)."""
        return (
            self.state() in PANEL_AT_WORK
            and self.can_read_clinical()
            and consents.withdrawn(self.context)
        )

    def sex(self):
        return dict(SEXES).get(self.context.patient_sex, "")

    def state_title(self):
        workflows = api.portal.get_tool("portal_workflow")
        return workflows.getTitleForStateOnType(self.state(), "Panel")

    @memoize
    def can_read_clinical(self):
        return _can(CLINICAL, self.context)

    def clinical_groups(self):
        """The form's fieldsets of clinical data (read permission applied)."""
        return [group for group in self.groups if group.widgets]

    def my_invitation(self):
        """The current user's pending invitation to this panel, if any."""
        userid = api.user.get_current().getId()
        for invitation in self._of("Invitation"):
            if (
                invitation.invitee == userid
                and invitations.state_of(invitation) == "pending"
            ):
                return invitation
        return None

    def invitations(self):
        if not self.can_read_clinical():
            return []
        workflows = api.portal.get_tool("portal_workflow")
        rows = []
        for invitation in self._of("Invitation"):
            state = invitations.state_of(invitation)
            rows.append(
                {
                    "obj": invitation,
                    "name": invitation.invitee_name,
                    "state": state,
                    "state_title": workflows.getTitleForStateOnType(
                        state, "Invitation"
                    ),
                    "can_withdraw": _can("ern.cpms: Withdraw invitation", invitation)
                    and invitations.withdraw_refusal(invitation) is None,
                }
            )
        return rows

    @memoize
    def can(self, permission):
        return _can(permission, self.context)

    def kinds(self):
        return KINDS

    def selected_kinds(self):
        chosen = self.request.form.get("kind")
        if isinstance(chosen, str):
            chosen = [chosen]
        known = {kind for kind, _label in KINDS}
        return [kind for kind in chosen or () if kind in known]

    def timeline(self):
        if not self.can_read_clinical():
            return []
        return timeline(self.context, self.selected_kinds() or None)

    def contributions(self):
        if not self.can_read_clinical():
            return []
        return self._of("Contribution")

    def my_contribution(self):
        return contribution_of(self.context, api.user.get_current().getId())

    def missing_contributions(self):
        return [fullname(userid) for userid in missing_contributions(self.context)]

    @memoize
    def outcome(self):
        found = self._of("OutcomeDocument")
        outcome = found[0] if found else None
        if outcome is None or not _can("View", outcome):
            return None
        return outcome

    def outcome_state(self):
        outcome = self.outcome()
        return api.content.get_state(outcome) if outcome is not None else None

    @memoize
    def data_requests(self):
        if not self.can_read_clinical():
            return []
        workflows = api.portal.get_tool("portal_workflow")
        rows = []
        for request in self._of("DataRequest"):
            state = api.content.get_state(request)
            rows.append(
                {
                    "obj": request,
                    "state": state,
                    "state_title": workflows.getTitleForStateOnType(
                        state, "DataRequest"
                    ),
                    "requester": fullname(author_of(request)),
                    "can_answer": state == "open"
                    and _can("ern.cpms: Answer data request", request),
                }
            )
        return rows

    def open_request_count(self):
        return len([row for row in self.data_requests() if row["state"] == "open"])

    def attachments(self):
        """The panel's own files (those not sent with a comment or answer)."""
        return [a for a in self._attachments() if not a.refers_to]

    def attachments_of(self, obj):
        """The files sent with a comment or a data request's answer."""
        uid = obj.UID()
        return [a for a in self._attachments() if a.refers_to == uid]

    @memoize
    def _attachments(self):
        if not self.can_read_clinical():
            return []
        return self._of("Attachment")

    def attachment_kinds(self):
        return ATTACHMENT_KINDS

    def meetings(self):
        if not self.can_read_clinical():
            return []
        userid = api.user.get_current().getId()
        rows = []
        for meeting in self._of("Meeting"):
            answers = meeting.answers()

            def named(answer, answers=answers):
                return [fullname(u) for u, a in answers.items() if a == answer]

            rows.append(
                {
                    "obj": meeting,
                    "when": meeting.starts(),
                    "until": meeting.ends(),
                    "attending": [
                        fullname(u) for u, a in answers.items() if a == "attend"
                    ],
                    "declined": [
                        fullname(u) for u, a in answers.items() if a == "decline"
                    ],
                    "mine": answers.get(userid),
                    # A closed panel's meetings are frozen: no more answers.
                    "can_answer": self.is_participant()
                    and api.content.get_state(meeting) != "frozen",
                }
            )
        rows.sort(key=lambda row: row["when"])
        return rows

    def is_participant(self):
        return api.user.get_current().getId() in participants(self.context)

    def questionnaire_answers(self):
        return answers_of(self.context) if self.can_read_clinical() else []

    def has_questionnaire(self):
        return questionnaire_of(self.context.ern) is not None

    def few_contributions(self):
        return len(self.contributions()) < MINIMUM_CONTRIBUTIONS

    def can_close(self):
        """The lead may close: the outcome is final (contributions aside)."""
        return self.can("ern.cpms: Close panel") and self.outcome_state() == "final"


class IInviteForm(Interface):
    experts = schema.List(
        title=_("Experts"),
        description=_(
            "Type a name, a centre or a country; experts of the panel's ERN."
        ),
        value_type=schema.Choice(vocabulary="ern.cpms.vocabularies.Experts"),
        required=True,
    )
    directives.widget(
        "experts",
        AjaxSelectFieldWidget,
        vocabulary="ern.cpms.vocabularies.Experts",
    )
    directives.write_permission(experts="ern.cpms.AddInvitation")
    message = schema.Text(title=_("Message to the experts"), required=False)
    reply_by = schema.Date(title=_("Reply by"), required=False)


class InviteForm(AutoExtensibleForm, form.Form):
    """``@@invite``: the lead invites experts of the ERN, all or none."""

    schema = IInviteForm
    ignoreContext = True
    label = _("Invite experts")

    @button.buttonAndHandler(_("Invite"), name="invite")
    def handle_invite(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        try:
            invited = invitations.invite(
                self.context,
                data.get("experts") or [],
                data.get("message") or "",
                data.get("reply_by"),
            )
        except BadRequest as exception:
            error = field_error_of(exception)
            if error is None:
                raise
            refuse(self, error)
        api.portal.show_message(
            _("${count} expert(s) invited.", mapping={"count": len(invited)}),
            request=self.request,
        )
        self.request.response.redirect(self.context.absolute_url())

    @button.buttonAndHandler(_("Cancel"), name="cancel")
    def handle_cancel(self, action):
        self.request.response.redirect(self.context.absolute_url())


class _PanelAction(BrowserView):
    """A POST from a button on the panel page: checked, done, redirected."""

    def __call__(self):
        if self.request.method != "POST":
            raise BadRequest("POST only")
        CheckAuthenticator(self.request)
        try:
            message, target = self.act()
        except BadRequest as exception:
            error = field_error_of(exception)
            if error is None:
                raise
            # Whatever the action wrote before it was refused is not kept.
            transaction.doom()
            api.portal.show_message(error.message, self.request, type="error")
            target = self.context.absolute_url()
        else:
            api.portal.show_message(message, self.request)
        self.request.response.redirect(self.came_from() or target)
        return ""

    def came_from(self):
        """The page of this site the form was on, if it asked to go back
        there (e.g. the ERN application's home); never another site."""
        wanted = self.request.form.get("came_from")
        if not isinstance(wanted, str):
            return None
        portal_url = api.portal.get().absolute_url()
        if wanted.startswith(portal_url + "/") and "\\" not in wanted:
            return wanted
        return None

    def act(self):
        raise NotImplementedError

    def attach_upload(self, refers_to):
        """The file sent with the form (``file``, ``kind``), attached to the
        panel and referring to `refers_to` (a comment, a data request)."""
        upload = self.request.form.get("file")
        if not upload or not getattr(upload, "filename", None):
            return None
        return createContentInContainer(
            self.context,
            "Attachment",
            checkConstraints=True,
            kind=self.request.form.get("kind") or "report",
            file=NamedBlobFile(data=upload.read(), filename=upload.filename),
            refers_to=refers_to.UID(),
        )


class InvitationAction(_PanelAction):
    """``@@invitation-action``: accept, decline or withdraw one invitation."""

    def act(self):
        form = self.request.form
        invitation = self.context.get(form.get("invitation", ""))
        if invitation is None or invitation.portal_type != "Invitation":
            raise NotFound("No such invitation")
        action = form.get("action")
        if action in ("accept", "decline"):
            if invitation.invitee != api.user.get_current().getId():
                raise NotFound("No such invitation")
            invitations.answer(
                invitation, accept=action == "accept", reason=form.get("reason", "")
            )
            if action == "accept":
                return _("Welcome to the panel."), self.context.absolute_url()
            return (
                _("You declined the invitation. Thank you for answering."),
                api.portal.get().absolute_url(),
            )
        if action == "withdraw":
            if not _can("ern.cpms: Withdraw invitation", invitation):
                raise NotFound("No such invitation")
            invitations.withdraw(invitation)
            return _("Invitation withdrawn."), self.context.absolute_url()
        raise BadRequest("Unknown action")


class AddComment(_PanelAction):
    """``@@add-comment``: a plain-text comment from the timeline's box."""

    def act(self):
        text = (self.request.form.get("text") or "").strip()
        if not text:
            raise refusal(FieldError("text", _("Write a comment first.")))
        html = "".join(
            f"<p>{escape(paragraph).replace(chr(10), '<br />')}</p>"
            for paragraph in text.replace("\r\n", "\n").split("\n\n")
            if paragraph.strip()
        )
        comment = createContentInContainer(
            self.context,
            "Comment",
            checkConstraints=True,
            text=RichTextValue(html, "text/html", "text/x-html-safe"),
            in_reply_to=self.request.form.get("in_reply_to") or None,
        )
        self.attach_upload(comment)
        return _("Comment added."), self.context.absolute_url() + "#timeline"


class AnswerDataRequest(_PanelAction):
    """``@@answer-data-request``: the centre answers one open request."""

    def act(self):
        request = self.context.get(self.request.form.get("request", ""))
        if request is None or request.portal_type != "DataRequest":
            raise NotFound("No such data request")
        answer_request(request, self.request.form.get("answer", ""))
        self.attach_upload(request)
        return _("Answer sent."), self.context.absolute_url() + "#data-requests"


class ClosePanel(_PanelAction):
    """``@@close-panel``: close; with fewer than 2 contributions only when
    the lead ticked the confirmation, which is recorded on the panel."""

    def act(self):
        panel = self.context
        if self.request.form.get("confirm_few_contributions"):
            panel.few_contributions_confirmed = True
        reason = transition_refusal(panel, "close")
        if reason is not None:
            # The tick set above is discarded with the rest (_PanelAction
            # dooms the transaction of a refused action).
            raise refusal(FieldError("close", reason))
        comment = ""
        if panel.few_contributions_confirmed:
            comment = api.portal.translate(
                _("Closed with fewer than 2 contributions, as confirmed by the lead.")
            )
        api.content.transition(obj=panel, transition="close", comment=comment)
        return _("The panel is closed."), panel.absolute_url()


class OutcomePDF(BrowserView):
    """``@@pdf`` on a final outcome document."""

    def __call__(self):
        if api.content.get_state(self.context) != "final":
            api.portal.show_message(
                _("The PDF is available once the outcome is final."),
                self.request,
                type="error",
            )
            self.request.response.redirect(self.context.absolute_url())
            return ""
        data = render(self.context)
        record_read("download", [self.context], detail="pdf")
        response = self.request.response
        response.setHeader("Content-Type", "application/pdf")
        response.setHeader("Content-Disposition", 'attachment; filename="outcome.pdf"')
        never_keep()
        return data


class QuestionnaireForm(AutoExtensibleForm, form.Form):
    """``@@questionnaire``: the ERN's own questions, second step of the
    consultation form; the answers are stored on the panel."""

    ignoreContext = False
    label = _("Questions of the ERN")
    description = _(
        "The ERN asks these questions of every panel. No names or "
        "identifying details of the patient."
    )

    @property
    def questionnaire(self):
        if not hasattr(self, "_questionnaire"):
            self._questionnaire = questionnaire_of(self.context.ern)
        return self._questionnaire

    @property
    def schema(self):
        if not hasattr(self, "_schema"):
            self._schema = get_schema(self.questionnaire)
        return self._schema

    def getContent(self):
        return values_of(self.context)

    def update(self):
        if self.questionnaire is None:
            api.portal.show_message(
                _("This ERN has no questionnaire."), self.request, type="info"
            )
            self.request.response.redirect(self.context.absolute_url())
            return
        super().update()

    def render(self):
        if self.questionnaire is None:
            return ""
        return super().render()

    @button.buttonAndHandler(_("Save"), name="save")
    def handle_save(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        store_answers(self.context, self.questionnaire, data)
        api.portal.show_message(_("Answers saved."), self.request)
        self.request.response.redirect(self.context.absolute_url())

    @button.buttonAndHandler(_("Cancel"), name="cancel")
    def handle_cancel(self, action):
        self.request.response.redirect(self.context.absolute_url())
