"""Notifications about panels: in the site, and by e-mail as each user chose.

Every notification is kept in the recipient's list in the site (newest
first). By e-mail, each user chooses per kind: at once, in a daily digest,
or not at all (``NotificationCentre``). E-mails are queued with the
transaction and handed to Plone's MailHost only after it commits (an
after-commit hook): nothing is sent for a request that fails or is retried
after a conflict, a retry that commits sends once, and an unreachable mail
server is logged without undoing the clinician's work (zope.sendmail's own
transactional delivery would abort the transaction instead).

No notification ever carries identifying patient data: the subject and the
body name the panel (ERN and type) and the patient's pseudonym, and link to
the panel, where the reader's permissions decide what they see.
"""

from Acquisition import aq_inner
from Acquisition import aq_parent
from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from datetime import datetime
from datetime import UTC
from email.mime.text import MIMEText
from email.utils import formataddr
from ern.cpms import _
from ern.cpms.people import user_property
from persistent.mapping import PersistentMapping
from plone import api
from plone.base.interfaces.controlpanel import IMailSchema
from plone.registry.interfaces import IRegistry
from zope.annotation.interfaces import IAnnotations
from zope.component import getUtility

import logging
import secrets
import time
import transaction
import typing
import weakref


logger = logging.getLogger("ern.cpms.notifications")

# kind → subject. The kinds a user sets a preference for.
KINDS = {
    "invitation": _("Invitation"),
    "invitation_answer": _("Answer to an invitation"),
    "comment": _("New comment"),
    "data_request": _("Data request"),
    "data_request_answer": _("Data request answered"),
    "meeting": _("Meeting scheduled or changed"),
    "outcome_review": _("Outcome sent for review"),
    "outcome_final": _("Outcome final"),
    "panel_closed": _("Panel closed"),
    "consent_withdrawn": _("Consent for care withdrawn"),
}
IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
CHOICES = (
    (IMMEDIATE, _("E-mail at once")),
    (DIGEST, _("Daily digest")),
    (OFF, _("No e-mail")),
)
ANNOTATION = "ern.cpms.notifications"
KEEP = 200  # notifications kept per user


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


class NotificationCentre:
    """Per user: the notification list and the e-mail preference per kind.

    Kept in an annotation of the site: one BTree of users, and per user a
    BTree keyed by time (microseconds, three random digits appended), so that two
    notifications for one user written at the same time do not conflict.
    """

    def __init__(self, portal=None):
        self.portal = portal or api.portal.get()
        # Reading never writes: the storage is made by the first write (a
        # GET must not write to the database).
        self.storage = IAnnotations(self.portal).get(ANNOTATION) or {
            "inbox": {},
            "preferences": {},
        }

    def _writable(self):
        annotations = IAnnotations(self.portal)
        if ANNOTATION not in annotations:
            annotations[ANNOTATION] = PersistentMapping(
                {"inbox": OOBTree(), "preferences": OOBTree()}
            )
            self.storage = annotations[ANNOTATION]
        return self.storage

    # Preferences

    def preference(self, userid, kind):
        return self.storage["preferences"].get(userid, {}).get(kind, IMMEDIATE)

    def preferences(self, userid):
        return {kind: self.preference(userid, kind) for kind in KINDS}

    def set_preferences(self, userid, choices):
        valid = {value for value, _label in CHOICES}
        wanted = {k: v for k, v in choices.items() if k in KINDS and v in valid}
        self._writable()["preferences"][userid] = PersistentMapping(
            {**self.preferences(userid), **wanted}
        )

    # The list

    def _inbox(self, userid):
        inbox = self._writable()["inbox"]
        if userid not in inbox:
            inbox[userid] = LOBTree()
        return inbox[userid]

    def add(self, userid, kind, subject, text, url, digest=False):
        inbox = self._inbox(userid)
        key = time.time_ns() // 1000 * 1000 + secrets.randbelow(1000)
        inbox[key] = PersistentMapping(
            {
                "kind": kind,
                "subject": subject,
                "text": text,
                "url": url,
                "when": datetime.now(UTC),
                "read": False,
                "digest": digest,
            }
        )
        while len(inbox) > KEEP:
            del inbox[inbox.minKey()]

    def items(self, userid):
        """(key, notification) pairs, newest first."""
        inbox = self.storage["inbox"].get(userid)
        return list(reversed(list(inbox.items()))) if inbox is not None else []

    def unread(self, userid):
        return sum(1 for _key, item in self.items(userid) if not item["read"])

    def mark_read(self, userid):
        for _key, item in self.items(userid):
            if not item["read"]:
                item["read"] = True

    def pending_digests(self):
        """{userid: [notification, …]} waiting for the daily digest."""
        result = {}
        for userid, inbox in self.storage["inbox"].items():
            waiting = [item for item in inbox.values() if item.get("digest")]
            if waiting:
                result[userid] = waiting
        return result


