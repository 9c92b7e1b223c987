"""Access requests (access_requests.py): asked by anyone logged in (no
second factor needed), seen and decided by the ERN's coordinators only,
approval grants the groups in the same transaction, rejection needs a
reason and grants nothing, e-mails both ways, a guest's access expires
after 90 days (fixed clock) unless extended."""

from datetime import timedelta
from ern.cpms import access_requests
from ern.cpms.groups import group_id
from ern.cpms.testing import SENT_MAIL
from logins import json_session as session
from panels import sent_messages
from plone import api

import pytest
import transaction


PASSWORD = "a-long-password-2026"


@pytest.fixture
def site(functional_portal):
    SENT_MAIL.clear()
    for userid, fullname in (
        ("anna.visser", "Anna Visser"),
        ("mateo.garcia", "Mateo García"),
        ("coordinator.nmd", "Nora Lind"),
    ):
        api.user.create(
            email=f"{userid}@example.org",
            username=userid,
            password=PASSWORD,
            properties={"fullname": fullname},
        )
    nmd = functional_portal["erns"]["euro-nmd"]
    api.group.add_user(
        groupname=group_id(nmd, "coordinators"), username="coordinator.nmd"
    )
    transaction.commit()
    return functional_portal.absolute_url()


def password_only(userid):
    """A session with a password and no second factor: enough to ask."""
    return session(auth=(userid, PASSWORD))


GUEST_REQUEST = {
    "@type": "AccessRequest",
    "ern": "ERN-EYE",
    "requested_role": "guest-expert",
    "centre": "guest",
    "guest_institution": "Rigshospitalet",
    "guest_country": "DK",
    "job_title": "Consultant ophthalmologist",
    "thematic_areas": ["Retinal dystrophies"],
    "orphacodes": [],
    "motivation": "I follow two families with Stargardt disease.",
}


def ask(site, userid, **changes):
    return password_only(userid).post(
        f"{site}/access-requests", json={**GUEST_REQUEST, **changes}, timeout=30
    )


def ask_for_necker(site, userid):
    """Ask to be a health professional of Hôpital Necker (ERN-EYE)."""
    return ask(
        site,
        userid,
        centre="necker",
        requested_role="health-professional",
        guest_institution=None,
        guest_country=None,
    )


def the_request(portal, userid):
    transaction.begin()
    (request,) = access_requests.requests_of(userid)
    return request


def sent_to(address):
    return [text for text in sent_messages() if f"To: {address}" in text]


def test_asking_needs_no_second_factor_and_tells_the_coordinators(
    functional_portal, site
):
    answer = ask(site, "anna.visser")
    assert answer.status_code == 201, answer.text
    request = the_request(functional_portal, "anna.visser")
    assert request.requester == "anna.visser"
    assert request.Title() == "Anna Visser — ERN-EYE"
    assert api.content.get_state(request) == "pending"
    coordinators = group_id(functional_portal["erns"]["ern-eye"], "coordinators")
    assert request.get_local_roles_for_userid(coordinators) == ("ERNCoordinator",)
    assert sent_to("coordinator.eye@example.org")
    assert not sent_to("coordinator.nmd@example.org")
    # The requester's profile lists it, without a second factor.
    profile = password_only("anna.visser").get(
        f"{site}/@@my-profile", headers={"Accept": "text/html"}, timeout=30
    )
    assert profile.status_code == 200
    assert "ERN-EYE" in profile.text
    assert "Pending" in profile.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"centre": "erasmus-mc", "ern": "ERN-NOPE"}, "ern"),
        ({"guest_institution": ""}, None),
        ({"centre": "guest", "requested_role": "health-professional"}, None),
        ({"motivation": ""}, "motivation"),
    ],
)
def test_bad_requests_are_refused_and_leave_nothing(
    functional_portal, site, changes, field
):
    answer = ask(site, "anna.visser", **changes)
    assert answer.status_code == 400
    assert "Traceback" not in answer.text
    if field is not None:
        assert field in answer.text
    transaction.begin()
    assert access_requests.requests_of("anna.visser") == []


