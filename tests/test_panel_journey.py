"""One whole panel, from opening to archiving, through plone.restapi only,
as an integration would do it; and what each participant reads there."""

from ern.cpms.demo import DEMO_PASSWORD
from patients import rest_payload

import io
import pypdf
import pytest


IDENTITY = ("Noa", "Timmermans")


@pytest.fixture
def sessions(request_factory):
    def make(userid):
        return request_factory(basic_auth=(userid, DEMO_PASSWORD))

    return make


def ok(response, status=200):
    assert response.status_code == status, response.text[:500]
    return response.json() if response.text else None


def transition(session, url, name, **body):
    return ok(session.post(f"{url}/@workflow/{name}", json=body))


def test_from_opening_to_archiving_through_the_api(functional_portal, sessions):
    lead, rossi, martin, weber = (
        sessions(u) for u in ("dr.dekker", "expert.rossi", "dr.martin", "dr.weber")
    )
    patient = ok(
        lead.post(
            "/centres/erasmus-mc",
            json=rest_payload(given_names=IDENTITY[0], family_name=IDENTITY[1]),
        ),
        201,
    )
    panel = ok(
        lead.post(
            patient["@id"],
            json={
                "@type": "Panel",
                "ern": "ERN-EYE",
                "panel_type": "diagnosis",
                "reason": "Photophobia and nystagmus since birth.",
                "questions": ["Achromatopsia or cone dystrophy?"],
                "examination": "Normal fundus; nystagmus.",
            },
        ),
        201,
    )
    url = panel["@id"]
    transition(lead, url, "open")

    # Invitations: one accepted, one declined.
    for userid in ("expert.rossi", "dr.weber"):
        ok(lead.post(url, json={"@type": "Invitation", "invitee": userid}), 201)
    invitations = {
        item["title"]: item["@id"]
        for item in ok(lead.get(url))["items"]
        if item["@type"] == "Invitation"
    }
    # The pending invitee reads the summary, not the clinical data.
    summary = ok(rossi.get(url))
    assert summary["reason"] == "Photophobia and nystagmus since birth."
    assert "examination" not in summary
    transition(rossi, invitations["Invitation of Marco Rossi"], "accept")
    transition(weber, invitations["Invitation of Jonas Weber"], "decline")
    assert ok(rossi.get(url))["examination"] == "Normal fundus; nystagmus."
    assert weber.get(url).status_code in (401, 403, 404)
    # Someone else's invitation cannot be answered.
    refused = martin.post(
        f"{invitations['Invitation of Marco Rossi']}/@workflow/decline"
    )
    assert refused.status_code in (400, 401, 403, 404)

    # Discussion and work.
    ok(
        rossi.post(
            url,
            json={
                "@type": "Comment",
                "text": {
                    "data": "<p>CNGB3 first.</p>",
                    "content-type": "text/html",
                    "encoding": "utf-8",
                },
            },
        ),
        201,
    )
    for who in (rossi, lead):
        ok(
            who.post(
                url,
                json={
                    "@type": "Contribution",
                    "assessment": "Achromatopsia likely.",
                    "recommendation": "CNGA3/CNGB3 testing.",
                },
            ),
            201,
        )
    outcome = ok(
        lead.post(
            url,
            json={
                "@type": "OutcomeDocument",
                "conclusions": "Achromatopsia.",
                "recommendations": "CNGA3/CNGB3 testing; tinted lenses.",
            },
        ),
        201,
    )
    transition(lead, url, "submit_outcome")
    assert ok(rossi.get(outcome["@id"]))["review_state"] == "in_review"
    # A refused guard says why, to the lead who may take the step.
    early = lead.post(f"{url}/@workflow/close")
    assert early.status_code == 400
    assert "outcome document is final" in early.json()["error"]["message"]
    # Someone without the step's permission learns nothing more.
    assert "outcome" not in rossi.post(f"{url}/@workflow/close").text
    # A member may not finalise; the lead does.
    assert rossi.post(f"{outcome['@id']}/@workflow/finalise").status_code in (
        400,
        401,
        403,
    )
    transition(lead, outcome["@id"], "finalise")
    transition(lead, url, "close")
    transition(lead, url, "archive")
    assert ok(lead.get(url))["review_state"] == "archived"

    # The member still finds the archived panel, and downloads the PDF.
    found = ok(
        rossi.get(
            "/@search",
            params={
                "portal_type": "Panel",
                "path": "/plone"
                + patient["@id"][len(functional_portal.absolute_url()) :],
            },
        )
    )
    assert [item["@id"] for item in found["items"]] == [url]
    pdf = rossi.get(f"{outcome['@id']}/@@pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert "Achromatopsia." in text
    for part in IDENTITY:
        assert part not in text
    # Nothing identifying anywhere the member could read.
    for response in (rossi.get(url), rossi.get(outcome["@id"]), found):
        body = response if isinstance(response, dict) else response.text
        for part in IDENTITY:
            assert part not in str(body)


def test_what_outsiders_of_the_demo_open_panel_get(functional_portal, sessions):
    """dr.martin is invited (pending), dr.weber declined: through REST and
    search, the discussion, the work and the clinical data stay hidden."""
    from plone import api

    (brain,) = api.content.find(
        portal_type="Panel", review_state="open", unrestricted=True
    )
    url = brain.getURL()
    comment_url = next(
        b.getURL()
        for b in api.content.find(
            path=brain.getPath(), portal_type="Comment", unrestricted=True
        )
    )
    member, pending, declined = (
        sessions(u) for u in ("expert.rossi", "dr.martin", "dr.weber")
    )
    summary = ok(pending.get(url))
    assert "examination" not in summary
    assert "questionnaire" not in summary
    hidden = {"Comment", "Contribution", "Meeting", "DataRequest", "Attachment"}
    assert not {item["@type"] for item in summary["items"]} & hidden
    assert {item["@type"] for item in ok(member.get(url))["items"]} >= {
        "Comment",
        "Meeting",
    }
    for session in (pending, declined):
        assert session.get(comment_url).status_code in (401, 403, 404)
        found = ok(session.get("/@search", params={"SearchableText": "ABCA4"}))
        assert found["items_total"] == 0
    assert (
        ok(member.get("/@search", params={"SearchableText": "ABCA4"}))["items_total"]
        >= 1
    )
    assert declined.get(url).status_code in (401, 403, 404)
    # The pending invitee may read the panel's summary, so a panel offers
    # only its summary to search: its clinical sections cannot be probed.
    assert (
        ok(pending.get("/@search", params={"SearchableText": "macular"}))["items_total"]
        == 0
    )
    assert (
        ok(pending.get("/@search", params={"SearchableText": "central"}))["items_total"]
        == 1
    )  # "Rapid loss of central vision", the reason


def test_what_the_code_sets_cannot_be_forged_through_the_api(
    functional_portal, sessions
):
    """The requester may edit their question, not write the centre's answer."""
    from plone import api

    import transaction

    (brain,) = api.content.find(
        portal_type="DataRequest", review_state="open", unrestricted=True
    )
    rossi = sessions("expert.rossi")
    response = rossi.patch(
        brain.getURL(),
        json={"answer": "Forged answer.", "answered_by": "dr.dekker"},
    )
    assert response.status_code in (204, 400, 401, 403)
    transaction.begin()
    request = brain._unrestrictedGetObject()
    assert request.answer is None
    assert request.answered_by is None


def test_closing_with_one_contribution_through_the_api(functional_portal, sessions):
    """The lead confirms with a PATCH of few_contributions_confirmed; the
    close is refused with the guard's sentence until then."""
    from panels import make_panel

    import transaction

    panel = make_panel(functional_portal, ("Fenna", "Kok"), members=["expert.rossi"])
    transaction.commit()
    url = panel.absolute_url()
    lead, rossi = sessions("dr.dekker"), sessions("expert.rossi")
    ok(
        rossi.post(
            url,
            json={
                "@type": "Contribution",
                "assessment": "Likely LCA.",
                "recommendation": "Panel testing.",
            },
        ),
        201,
    )
    outcome = ok(
        lead.post(
            url,
            json={
                "@type": "OutcomeDocument",
                "conclusions": "Leber congenital amaurosis.",
                "recommendations": "Gene panel.",
            },
        ),
        201,
    )
    transition(lead, url, "submit_outcome")
    transition(lead, outcome["@id"], "finalise")
    refused = lead.post(f"{url}/@workflow/close")
    assert refused.status_code == 400
    assert "Only 1 contribution(s) recorded" in refused.json()["error"]["message"]
    # A member may not confirm for the lead.
    rossi.patch(url, json={"few_contributions_confirmed": True})
    assert lead.post(f"{url}/@workflow/close").status_code == 400
    assert (
        lead.patch(url, json={"few_contributions_confirmed": True}).status_code == 204
    )
    transition(lead, url, "close", comment="Only one expert available.")
    assert ok(lead.get(url))["review_state"] == "closed"
