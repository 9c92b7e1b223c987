"""The audit trail (invariant 5, ern.cpms.audit): every recorded action has
its entry; the chain shows an edited, deleted or reordered entry; changes
are written when they commit, reads at once, a conflict retry neither
duplicates nor loses one; no entry names a patient."""

from datetime import date
from ern.cpms.audit.store import SQLiteStore
from ern.cpms.demo import DEMO_PASSWORD
from plone import api
from ZODB.POSException import ConflictError

import base64
import pytest
import sqlite3
import transaction


# The demo's patient of the open panel (demo.py), and what must never be
# in an entry.
NAMES = ("Daan", "de Vries", "2008-09-03", "03.09.2008", "09/03/2008")


def _open_panel(portal):
    (brain,) = portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="open"
    )
    return brain._unrestrictedGetObject()


def _entries(audit, **filters):
    rows, _total = audit.entries(newest_first=False, **filters)
    return rows


def _no_names(audit):
    rows = _entries(audit)
    text = repr(rows)
    for name in NAMES:
        assert name not in text
    return rows


# The store


def test_the_chain_holds_and_shows_every_kind_of_tampering(tmp_path):
    path = tmp_path / "audit.sqlite"
    store = SQLiteStore(path)
    store.append([{"action": "view", "userid": f"u{i}"} for i in range(5)])
    count, head, broken = store.verify()
    assert (count, broken) == (5, None)
    assert len(head) == 64

    def tampered(sql):
        copy = tmp_path / f"copy{len(list(tmp_path.iterdir()))}.sqlite"
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        with sqlite3.connect(copy) as connection:
            connection.executescript(sql)
        return SQLiteStore(copy).verify()[2]

    # An edited entry: the stored hash no longer matches.
    assert tampered("UPDATE entries SET userid = 'x' WHERE seq = 3") == {
        "seq": 3,
        "reason": "altered",
    }
    # A deleted entry: a gap in the sequence.
    assert tampered("DELETE FROM entries WHERE seq = 2") == {
        "seq": 2,
        "reason": "missing",
    }
    # Two entries swapped (their numbers exchanged): the links break.
    broken = tampered(
        "UPDATE entries SET seq = 100 WHERE seq = 2;"
        "UPDATE entries SET seq = 2 WHERE seq = 3;"
        "UPDATE entries SET seq = 3 WHERE seq = 100;"
    )
    assert broken["seq"] == 2
    # An edited entry whose hash was recomputed: the next link breaks.
    from ern.cpms.audit.store import digest

    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        row = dict(connection.execute("SELECT * FROM entries WHERE seq = 3").fetchone())
    row["userid"] = "someone else"
    new_hash = digest(row, row["prev"])
    assert tampered(
        f"UPDATE entries SET userid = 'someone else', hash = '{new_hash}' WHERE seq = 3"
    ) == {"seq": 4, "reason": "unlinked"}


def test_an_entry_once_per_key(tmp_path):
    store = SQLiteStore(tmp_path / "audit.sqlite")
    assert len(store.append([{"action": "view", "once": "r1:view:u"}])) == 1
    assert store.append([{"action": "view", "once": "r1:view:u"}]) == []
    assert store.verify()[0] == 1


# Changes: after commit, never on abort


def test_a_change_is_recorded_when_it_commits(functional_portal, audit):
    panel = _open_panel(functional_portal)
    with api.env.adopt_user(username="expert.rossi"):
        api.content.create(
            container=panel,
            type="DataRequest",
            title="Data request",
            question="The ERG, please.",
        )
    assert [e for e in _entries(audit) if e["action"] == "create"] == []
    transaction.commit()
    (created,) = [e for e in _entries(audit) if e["action"] == "create"]
    assert created["userid"] == "expert.rossi"
    assert created["detail"] == "DataRequest"
    assert created["pseudonym"] == panel.__parent__.pseudonym
    assert created["centre"] == "erasmus-mc"
    assert audit.verify()[2] is None
    _no_names(audit)


def test_an_aborted_change_is_not_recorded(functional_portal, audit):
    panel = _open_panel(functional_portal)
    with api.env.adopt_user(username="expert.rossi"):
        api.content.create(
            container=panel, type="DataRequest", title="Data request", question="?"
        )
    transaction.abort()
    transaction.commit()
    assert _entries(audit) == []