def test_a_centre_must_be_a_member_of_the_ern(functional_portal, site):
    api.portal.get()["centres"]["charite"].ern_memberships = ["EURO-NMD"]
    transaction.commit()
    answer = ask(
        site, "anna.visser", centre="charite", requested_role="health-professional"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(
        "This centre is not a member of ERN-EYE"
    )
    transaction.begin()
    assert access_requests.requests_of("anna.visser") == []


def test_a_second_pending_request_for_the_same_ern_is_refused(functional_portal, site):
    assert ask(site, "anna.visser").status_code == 201
    again = ask(site, "anna.visser", motivation="Please.")
    assert again.status_code == 400
    assert "You already asked for access to ERN-EYE" in again.text
    transaction.begin()
    assert len(access_requests.requests_of("anna.visser")) == 1
    # Another ERN is another request.
    assert ask(site, "anna.visser", ern="EURO-NMD").status_code == 201


def test_only_the_erns_coordinators_see_and_decide(functional_portal, site, logins):
    ask(site, "anna.visser")
    url = the_request(functional_portal, "anna.visser").absolute_url()
    seen = {}
    for userid in ("coordinator.eye", "coordinator.nmd", "dr.dekker", "anna.visser"):
        seen[userid] = session(logins.authorization(userid, _password(userid))).get(
            url, timeout=30
        )
    assert seen["coordinator.eye"].status_code == 200
    assert seen["anna.visser"].status_code == 200  # the requester
    assert seen["coordinator.nmd"].status_code in (401, 403, 404)
    assert seen["dr.dekker"].status_code in (401, 403, 404)
    other = session(logins.authorization("coordinator.nmd", PASSWORD))
    assert other.post(f"{url}/@workflow/approve", timeout=30).status_code in (
        401,
        403,
        404,
    )
    found = other.get(f"{site}/++api++/@search?portal_type=AccessRequest", timeout=30)
    assert found.json()["items_total"] == 0
    found = session(logins.authorization("coordinator.eye")).get(
        f"{site}/++api++/@search?portal_type=AccessRequest", timeout=30
    )
    # Anna's, and the demo's guest.visser's.
    assert {item["title"] for item in found.json()["items"]} == {
        "Anna Visser — ERN-EYE",
        "Ingrid Visser — ERN-EYE",
    }
    transaction.begin()
    assert api.content.get_state(the_request(functional_portal, "anna.visser")) == (
        "pending"
    )


def _password(userid):
    from ern.cpms.demo import DEMO_PASSWORD

    return PASSWORD if userid in ("anna.visser", "coordinator.nmd") else DEMO_PASSWORD


def test_rejecting_needs_a_reason_and_grants_nothing(functional_portal, site, logins):
    ask(site, "anna.visser")
    url = the_request(functional_portal, "anna.visser").absolute_url()
    coordinator = session(logins.authorization("coordinator.eye"))
    bare = coordinator.post(f"{url}/@workflow/reject", json={}, timeout=30)
    assert bare.status_code == 400
    assert "Say why the request is rejected" in bare.json()["error"]["message"]
    request = the_request(functional_portal, "anna.visser")
    assert api.content.get_state(request) == "pending"
    assert request.decision_reason is None
    SENT_MAIL.clear()
    done = coordinator.post(
        f"{url}/@workflow/reject",
        json={"comment": "Please ask through your national hub."},
        timeout=30,
    )
    assert done.status_code == 200, done.text
    request = the_request(functional_portal, "anna.visser")
    assert api.content.get_state(request) == "rejected"
    assert request.decision_reason == "Please ask through your national hub."
    (mail,) = sent_to("anna.visser@example.org")
    assert "national hub" in str(mail)
    groups = api.group.get_groups(username="anna.visser")
    assert {g.getId() for g in groups} <= {"AuthenticatedUsers"}


def test_approving_a_health_professional_adds_them_to_the_centre(
    functional_portal, site, logins
):
    ask_for_necker(site, "mateo.garcia")
    request = the_request(functional_portal, "mateo.garcia")
    coordinator = session(logins.authorization("coordinator.eye"))
    SENT_MAIL.clear()
    done = coordinator.post(f"{request.absolute_url()}/@workflow/approve", timeout=30)
    assert done.status_code == 200, done.text
    transaction.begin()
    necker = functional_portal["centres"]["necker"]
    members = api.user.get_users(groupname=group_id(necker, "health-professionals"))
    assert "mateo.garcia" in {user.getId() for user in members}
    assert sent_to("mateo.garcia@example.org")
    # The job title asked with goes to the profile.
    user = api.user.get(userid="mateo.garcia")
    assert user.getProperty("job_title") == "Consultant ophthalmologist"
    # ... where panel leads searching experts see it.
    from ern.cpms.invitations import experts_of

    (mateo,) = [e for e in experts_of("ERN-EYE") if e.userid == "mateo.garcia"]
    assert "Consultant ophthalmologist" in mateo.label
    # And with a second factor, the centre's patients open.
    mateo = session(logins.authorization("mateo.garcia", PASSWORD))
    found = mateo.get(f"{site}/++api++/@search?portal_type=Patient", timeout=30)
    assert found.json()["items_total"] > 0


def test_deciding_from_the_page(functional_portal, site, logins):
    ask(site, "anna.visser")
    request = the_request(functional_portal, "anna.visser")
    coordinator = session(logins.authorization("coordinator.eye"))
    coordinator.headers["Accept"] = "text/html"
    page = coordinator.get(request.absolute_url(), timeout=30)
    assert 'value="approve"' in page.text
    token = page.text.split('name="_authenticator" value="')[1].split('"')[0]
    refused = coordinator.post(
        request.absolute_url(),
        data={"action": "reject", "reason": "", "_authenticator": token},
        timeout=30,
    )
    assert refused.status_code == 400
    assert "Say why the request is rejected" in refused.text
    approved = coordinator.post(
        request.absolute_url(),
        data={"action": "approve", "_authenticator": token},
        timeout=30,
    )
    assert approved.status_code == 200
    transaction.begin()
    assert api.content.get_state(the_request(functional_portal, "anna.visser")) == (
        "approved"
    )


def test_a_guests_access_expires_unless_extended(
    functional_portal, site, logins, monkeypatch
):
    ask(site, "anna.visser")
    request = the_request(functional_portal, "anna.visser")
    coordinator = session(logins.authorization("coordinator.eye"))
    assert (
        coordinator.post(f"{request.absolute_url()}/@workflow/approve", timeout=30)
    ).status_code == 200
    transaction.begin()
    request = the_request(functional_portal, "anna.visser")
    approved_at = request.access_until - timedelta(days=90)
    ern = functional_portal["erns"]["ern-eye"]
    guests = group_id(ern, "guest-experts")
    assert "anna.visser" in {u.getId() for u in api.user.get_users(groupname=guests)}
    # She can be invited to the ERN's panels...
    from ern.cpms.invitations import experts_of

    (guest,) = [e for e in experts_of("ERN-EYE") if e.userid == "anna.visser"]
    assert guest.centres == (("Rigshospitalet", "DK"),)
    # ... and joins one (as an accepted invitation would make her).
    (brain,) = functional_portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="open"
    )[:1]
    panel = brain._unrestrictedGetObject()
    panel.manage_setLocalRoles("anna.visser", ["PanelMember"])
    panel.reindexObjectSecurity()
    transaction.commit()
    anna = session(logins.authorization("anna.visser", PASSWORD))
    assert anna.get(panel.absolute_url(), timeout=30).status_code == 200

    # The daily job runs as the system (scripts/expire_guests.py).
    def expire():
        with api.env.adopt_roles(["Manager"]):
            return access_requests.expire_guests()

    # Day 89: nothing expires.
    monkeypatch.setattr(access_requests, "now", lambda: approved_at + timedelta(89))
    assert expire() == 0
    # A coordinator extends it by 90 days from its end.
    access_requests.extend(request)
    assert request.access_until == approved_at + timedelta(days=180)
    monkeypatch.setattr(access_requests, "now", lambda: approved_at + timedelta(91))
    assert expire() == 0
    # Day 181: over.
    monkeypatch.setattr(access_requests, "now", lambda: approved_at + timedelta(181))
    SENT_MAIL.clear()
    assert expire() == 1
    transaction.commit()
    assert api.content.get_state(request) == "expired"
    assert "anna.visser" not in {
        u.getId() for u in api.user.get_users(groupname=guests)
    }
    assert sent_to("anna.visser@example.org")
    # With her second factor, the panel she joined is closed to her now.
    anna = session(logins.authorization("anna.visser", PASSWORD))
    assert anna.get(panel.absolute_url(), timeout=30).status_code == 401
    assert "anna.visser" not in {e.userid for e in experts_of("ERN-EYE")}
    # Her profile still opens, and she may ask again.
    assert anna.get(f"{site}/@@my-profile", timeout=30).status_code == 200
    assert ask(site, "anna.visser").status_code == 201


