"""Subject access: the patient's centre exports everything the system holds
about one patient as a ZIP of JSON and PDFs; nobody else can."""

from ern.cpms.demo import DEMO_PASSWORD

import io
import json
import pytest
import transaction
import zipfile


def _closed_panel(portal):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="closed"
    )
    return brain._unrestrictedGetObject()


@pytest.fixture
def session(functional_portal, request_factory):
    transaction.commit()
    return lambda userid: request_factory(basic_auth=(userid, DEMO_PASSWORD))


@pytest.mark.parametrize("channel", ["@@subject-access", "@subject-access"])
def test_the_centre_exports_everything(functional_portal, session, audit, channel):
    panel = _closed_panel(functional_portal)
    patient = panel.__parent__
    # Charité's patient; dr.weber leads the panel, a health professional there.
    response = session("dr.weber").get(f"{patient.absolute_url()}/{channel}")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == "application/zip"
    assert patient.pseudonym.lower() in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    record = json.loads(archive.read("patient.json"))
    assert record["pseudonym"] == patient.pseudonym
    assert record["family_name"] == patient.family_name
    assert record["date_of_birth"] == patient.date_of_birth.isoformat()
    assert {h["consent"] for h in record["consent_history"]} == {
        "care",
        "registries",
        "research",
    }
    base = f"panels/{panel.getId()}"
    case = json.loads(archive.read(f"{base}/panel.json"))
    assert case["reason"] == panel.reason
    assert any(e["action"] == "close" for e in case["workflow_history"])
    items = [n for n in names if n.startswith(f"{base}/items/")]
    kinds = {json.loads(archive.read(n))["@type"] for n in items}
    assert {"Contribution", "OutcomeDocument", "Invitation"} <= kinds
    assert archive.read(f"{base}/outcome.pdf").startswith(b"%PDF")
    assert "README.txt" in names
    trail = json.loads(archive.read("audit.json"))
    assert all(e["pseudonym"] == patient.pseudonym for e in trail)
    # The export is recorded, naming the patient by pseudonym.
    exports = audit.entries(action="export")[0]
    assert [(e["userid"], e["pseudonym"]) for e in exports] == [
        ("dr.weber", patient.pseudonym)
    ]


# Members of the panel from other centres, a coordinator.
@pytest.mark.parametrize("userid", ["dr.dekker", "dr.martin", "coordinator.eye"])
def test_nobody_else_exports(functional_portal, session, audit, userid):
    patient = _closed_panel(functional_portal).__parent__
    for channel in ("@@subject-access", "@subject-access"):
        response = session(userid).get(
            f"{patient.absolute_url()}/{channel}", allow_redirects=False
        )
        assert response.status_code in (302, 401, 403)
        assert b"PK" not in response.content[:2]
    assert audit.entries(action="export")[1] == 0


def test_another_centres_trail_stays_out(functional_portal, session, audit):
    """Two centres that enrolled one person share the pseudonym, not their
    audit trails."""
    patient = _closed_panel(functional_portal).__parent__
    audit.append(
        [
            {
                "action": "view",
                "userid": "dr.dekker",
                "pseudonym": patient.pseudonym,
                "centre": "erasmus-mc",
                "client": "10.9.8.7",
            }
        ]
    )
    response = session("dr.weber").get(f"{patient.absolute_url()}/@@subject-access")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    trail = json.loads(archive.read("audit.json"))
    assert "10.9.8.7" not in json.dumps(trail)
    assert {e["centre"] for e in trail} <= {"charite"}