# Through the publisher: reads, changes, retries


@pytest.fixture
def http(functional_portal, request_factory, audit):
    transaction.commit()

    def session(userid=None, **kwargs):
        if userid is None:
            return request_factory()
        return request_factory(basic_auth=(userid, DEMO_PASSWORD), **kwargs)

    return session


def test_reading_a_patient_is_recorded_in_every_channel(functional_portal, http, audit):
    patient = _open_panel(functional_portal).__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    dekker = http("dr.dekker")
    assert dekker.get(path).json()["family_name"] == "de Vries"  # REST
    assert "de Vries" in dekker.get(path, headers={"Accept": "text/html"}).text
    assert dekker.get(f"{path}/@@edit", headers={"Accept": "text/html"}).ok
    reads = [e for e in _entries(audit) if e["uid"] == patient.UID()]
    assert [(e["action"], e["detail"]) for e in reads] == [
        ("view", ""),
        ("view", ""),
        ("view", "edit form"),
    ]
    assert {e["userid"] for e in reads} == {"dr.dekker"}
    assert len({e["request_id"] for e in reads}) == 3
    assert all(e["client"] == "127.0.0.1" for e in reads)
    # Who may not read the identity reads nothing, and nothing is recorded.
    assert http("dr.martin").get(path).status_code == 401
    assert len([e for e in _entries(audit) if e["uid"] == patient.UID()]) == 3
    _no_names(audit)


def test_patient_lists_and_the_duplicate_check_are_recorded(
    functional_portal, http, audit
):
    dekker = http("dr.dekker")
    listed = dekker.post("/centres/erasmus-mc/@patients", json={}).json()
    named = [item for item in listed["items"] if "family_name" in item]
    lists = [e for e in _entries(audit) if e["action"] == "list"]
    assert len(lists) == len(named) > 0
    assert {e["pseudonym"] for e in lists} == {i["pseudonym"] for i in named}
    page = dekker.get("/centres/erasmus-mc/@@patients", headers={"Accept": "text/html"})
    assert page.ok
    assert len([e for e in _entries(audit) if e["action"] == "list"]) > len(lists)
    found = dekker.post(
        "/centres/erasmus-mc/@duplicate-check",
        json={
            "family_name": "de Vries",
            "given_names": "Daan",
            "date_of_birth": "2008-09-03",
            "sex": "male",
        },
    ).json()
    missing = dekker.post(
        "/centres/erasmus-mc/@duplicate-check",
        json={
            "family_name": "Nobody",
            "given_names": "Nemo",
            "date_of_birth": "2001-01-01",
            "sex": "male",
        },
    )
    assert missing.ok
    identified = [e for e in _entries(audit) if e["action"] == "identify"]
    assert [e["pseudonym"] for e in identified] == [found["patient"]["pseudonym"], ""]
    assert identified[1]["detail"] == "no match"
    assert identified[1]["centre"] == "erasmus-mc"
    _no_names(audit)


def test_downloads_are_recorded(functional_portal, http, audit):
    from panels import pdf_saying

    panel = _open_panel(functional_portal)
    path = panel.absolute_url()[len(functional_portal.absolute_url()) :]
    dekker = http("dr.dekker")
    added = dekker.post(
        path,
        json={
            "@type": "Attachment",
            "kind": "report",
            "file": {
                "data": base64.b64encode(pdf_saying("OCT report")).decode(),
                "encoding": "base64",
                "filename": "oct.pdf",
            },
        },
    )
    assert added.status_code == 201, added.text
    url = added.json()["@id"]
    assert http("expert.rossi").get(f"{url}/@@download/file").ok
    (download,) = [e for e in _entries(audit) if e["action"] == "download"]
    assert download["userid"] == "expert.rossi"
    assert download["detail"] == "file"
    assert download["pseudonym"] == panel.__parent__.pseudonym


def test_the_outcome_pdf_is_recorded(functional_portal, http, audit):
    (brain,) = functional_portal.portal_catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="closed"
    )
    path = brain.getURL()[len(functional_portal.absolute_url()) :]
    lead = brain._unrestrictedGetObject().panel_lead
    assert http(lead).get(f"{path}/@outcome-pdf").ok
    (download,) = [e for e in _entries(audit) if e["action"] == "download"]
    assert (download["userid"], download["detail"]) == (lead, "pdf")


