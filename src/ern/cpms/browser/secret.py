"""``@@rotate-pseudonym-secret``: a Manager replaces the pseudonym secret."""

from ern.cpms import _
from ern.cpms.content.patient import rotate_pseudonym_secret
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView


class RotatePseudonymSecret(BrowserView):
    """Shows what rotating does; on a confirmed POST, rotates."""

    def __call__(self):
        if self.request.method == "POST" and self.request.form.get("rotate"):
            CheckAuthenticator(self.request)
            count = rotate_pseudonym_secret(api.portal.get())
            api.portal.show_message(
                _(
                    "The pseudonym secret was replaced; the identity hashes of "
                    "${count} patients were recomputed. Pseudonyms did not change.",
                    mapping={"count": count},
                ),
                request=self.request,
            )
            return self.request.response.redirect(
                f"{self.context.absolute_url()}/@@rotate-pseudonym-secret"
            )
        return self.index()
