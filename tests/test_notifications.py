"""Notifications: in the site for everyone, by e-mail as each user chose
(at once, daily digest, none), pseudonym and link only."""

from datetime import date
from ern.cpms import invitations
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.notifications import NotificationCentre
from ern.cpms.notifications import send_digests
from ern.cpms.testing import SENT_MAIL
from panels import as_user
from panels import messages
from panels import reset_mail
from panels import sent_messages
from plone import api
from plone.dexterity.utils import createContentInContainer

import panels
import pytest
import re
import transaction


IDENTITY = ("Ilse", "Hoekstra")


def make_panel(portal):
    return panels.make_panel(
        portal,
        IDENTITY,
        date_of_birth=date(2010, 10, 10),
        panel_type="second_opinion",
        reason="Second opinion on gene therapy eligibility.",
    )


@pytest.fixture
def panel(portal):
    reset_mail()
    return make_panel(portal)


def mails_to(portal, address):
    """The decoded e-mails sent to `address`."""
    return [m for m in messages() if address in m]


def test_every_notification_is_listed_and_mailed_by_default(portal, panel):
    centre = NotificationCentre()
    centre.mark_read("expert.rossi")
    before = len(centre.items("expert.rossi"))
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    (_key, item), *_older = centre.items("expert.rossi")
    assert len(centre.items("expert.rossi")) == before + 1
    assert item["kind"] == "invitation"
    assert item["url"] == panel.absolute_url()
    assert panel.aq_parent.Title() in item["subject"]
    assert centre.unread("expert.rossi") == 1
    assert len(mails_to(portal, "expert.rossi@example.org")) == 1
    centre.mark_read("expert.rossi")
    assert centre.unread("expert.rossi") == 0


def test_off_means_no_mail_but_still_listed(portal, panel):
    NotificationCentre().set_preferences("expert.rossi", {"invitation": "off"})
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    assert mails_to(portal, "expert.rossi@example.org") == []
    (_key, item), *_older = NotificationCentre().items("expert.rossi")
    assert item["subject"].startswith("[CPMS] Invitation")
    assert item["url"] == panel.absolute_url()


def test_the_daily_digest_gathers_and_sends_once(portal, panel):
    centre = NotificationCentre()
    centre.set_preferences(
        "dr.dekker", {"invitation_answer": "digest", "comment": "digest"}
    )
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    as_user("expert.rossi", invitations.answer, invitation, accept=True)
    from plone.app.textfield.value import RichTextValue

    as_user(
        "expert.rossi",
        createContentInContainer,
        panel,
        "Comment",
        checkConstraints=True,
        text=RichTextValue("<p>Hello</p>", "text/html", "text/x-html-safe"),
    )
    assert mails_to(portal, "dr.dekker@example.org") == []
    assert send_digests() == 1
    (digest,) = mails_to(portal, "dr.dekker@example.org")
    assert "2 notification(s)" in digest
    for part in IDENTITY:
        assert part not in digest
    assert send_digests() == 0  # nothing twice


def test_urgent_invitations_do_not_wait_for_the_digest(portal, panel):
    NotificationCentre().set_preferences("expert.rossi", {"invitation": "digest"})
    panel.urgent = True
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    (mail,) = mails_to(portal, "expert.rossi@example.org")
    assert "Urgent" in mail
    assert "expert.rossi" not in NotificationCentre().pending_digests()


def test_unknown_choices_are_ignored(portal):
    centre = NotificationCentre()
    centre.set_preferences("dr.dekker", {"comment": "hourly", "nonsense": "off"})
    assert centre.preferences("dr.dekker")["comment"] == "immediate"
    assert "nonsense" not in centre.preferences("dr.dekker")


def test_no_mail_settings_no_failure(portal, panel):
    api.portal.set_registry_record("plone.smtp_host", "")
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    assert messages() == []
    (_key, item), *_older = NotificationCentre().items("expert.rossi")
    assert item["url"] == panel.absolute_url()


def test_pages_list_and_set_preferences(functional_portal, request_factory):
    panel = make_panel(functional_portal)
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    transaction.commit()
    session = request_factory(basic_auth=("expert.rossi", DEMO_PASSWORD), api=False)
    session.headers["Accept"] = "text/html"
    base = functional_portal.absolute_url()
    page = session.get(f"{base}/@@notifications").text
    assert "cpms-notification fw-bold" in page
    assert panel.aq_parent.Title() in page
    settings = session.get(f"{base}/@@notification-settings").text
    token = re.search(r'name="_authenticator"[^>]*value="([^"]+)"', settings).group(1)
    session.post(
        f"{base}/@@notification-settings",
        data={"_authenticator": token, "comment": "digest", "invitation": "off"},
    )
    transaction.begin()
    preferences = NotificationCentre(functional_portal).preferences("expert.rossi")
    assert preferences["comment"] == "digest"
    assert preferences["invitation"] == "off"
    # Without the token nothing changes.
    session.post(f"{base}/@@notification-settings", data={"comment": "off"})
    transaction.begin()
    preferences = NotificationCentre(functional_portal).preferences("expert.rossi")
    assert preferences["comment"] == "digest"


def test_mail_leaves_only_when_the_transaction_commits(functional_portal):
    """The MockMailHost receives the e-mail after the commit, not before,
    and nothing for a transaction that is aborted."""
    SENT_MAIL.clear()
    panel = make_panel(functional_portal)
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    assert SENT_MAIL == []
    transaction.abort()
    assert SENT_MAIL == []
    panel = make_panel(functional_portal)
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    transaction.commit()
    (mail,) = sent_messages()
    assert "expert.rossi@example.org" in mail
    assert panel.aq_parent.Title() in mail


def test_an_unreachable_mail_server_does_not_undo_the_work(functional_portal):
    from Products.MailHost.MailHost import MailHost

    portal = functional_portal
    portal._delObject("MailHost")
    portal._setObject(
        "MailHost", MailHost("MailHost", smtp_host="127.0.0.1", smtp_port=9)
    )
    transaction.commit()
    panel = make_panel(portal)
    (invitation,) = as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    path = invitation.getPhysicalPath()
    transaction.commit()  # the refused SMTP connection is logged, not raised
    transaction.begin()
    assert portal.unrestrictedTraverse(path).invitee == "expert.rossi"