def test_a_conflict_retry_records_once(functional_portal, http, audit, monkeypatch):
    """The publisher retries a request that hit a ConflictError: its reads
    (written at once, first attempt included) and changes (written on
    commit) are each recorded once."""
    from ern.cpms.restapi import serializers

    patient = _open_panel(functional_portal).__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    calls = []
    serialize = serializers.PatientSerializer.__call__

    def conflicting(self, *args, **kwargs):
        result = serialize(self, *args, **kwargs)
        if not calls:
            calls.append(self.request)
            raise ConflictError("forced by the test")
        calls.append(self.request)
        return result

    monkeypatch.setattr(serializers.PatientSerializer, "__call__", conflicting)
    assert http("dr.dekker").get(path).ok
    assert len({id(request) for request in calls}) == 2  # retried once
    reads = [e for e in _entries(audit) if e["action"] == "view"]
    assert len(reads) == 1

    # A change whose first attempt conflicts when its transaction commits
    # (after the entry was queued): a data manager that refuses the vote.
    from ern.cpms import panel_content

    fullname = panel_content.fullname
    attempts = []

    def joining(userid):
        if not attempts:
            transaction.get().join(_Conflicting())
        attempts.append(transaction.get())
        return fullname(userid)

    monkeypatch.setattr(panel_content, "fullname", joining)
    panel_path = f"{path}/{_open_panel(functional_portal).getId()}"
    response = http("expert.rossi").post(
        panel_path, json={"@type": "Comment", "text": "A second look."}
    )
    assert response.status_code == 201, response.text
    assert len({id(txn) for txn in attempts}) == 2  # retried once
    creates = [
        e
        for e in _entries(audit)
        if e["action"] == "create" and e["detail"] == "Comment"
    ]
    assert len(creates) == 1
    assert audit.verify()[2] is None


class _Conflicting:
    """A transaction's participant that votes no, as a conflicting write
    does."""

    transaction_manager = transaction.manager

    def sortKey(self):
        return "~conflicting"

    def abort(self, txn):
        pass

    def tpc_begin(self, txn):
        pass

    def commit(self, txn):
        pass

    def tpc_vote(self, txn):
        raise ConflictError("forced by the test")

    def tpc_finish(self, txn):
        pass

    def tpc_abort(self, txn):
        pass


def test_edits_transitions_sharing_and_deletes(functional_portal, http, audit):
    panel = _open_panel(functional_portal)
    path = panel.absolute_url()[len(functional_portal.absolute_url()) :]
    dekker = http("dr.dekker")
    assert dekker.patch(path, json={"reason": "Loss of vision"}).status_code == 204
    request = next(i for i in panel.objectValues() if i.portal_type == "DataRequest")
    cancelled = http("expert.rossi").post(f"{path}/{request.getId()}/@workflow/cancel")
    assert cancelled.ok, cancelled.text
    draft = dekker.post(
        path.rsplit("/", 1)[0],
        json={
            "@type": "Panel",
            "ern": "ERN-EYE",
            "panel_type": "treatment",
            "reason": "Second question",
        },
    ).json()["@id"]
    draft_path = draft[len(functional_portal.absolute_url()) :]
    # No one shares inside a record (setuphandlers.ADMINISTRATORS_ONLY).
    entries = {
        "entries": [{"id": "dr.martin", "type": "user", "roles": {"Reader": True}}]
    }
    refused = dekker.post(f"{draft_path}/@sharing", json=entries)
    assert refused.status_code in (401, 403), refused.text
    # Nobody deletes a panel; an editor deletes a webinar of theirs.
    assert dekker.delete(draft_path).status_code == 401
    editor = http("editor.eye")
    added = editor.post(
        "/erns/ern-eye/resources",
        json={
            "@type": "Webinar",
            "title": "Draft session",
            "start": "2027-01-12T14:00:00",
            "end": "2027-01-12T15:00:00",
        },
    )
    assert added.status_code == 201, added.text
    webinar = added.json()["@id"]
    # An editor shares what they published (Plone's sharing, outside records).
    shared = editor.post(f"{webinar}/@sharing", json=entries)
    assert shared.status_code in (200, 204), shared.text
    assert editor.delete(webinar).status_code == 204
    actions = [(e["action"], e["detail"]) for e in _entries(audit)]
    assert ("edit", "reason") in actions
    assert ("transition", "cancel: open → cancelled") in actions
    assert ("create", "Panel") in actions
    sharing = [d for a, d in actions if a == "sharing"]
    assert len(sharing) == 1  # the editor's; not the refused one
    assert "dr.martin=Reader" in sharing[0]
    assert ("delete", "Webinar") in actions
    _no_names(audit)


