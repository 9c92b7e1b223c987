"""Durability of `make start`'s FileStorage, with real processes: the
server killed with SIGKILL under a write load loses no acknowledged write
and leaves no broken record; `make backup` / `make restore` give back the
same database and the same files, byte for byte."""

from concurrent.futures import ThreadPoolExecutor
from patients import rest_payload_with_form
from servers import bearer_session
from servers import demo_key
from servers import environment
from servers import rest_token
from servers import run_start
from servers import SCRIPTS
from servers import served_site
from servers import stop
from servers import wait_until_served

import os
import pytest
import requests
import signal
import subprocess
import sys
import threading


pytestmark = pytest.mark.slow


def _session(base, output, userid="dr.dekker"):
    return bearer_session(rest_token(base, userid, demo_key(output, userid)))


def _form(text):
    """A consent form (a blob) whose bytes say whose it is."""
    return f"%PDF-1.4 consent form of {text}".encode()


def _enrol(session, base, family):
    body = rest_payload_with_form(
        _form(family),
        given_names="Durable",
        family_name=family,
    )
    return session.post(f"{base}/centres/erasmus-mc", json=body, timeout=120)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """make start's site on a fresh FileStorage; (var, port, process)."""
    yield from served_site(tmp_path_factory, "durable")


def _verify(var):
    """zodbverify on the (stopped) FileStorage: (exit code, its report)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "zodbverify",
            "-f",
            str(var / "filestorage" / "Data.fs"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout + done.stderr


def test_a_killed_server_loses_no_acknowledged_write(site):
    var, port, process = site
    base = f"http://127.0.0.1:{port}/cpms"
    output = process.log.read_text()
    doctor = _session(base, output)
    answers = []
    lock = threading.Lock()

    def client(number):
        for step in range(10):
            family = f"Durable {number}{step}"
            try:
                response = _enrol(doctor, base, family)
                code = response.status_code
                url = response.json()["@id"] if code == 201 else None
            except requests.RequestException:
                code, url = None, None
            with lock:
                answers.append((family, code, url))
                if len(answers) == 12:
                    os.killpg(process.pid, signal.SIGKILL)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(client, range(4)))
    process.wait(timeout=30)
    acknowledged = [(family, url) for family, code, url in answers if code == 201]
    assert len(acknowledged) >= 12
    assert len(acknowledged) < len(answers), "the server was killed too late"

    code, report = _verify(var)
    assert code == 0, report
    assert "Found 0 records that could not be loaded" in report

    again = run_start(var, port)
    try:
        wait_until_served(again, base, seconds=180)
        # The token from before the crash still holds (its key is stored).
        reader = doctor
        for family, url in acknowledged:
            patient = reader.get(url, timeout=30)
            assert patient.status_code == 200, family
            assert patient.json()["family_name"] == family
            form = reader.get(f"{url}/@@download/consent_care_form", timeout=30)
            assert form.content == _form(family), form.text[:3000]
    finally:
        stop(again)


def _records(var):
    """Every object's current record, and the bytes of its blob if it has
    one, from a stopped site's FileStorage (read only)."""
    from ZODB.blob import is_blob_record
    from ZODB.FileStorage import FileStorage

    storage = FileStorage(
        str(var / "filestorage" / "Data.fs"),
        read_only=True,
        blob_dir=str(var / "blobstorage"),
    )
    records = {}
    try:
        cursor = None
        while True:
            oid, tid, data, cursor = storage.record_iternext(cursor)
            blob = None
            if is_blob_record(data):
                with open(storage.loadBlob(oid, tid), "rb") as handle:
                    blob = handle.read()
            records[oid] = (tid, data, blob)
            if cursor is None:
                return records
    finally:
        storage.close()


def _audit_rows(var):
    import sqlite3

    with sqlite3.connect(var / "audit" / "audit.sqlite") as db:
        return db.execute("SELECT * FROM entries ORDER BY 1").fetchall()


def _backup(var, command, **env):
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "backup.py"), command],
        env=environment(CPMS_VAR=var, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_backup_restores_the_same_database_and_files(site, tmp_path):
    """`make backup` of a running site (a full backup, a write, an
    incremental one), `make restore` into a fresh folder: the same objects,
    each the same record, each file the same bytes, the same audit trail;
    an instance started on it serves them."""
    var, port, _process = site
    base = f"http://127.0.0.1:{port}/cpms"
    server = run_start(var, port)
    try:
        wait_until_served(server, base, seconds=180)
        first = _backup(var, "backup")
        assert first.returncode == 0, first.stderr
        # A new write (with a file) between the full and the incremental one.
        martin = _session(base, server.log.read_text(), "dr.martin")
        made = martin.post(
            f"{base}/centres/necker",
            json=rest_payload_with_form(
                _form("Backed Up"),
                given_names="Backed",
                family_name="Up",
            ),
            timeout=120,
        )
        assert made.status_code == 201, made.text
        second = _backup(var, "backup")
        assert second.returncode == 0, second.stderr
    finally:
        stop(server)
    listed = _backup(var, "list").stdout.split()
    assert len(listed) == 2
    assert len(list((var / "backups" / "repozo").glob("*.deltafsz"))) == 1

    fresh = tmp_path / "restored" / "var"
    fresh.mkdir(parents=True)
    (fresh / "backups").symlink_to(var / "backups")
    restored = _backup(fresh, "restore")
    assert restored.returncode == 0, restored.stderr
    assert f"Restored backup {listed[-1]}." in restored.stdout

    original, copy = _records(var), _records(fresh)
    assert len(copy) == len(original)
    assert copy == original
    files = [blob for _tid, _data, blob in copy.values() if blob is not None]
    assert _form("Backed Up") in files
    assert _audit_rows(fresh) == _audit_rows(var)
    # A fresh instance on the restored folder serves the patient and file.
    restored_server = run_start(fresh, port)
    try:
        wait_until_served(restored_server, base, seconds=180)
        patient = made.json()["@id"]
        assert martin.get(patient, timeout=30).json()["family_name"] == "Up"
        form = martin.get(f"{patient}/@@download/consent_care_form", timeout=30)
        assert form.content == _form("Backed Up")
    finally:
        output = stop(restored_server)
    assert "reused (existing data kept)" in output

    # The first backup is there too, without the later patient's file.
    older = tmp_path / "older" / "var"
    older.mkdir(parents=True)
    (older / "backups").symlink_to(var / "backups")
    assert _backup(older, "restore", CPMS_BACKUP=listed[0]).returncode == 0
    files = [blob for _tid, _data, blob in _records(older).values() if blob]
    assert _form("Backed Up") not in files
    assert len(_records(older)) < len(original)


def test_restoring_refuses_while_the_site_runs_and_names_the_backups(site):
    var, port, _process = site
    server = run_start(var, port)
    try:
        wait_until_served(server, f"http://127.0.0.1:{port}/cpms", seconds=180)
        before = (var / "filestorage" / "Data.fs").stat().st_size
        refused = _backup(var, "restore")
        assert refused.returncode == 1
        assert "is in use: stop the site" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert (var / "filestorage" / "Data.fs").stat().st_size == before
        unknown = _backup(var, "restore", CPMS_BACKUP="1999-01-01-00-00-00")
        assert unknown.returncode == 1
        assert "There is no backup 1999-01-01-00-00-00" in unknown.stderr
    finally:
        stop(server)
