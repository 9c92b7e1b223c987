"""The pages of access requests and of one's profile: ask for access
(``@@request-access``), a request and its decision, the requests'
folder, and ``@@my-profile``."""

from ern.cpms import _
from ern.cpms import access_requests
from ern.cpms.browser.forms import RefusingAddForm
from ern.cpms.content.access_request import GUEST
from ern.cpms.content.access_request import ROLES
from ern.cpms.refusals import field_error_of
from ern.cpms.vocabularies.countries import country_name
from plone import api
from plone.dexterity.browser.add import DefaultAddView
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from zExceptions import BadRequest
from zExceptions import Unauthorized

import transaction


ROLE_TITLES = dict(ROLES)


class AccessRequestAddForm(RefusingAddForm):
    """Once asked, the requester's profile lists the request (the request
    itself needs the requester's second factor to be read)."""

    def add(self, obj):
        super().add(obj)
        portal_url = api.portal.get().absolute_url()
        self.immediate_view = f"{portal_url}/@@my-profile#access-requests"


class AccessRequestAddView(DefaultAddView):
    form = AccessRequestAddForm


class RequestAccess(BrowserView):
    """``@@request-access``: the form, wherever the folder is."""

    def __call__(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in first")
        folder = api.portal.get()[access_requests.DIRECTORY]
        return self.request.response.redirect(
            f"{folder.absolute_url()}/++add++AccessRequest"
        )


def describe(request):
    """What a request says, for pages (never patient data: there is none)."""
    if request.centre == GUEST:
        institution = (
            f"{request.guest_institution} ({country_name(request.guest_country)})"
        )
    else:
        centre = access_requests.centre_of(request.centre)
        institution = centre.Title() if centre is not None else request.centre
    return {
        "ern": request.ern,
        "role": ROLE_TITLES.get(request.requested_role, request.requested_role),
        "institution": institution,
        "state": api.content.get_state(request, default=""),
    }


class AccessRequestView(BrowserView):
    """A request, and for those who decide: approve, reject with a reason,
    extend a guest's access."""

    error = None

    def __call__(self):
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            if not api.user.has_permission(
                "ern.cpms: Decide access requests", obj=self.context
            ):
                raise Unauthorized("Only the ERN's coordinators decide")
            action = self.request.form.get("action")
            reason = self.request.form.get("reason")
            try:
                if action == "approve":
                    access_requests.decide(self.context, approve=True)
                elif action == "reject":
                    access_requests.decide(
                        self.context,
                        approve=False,
                        reason=reason if isinstance(reason, str) else "",
                    )
                elif action == "extend":
                    access_requests.extend(self.context)
                else:
                    raise BadRequest("unknown action")
            except BadRequest as exception:
                error = field_error_of(exception)
                if error is None:
                    raise
                transaction.doom()
                self.error = error.message
                self.request.response.setStatus(400)
            else:
                api.portal.show_message(_("Saved."), request=self.request)
                return self.request.response.redirect(self.context.absolute_url())
        return self.index()

    def details(self):
        return describe(self.context)

    def can_decide(self):
        return api.user.has_permission(
            "ern.cpms: Decide access requests", obj=self.context
        )

    def state(self):
        return api.content.get_state(self.context, default="")

    def state_title(self):
        workflow = api.portal.get_tool("portal_workflow")
        return workflow.getTitleForStateOnType(self.state(), "AccessRequest")

    def extendable(self):
        return (
            self.can_decide()
            and self.state() == "approved"
            and self.context.requested_role == "guest-expert"
        )


class AccessRequestFolder(BrowserView):
    """``/access-requests``: the requests the user may see, pending first."""

    def rows(self):
        brains = api.content.find(
            context=self.context,
            portal_type="AccessRequest",
            sort_on="created",
            sort_order="descending",
        )
        rows = []
        for brain in brains:
            request = brain.getObject()
            row = {"url": brain.getURL(), "title": brain.Title}
            rows.append({**row, **describe(request)})
        rows.sort(key=lambda row: row["state"] != "pending")
        return rows

    def state_title(self, state):
        workflow = api.portal.get_tool("portal_workflow")
        return workflow.getTitleForStateOnType(state, "AccessRequest")


class MyProfile(BrowserView):
    """``@@my-profile``: who I am here (job title, expertise, centres and
    ERNs) and my access requests. Open without a second factor."""

    def __call__(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in first")
        return self.index()

    def user(self):
        return api.user.get_current()

    def memberships(self):
        """My centres and ERNs, from my groups (read without my second
        factor: group titles are directory information)."""
        user = self.user()
        groups = api.portal.get_tool("portal_groups").getGroupsForPrincipal(user)
        titles = []
        for group_id in groups:
            group = api.group.get(groupname=group_id)
            if group is not None and group_id not in ("AuthenticatedUsers",):
                titles.append(group.getProperty("title") or group_id)
        return sorted(titles)

    def requests(self):
        rows = []
        for request in access_requests.requests_of(self.user().getId()):
            rows.append(
                {
                    **describe(request),
                    "created": request.created(),
                    "reason": request.decision_reason or "",
                    "access_until": request.access_until,
                }
            )
        return rows

    def state_title(self, state):
        workflow = api.portal.get_tool("portal_workflow")
        return workflow.getTitleForStateOnType(state, "AccessRequest")
