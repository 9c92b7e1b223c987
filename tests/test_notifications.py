"""Notifications: in the site for everyone, by e-mail as each user chose
(at once, daily digest, none), pseudonym and link only."""

from datetime import date
from ern.cpms import invitations
from ern.cpms.demo import DEMO_PASSWORD
from ern.cpms.notifications import NotificationCentre
from ern.cpms.notifications import send_digests
from panels import as_user
from panels import messages
from patients import enrol_as
from plone import api
from plone.dexterity.utils import createContentInContainer

import pytest
import re
import transaction


IDENTITY = ("Ilse", "Hoekstra")


def make_panel(portal):
    patient = enrol_as(
        "dr.dekker",
        portal["centres"]["erasmus-mc"],
        given_names=IDENTITY[0],
        family_name=IDENTITY[1],
        date_of_birth=date(2010, 10, 10),
    )
    panel = as_user(
        "dr.dekker",
        createContentInContainer,
        patient,
        "Panel",
        ern="ERN-EYE",
        panel_type="second_opinion",
        reason="Second opinion on gene therapy eligibility.",
    )
    as_user("dr.dekker", api.content.transition, obj=panel, transition="open")
    return panel


@pytest.fixture
def panel(portal):
    portal.MailHost.reset()
    return make_panel(portal)


def mails_to(portal, address):
    """The decoded e-mails sent to `address`."""
    return [m for m in messages(portal.MailHost) if address in m]


def test_every_notification_is_listed_and_mailed_by_default(portal, panel):
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    centre = NotificationCentre()
    ((_key, item),) = centre.items("expert.rossi")
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
    assert len(NotificationCentre().items("expert.rossi")) == 1


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


def test_unknown_choices_are_ignored(portal):
    centre = NotificationCentre()
    centre.set_preferences("dr.dekker", {"comment": "hourly", "nonsense": "off"})
    assert centre.preferences("dr.dekker")["comment"] == "immediate"
    assert "nonsense" not in centre.preferences("dr.dekker")


def test_no_mail_settings_no_failure(portal, panel):
    api.portal.set_registry_record("plone.smtp_host", "")
    as_user("dr.dekker", invitations.invite, panel, ["expert.rossi"])
    assert portal.MailHost.messages == []
    assert len(NotificationCentre().items("expert.rossi")) == 1


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
