"""E-mails about panels: pseudonym and link only, sent when the change commits.

``api.portal.send_email`` hands the message to Plone's MailHost, whose
delivery joins the transaction: nothing is sent for a request that fails or
is retried after a conflict, and a retry that commits sends once.

No message ever carries identifying patient data: the subject and the body
name the panel (ERN and type) and the patient's pseudonym, and link to the
panel, where the reader's permissions decide what they see.
"""

from Acquisition import aq_inner
from Acquisition import aq_parent
from ern.cpms import _
from plone import api
from plone.base.interfaces.controlpanel import IMailSchema
from plone.registry.interfaces import IRegistry
from zope.component import getUtility

import logging


logger = logging.getLogger("ern.cpms.notifications")


def panel_reference(panel):
    """``ERN-EYE: Diagnosis, patient ERN-XXXX-XXXX-XXXX``."""
    patient = aq_parent(aq_inner(panel))
    return api.portal.translate(
        _(
            "${panel}, patient ${pseudonym}",
            mapping={"panel": panel.Title(), "pseudonym": patient.Title()},
        )
    )


def mail_configured():
    """Plone's mail settings name a sender and an SMTP server."""
    settings = getUtility(IRegistry).forInterface(IMailSchema, prefix="plone")
    return bool(settings.email_from_address and settings.smtp_host)


def send(userids, subject, text, panel):
    """Mail `text` about `panel` to each user that has an e-mail address.

    A site without mail settings (a fresh ``make start``) still works: the
    message is logged as not sent, and the action that caused it goes on.
    """
    if not mail_configured():
        logger.warning("Mail is not configured: %r not sent", subject)
        return
    translate = api.portal.translate
    reference = panel_reference(panel)
    subject = f"[CPMS] {translate(subject)}: {reference}"
    body = "\n\n".join(
        (
            translate(text),
            reference,
            panel.absolute_url(),
            translate(
                _(
                    "You receive this message because you take part in this "
                    "panel of the Clinical Patient Management System."
                )
            ),
        )
    )
    for userid in sorted(set(userids)):
        user = api.user.get(userid=userid)
        address = user.getProperty("email") if user is not None else None
        if not address:
            logger.info("No e-mail address for %s; not notified", userid)
            continue
        api.portal.send_email(recipient=address, subject=subject, body=body)