def _email_of(userid):
    return user_property(userid, "email")


_OUTBOXES = weakref.WeakKeyDictionary()


class Mail(typing.NamedTuple):
    address: str
    subject: str
    body: str
    mailhost: object
    sender: str


def outbox():
    """The e-mails (``Mail``) the current transaction will send once it
    commits."""
    txn = transaction.get()
    if txn not in _OUTBOXES:
        _OUTBOXES[txn] = []
        txn.addAfterCommitHook(_deliver, args=(_OUTBOXES[txn],))
    return _OUTBOXES[txn]


def _deliver(committed, messages):
    if not committed:
        return
    for mail in messages:
        # After the commit the site may no longer be set up for this
        # thread: everything needed was taken when the mail was queued.
        message = MIMEText(mail.body, "plain", "utf-8")
        try:
            mail.mailhost.send(
                message,
                mto=mail.address,
                mfrom=mail.sender,
                subject=mail.subject,
                charset="utf-8",
                immediate=True,
            )
        except Exception:
            logger.exception("Could not send %r to %s", mail.subject, mail.address)


def _mail(userid, subject, body):
    address = _email_of(userid)
    if not address:
        logger.info("No e-mail address for %s; not notified", userid)
        return
    if not mail_configured():
        logger.warning("Mail is not configured: %r not sent", subject)
        return
    settings = getUtility(IRegistry).forInterface(IMailSchema, prefix="plone")
    sender = formataddr((settings.email_from_name or "", settings.email_from_address))
    mailhost = api.portal.get_tool("MailHost")
    outbox().append(Mail(address, subject, body, mailhost, sender))


def email(userid, subject, body):
    """An e-mail to one user, sent once the transaction commits (not a
    panel notification: no list entry, no preference)."""
    _mail(userid, subject, body)


FOOTER = _(
    "You receive this message because you take part in this panel of the "
    "Clinical Patient Management System. Choose which messages you receive "
    "on your notification settings page."
)


def send(kind, userids, text, panel, urgent=False):
    """Notify each user of `kind` about `panel`: in their list, and by
    e-mail at once, in the next digest, or not, as they chose. Urgent
    notices do not wait for a digest."""
    translate = api.portal.translate
    reference = panel_reference(panel)
    subject = f"[CPMS] {translate(KINDS[kind])}: {reference}"
    text = translate(text)
    url = panel.absolute_url()
    body = "\n\n".join((text, reference, url, translate(FOOTER)))
    centre = NotificationCentre()
    for userid in sorted(set(userids) - {None}):
        preference = centre.preference(userid, kind)
        if urgent and preference == DIGEST:
            preference = IMMEDIATE
        centre.add(userid, kind, subject, text, url, digest=preference == DIGEST)
        if preference == IMMEDIATE:
            _mail(userid, subject, body)


def send_digests():
    """One e-mail per user with everything their digest collected; run
    daily (see docs/install.md). Returns the number of e-mails."""
    centre = NotificationCentre()
    translate = api.portal.translate
    count = 0
    for userid, waiting in centre.pending_digests().items():
        lines = [
            f"- {item['when']:%Y-%m-%d %H:%M} UTC {item['subject']}\n  {item['url']}"
            for item in sorted(waiting, key=lambda item: item["when"])
        ]
        subject = "[CPMS] " + translate(
            _(
                "Your daily digest: ${count} notification(s)",
                mapping={"count": len(waiting)},
            )
        )
        _mail(userid, subject, "\n".join(lines) + "\n\n" + translate(FOOTER))
        for item in waiting:
            item["digest"] = False
        count += 1
    return count