def test_the_form_opens_without_a_second_factor(functional_portal, site):
    page = password_only("anna.visser").get(
        f"{site}/@@request-access", headers={"Accept": "text/html"}, timeout=30
    )
    assert page.status_code == 200
    assert "++add++AccessRequest" in page.url
    for field in ("form.widgets.ern", "form.widgets.motivation", "form.widgets.centre"):
        assert field in page.text


def test_nobody_decides_their_own_request(functional_portal, site, logins):
    """A coordinator of ERN-EYE asks to be a health professional of one of
    its centres: another coordinator (or an administrator) decides."""
    answer = password_only_demo("coordinator.eye").post(
        f"{site}/access-requests",
        json={
            **GUEST_REQUEST,
            "centre": "necker",
            "requested_role": "health-professional",
            "guest_institution": None,
            "guest_country": None,
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    request = the_request(functional_portal, "coordinator.eye")
    own = session(logins.authorization("coordinator.eye"))
    refused = own.post(f"{request.absolute_url()}/@workflow/approve", timeout=30)
    assert refused.status_code == 400
    assert "Someone else decides your own request" in refused.text
    transaction.begin()
    assert api.content.get_state(the_request(functional_portal, "coordinator.eye")) == (
        "pending"
    )


def password_only_demo(userid):
    from ern.cpms.demo import DEMO_PASSWORD

    return session(auth=(userid, DEMO_PASSWORD))


def test_a_decided_reason_cannot_be_rewritten(functional_portal, site, logins):
    ask(site, "anna.visser")
    url = the_request(functional_portal, "anna.visser").absolute_url()
    coordinator = session(logins.authorization("coordinator.eye"))
    first = coordinator.post(f"{url}/@workflow/reject", json={"comment": "First."})
    assert first.status_code == 200, first.text
    # plone.restapi answers a transition to the state the item is in with
    # success; the recorded reason stays.
    coordinator.post(f"{url}/@workflow/reject", json={"comment": "Other."})
    assert the_request(functional_portal, "anna.visser").decision_reason == "First."


def test_approval_checks_the_centre_again(functional_portal, site, logins):
    ask_for_necker(site, "mateo.garcia")
    request = the_request(functional_portal, "mateo.garcia")
    functional_portal["centres"]["necker"].ern_memberships = ["EURO-NMD"]
    transaction.commit()
    coordinator = session(logins.authorization("coordinator.eye"))
    refused = coordinator.post(f"{request.absolute_url()}/@workflow/approve")
    assert refused.status_code == 400
    assert "This centre is not a member of ERN-EYE" in refused.text


def test_a_site_administrator_decides_too(functional_portal, site, logins):
    api.user.create(email="a@example.org", username="site.admin", password=PASSWORD)
    api.user.grant_roles(username="site.admin", roles=["Site Administrator"])
    transaction.commit()
    ask(site, "anna.visser")
    request = the_request(functional_portal, "anna.visser")
    admin = session(logins.authorization("site.admin", PASSWORD))
    assert admin.get(request.absolute_url(), timeout=30).status_code == 200
    done = admin.post(
        f"{request.absolute_url()}/@workflow/reject", json={"comment": "Not yet."}
    )
    assert done.status_code == 200, done.text
    assert api.content.get_state(the_request(functional_portal, "anna.visser")) == (
        "rejected"
    )


def test_a_decision_is_audited(functional_portal, site, logins, audit):
    """The request, the decision and the membership it grants."""
    ask_for_necker(site, "mateo.garcia")
    request = the_request(functional_portal, "mateo.garcia")
    coordinator = session(logins.authorization("coordinator.eye"))
    done = coordinator.post(f"{request.absolute_url()}/@workflow/approve", timeout=30)
    assert done.status_code == 200, done.text
    rows = audit.entries(newest_first=False)[0]
    actions = [(r["action"], r["userid"], r["detail"]) for r in rows]
    assert ("create", "mateo.garcia", "AccessRequest") in actions
    assert ("transition", "coordinator.eye", "approve: pending → approved") in actions
    assert any(
        action == "group_add" and "mateo.garcia" in detail
        for action, _userid, detail in actions
    )