def test_logins_second_factors_and_groups(functional_portal, http, audit, logins):
    from ern.cpms.demo import DEMO_PASSWORD

    url = functional_portal.absolute_url()
    import requests

    refused = requests.post(
        f"{url}/@login",
        json={"login": "dr.dekker", "password": "wrong"},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 401
    wrong_code = requests.post(
        f"{url}/@login",
        json={"login": "dr.dekker", "password": DEMO_PASSWORD, "otp": "000000"},
        headers={"Accept": "application/json"},
    )
    assert wrong_code.status_code == 401
    logins.token("dr.dekker", DEMO_PASSWORD)
    from ern.cpms.groups import group_id

    group = group_id(functional_portal["erns"]["ern-eye"], "guest-experts")
    api.group.add_user(groupname=group, username="dr.martin")
    api.group.remove_user(groupname=group, username="dr.martin")
    transaction.commit()
    actions = [(e["action"], e["userid"], e["detail"]) for e in _entries(audit)]
    assert ("login_failed", "dr.dekker", "") in actions
    assert ("second_factor_failed", "dr.dekker", "") in actions
    assert ("login", "dr.dekker", "REST") in actions
    assert ("second_factor", "dr.dekker", "totp") in actions
    assert any(a == "group_add" and "dr.martin" in d for a, _u, d in actions)
    assert any(a == "group_remove" and "dr.martin" in d for a, _u, d in actions)


def test_nothing_identifying_in_any_entry(functional_portal, http, audit):
    """A day's work of the centre, then every column of every entry."""
    patient = _open_panel(functional_portal).__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    dekker = http("dr.dekker")
    dekker.get(path)
    dekker.patch(path, json={"hospital_record_number": "HRN-77"})
    dekker.post(
        "/centres/erasmus-mc",
        json={
            "@type": "Patient",
            "given_names": "Daan",
            "family_name": "de Vries",
            "date_of_birth": date(2008, 9, 3).isoformat(),
            "sex": "male",
            "consent_care": True,
            "consent_care_date": date.today().isoformat(),
            "consent_care_form_kept_by_centre": True,
        },
    )
    rows = _no_names(audit)
    assert "HRN-77" not in repr(rows)
    assert len(rows) >= 2


# The pages, the export and the command


@pytest.fixture
def officer(functional_portal):
    """A data protection officer (the global role)."""
    api.user.create(email="dpo@example.org", username="dpo", password=DEMO_PASSWORD)
    roles = functional_portal.acl_users.portal_role_manager
    roles.assignRoleToPrincipal("DataProtectionOfficer", "dpo")
    transaction.commit()
    return "dpo"


def _page(http, who, path, **params):
    return http(who).get(path, params=params, headers={"Accept": "text/html"})


def test_the_officer_filters_exports_and_verifies(
    functional_portal, http, audit, officer
):
    patient = _open_panel(functional_portal).__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    http("dr.dekker").get(path)
    http("expert.rossi").get(path)  # refused: nothing recorded
    page = _page(http, officer, "/@@audit-log", pseudonym=patient.pseudonym.lower())
    assert page.status_code == 200
    assert page.text.count("<tr>") == 2  # the header and dr.dekker's read
    assert "dr.dekker" in page.text
    assert "de Vries" not in page.text
    by_action = _page(http, officer, "/@@audit-log", action="login")
    assert "dr.dekker" in by_action.text
    exported = _page(http, officer, "/@@audit-log", userid="dr.dekker", format="csv")
    assert exported.headers["Content-Type"].startswith("text/csv")
    lines = exported.text.strip().splitlines()
    assert lines[0].startswith("seq,time,userid,action,uid,pseudonym")
    assert all(",dr.dekker," in line for line in lines[1:])
    # The export itself is recorded.
    assert [e["userid"] for e in _entries(audit, action="export")] == [officer]
    verified = _page(http, officer, "/@@audit-log", verify="1")
    assert "The chain holds" in verified.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "28.11.2026"}, "Give the date as YYYY-MM-DD."),
        ({"since": "2026-11-28", "until": "2026-11-01"}, "comes before its start"),
        ({"action": "peek"}, "Choose an action from the list."),
    ],
)
def test_a_bad_filter_says_why(
    functional_portal, http, audit, officer, params, message
):
    page = _page(http, officer, "/@@audit-log", **params)
    assert page.status_code == 200
    assert message in page.text


