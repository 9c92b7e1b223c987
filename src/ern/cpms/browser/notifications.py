"""A user's notifications, and their e-mail choices per kind."""

from ern.cpms import _
from ern.cpms.notifications import CHOICES
from ern.cpms.notifications import KINDS
from ern.cpms.notifications import NotificationCentre
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView


class Notifications(BrowserView):
    """``@@notifications``: newest first; a POST marks them read."""

    def __call__(self):
        userid = api.user.get_current().getId()
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            NotificationCentre().mark_read(userid)
            api.portal.show_message(
                _("All notifications marked as read."), self.request
            )
            self.request.response.redirect(
                self.context.absolute_url() + "/@@notifications"
            )
            return ""
        return self.index()

    def items(self):
        userid = api.user.get_current().getId()
        return [item for _key, item in NotificationCentre().items(userid)]


class NotificationSettings(BrowserView):
    """``@@notification-settings``: at once, daily digest or no e-mail,
    per kind of notification."""

    def __call__(self):
        userid = api.user.get_current().getId()
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            choices = {kind: self.request.form.get(kind) for kind in KINDS}
            NotificationCentre().set_preferences(userid, choices)
            api.portal.show_message(_("Your choices are saved."), self.request)
            self.request.response.redirect(
                self.context.absolute_url() + "/@@notification-settings"
            )
            return ""
        return self.index()

    def rows(self):
        userid = api.user.get_current().getId()
        current = NotificationCentre().preferences(userid)
        return [
            {"kind": kind, "label": label, "current": current[kind]}
            for kind, label in KINDS.items()
        ]

    def choices(self):
        return CHOICES