@pytest.mark.parametrize("userid", ["dr.dekker", "coordinator.eye", "editor.eye"])
def test_only_officers_and_administrators_read_the_whole_trail(
    functional_portal, http, audit, userid
):
    assert _page(http, userid, "/@@audit-log").status_code in (401, 403)


def test_a_centre_reads_the_log_of_its_own_patients(functional_portal, http, audit):
    panel = _open_panel(functional_portal)
    patient = panel.__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    http("dr.dekker").get(path)
    http("dr.martin").get("/@my-work")
    centre_log = _page(http, "dr.dekker", "/centres/erasmus-mc/@@access-log")
    assert centre_log.status_code == 200
    assert patient.pseudonym in centre_log.text
    assert "dr.martin" not in centre_log.text  # logins are not the centre's
    patient_log = _page(http, "dr.dekker", f"{path}/@@access-log")
    assert patient.pseudonym in patient_log.text
    # Another centre's professional reads neither.
    assert _page(http, "dr.martin", "/centres/erasmus-mc/@@access-log").status_code in (
        401,
        403,
    )
    assert _page(http, "dr.martin", f"{path}/@@access-log").status_code in (401, 403)


def test_the_command_verifies_the_chain(audit, tmp_path):
    from pathlib import Path

    import os
    import subprocess
    import sys

    audit.append([{"action": "view", "userid": "dr.dekker"} for _ in range(3)])
    script = Path(__file__).resolve().parent.parent / "scripts" / "audit_verify.py"
    env = {**os.environ, "CPMS_AUDIT_DB": audit.path}
    held = subprocess.run(
        [sys.executable, script], env=env, capture_output=True, text=True
    )
    assert held.returncode == 0, held.stderr
    assert held.stdout.startswith("OK: 3 entries")
    with sqlite3.connect(audit.path) as connection:
        connection.execute("UPDATE entries SET action = 'list' WHERE seq = 2")
    broken = subprocess.run(
        [sys.executable, script], env=env, capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert "BROKEN at entry 2 (altered)" in broken.stdout


def test_the_consent_form_download_is_recorded(functional_portal, http, audit):
    from patients import rest_payload_with_form

    form = b"%PDF-1.4 signed consent form"
    body = rest_payload_with_form(
        form,
        given_names="Ines",
        family_name="Jacobs",
    )
    dekker = http("dr.dekker")
    created = dekker.post("/centres/erasmus-mc", json=body)
    assert created.status_code == 201, created.text
    url = created.json()["@id"]
    downloaded = dekker.get(f"{url}/@@download/consent_care_form")
    assert downloaded.content == form
    (entry,) = _entries(audit, action="download")
    assert (entry["userid"], entry["detail"]) == ("dr.dekker", "consent_care_form")
    assert entry["pseudonym"] == created.json()["pseudonym"]
    # Another centre downloads nothing, and nothing is recorded.
    assert http("dr.martin").get(f"{url}/@@download/consent_care_form").status_code in (
        401,
        403,
        404,
    )
    assert len(_entries(audit, action="download")) == 1
    _no_names(audit)


def test_a_read_is_recorded_even_when_the_request_then_fails(
    functional_portal, http, audit, monkeypatch
):
    from ern.cpms.restapi import serializers

    patient = _open_panel(functional_portal).__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    serialize = serializers.PatientSerializer.__call__

    def failing(self, *args, **kwargs):
        serialize(self, *args, **kwargs)
        raise ValueError("fails after the read, as a broken add-on would")

    monkeypatch.setattr(serializers.PatientSerializer, "__call__", failing)
    assert http("dr.dekker").get(path).status_code == 500
    (read,) = _entries(audit, action="view")
    assert (read["userid"], read["pseudonym"]) == ("dr.dekker", patient.pseudonym)


def test_nothing_identifying_is_shown_unrecorded(
    functional_portal, http, audit, monkeypatch
):
    """When the trail cannot be written, the read fails: no identity."""
    from ern.cpms.audit.store import SQLiteStore

    def broken(self, entries):
        raise OSError("disk full")

    monkeypatch.setattr(SQLiteStore, "append", broken)
    patient = _open_panel(functional_portal).__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    dekker = http("dr.dekker")
    for headers in ({}, {"Accept": "text/html"}):
        response = dekker.get(path, headers=headers)
        assert response.status_code == 500
        assert "de Vries" not in response.text
        assert "Daan" not in response.text


def test_the_trail_through_the_rest_api(functional_portal, http, audit, officer):
    patient = _open_panel(functional_portal).__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    http("dr.dekker").get(path)
    trail = http(officer).get("/@audit-log", params={"action": "view", "verify": "1"})
    assert trail.status_code == 200, trail.text
    body = trail.json()
    assert body["items_total"] == 1
    (item,) = body["items"]
    assert (item["userid"], item["pseudonym"]) == ("dr.dekker", patient.pseudonym)
    assert body["verification"]["broken"] is None
    bad = http(officer).get("/@audit-log", params={"since": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "since"
    centre = http("dr.dekker").get("/centres/erasmus-mc/@access-log").json()
    assert {i["centre"] for i in centre["items"]} == {"erasmus-mc"}
    assert (
        "verification"
        not in http("dr.dekker")
        .get("/centres/erasmus-mc/@access-log", params={"verify": "1"})
        .json()
    )
    own = http("dr.dekker").get(f"{path}/@access-log").json()
    assert {i["pseudonym"] for i in own["items"]} == {patient.pseudonym}
    for userid, url in (
        ("dr.dekker", "/@audit-log"),
        ("dr.martin", "/centres/erasmus-mc/@access-log"),
        ("dr.martin", f"{path}/@access-log"),
        ("coordinator.eye", "/@audit-log"),
    ):
        assert http(userid).get(url).status_code in (401, 403), (userid, url)


def test_the_csv_runs_no_formula(functional_portal, http, audit, officer):
    """A login typed at the login form lands in the trail as it was typed."""
    import requests

    typed = '=HYPERLINK("https://evil.example","x")'
    requests.post(
        f"{functional_portal.absolute_url()}/@login",
        json={"login": typed, "password": "x"},
        headers={"Accept": "application/json"},
    )
    exported = _page(http, officer, "/@@audit-log", action="login_failed", format="csv")
    import csv
    import io

    (_header, row) = list(csv.reader(io.StringIO(exported.text)))
    assert row[2] == "'" + typed  # the userid column, defused


def test_no_image_scales_bypass_the_recorded_downloads(functional_portal, http, audit):
    patient = _open_panel(functional_portal).__parent__
    dekker = http("dr.dekker")
    for field in ("consent_care_form", "file"):
        response = dekker.get(f"{patient.absolute_url()}/@@images/{field}")
        assert response.status_code == 404
    assert _entries(audit, action="download") == []


def test_a_repeated_filter_says_why(http, audit, officer):
    page = _page(http, officer, "/@@audit-log?action=view&action=list")
    assert page.status_code == 200
    assert "Choose an action from the list." in page.text


def test_what_is_recorded_is_never_cached(functional_portal, http, audit):
    patient = _open_panel(functional_portal).__parent__
    dekker = http("dr.dekker")
    for headers in ({}, {"Accept": "text/html"}):
        response = dekker.get(patient.absolute_url(), headers=headers)
        assert response.headers["Cache-Control"] == "private, no-store"


def test_a_patients_log_starts_with_its_enrolment(functional_portal, http, audit):
    """Someone enrolled again after an erasure gets the same pseudonym: the
    new record's log and export leave out the erased record's entries (the
    centre's log keeps them)."""
    patient = _open_panel(functional_portal).__parent__
    path = patient.absolute_url()[len(functional_portal.absolute_url()) :]
    audit.append(
        [
            {
                "time": "2001-02-03T04:05:06.000000Z",
                "action": "view",
                "userid": "dr.former",
                "pseudonym": patient.pseudonym,
                "centre": "erasmus-mc",
            }
        ]
    )
    dekker = http("dr.dekker")
    own = dekker.get(f"{path}/@access-log").json()
    assert "dr.former" not in {item["userid"] for item in own["items"]}
    centre = dekker.get("/centres/erasmus-mc/@access-log").json()
    assert "dr.former" in {item["userid"] for item in centre["items"]}
