"""`make start-cluster`, run for real: a private PostgreSQL, RelStorage, two
Zope instances and HAProxy, on loopback (scripts/cluster.py).

Writes through one instance are read through the other; writers spread over
both lose and duplicate nothing; an instance killed with SIGKILL under a
write load leaves the balancer serving, and is started again with current
data.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from patients import rest_payload
from patients import rest_payload_with_form
from servers import BACKDATE
from servers import bearer_session
from servers import demo_key
from servers import environment
from servers import free_port
from servers import rest_token
from servers import spawn
from servers import stop
from servers import wait_until_served

import os
import pytest
import requests
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time


pytestmark = pytest.mark.slow

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


class Cluster:
    def __init__(self, var, ports, process):
        self.var = var
        self.home = var / "cluster"
        self.balancer, *self.instances, self.postgres = ports
        self.process = process
        self.tokens = {}

    def url(self, port=None):
        return f"http://127.0.0.1:{port or self.balancer}/cpms"

    def pid(self, name):
        return int((self.home / "run" / f"{name}.pid").read_text())

    def token(self, userid, port=None):
        """A token with a second factor (a code works once: one per user;
        every instance honours it, its key being in the shared database)."""
        if userid not in self.tokens:
            self.tokens[userid] = self._log_in(userid, port)
        return self.tokens[userid]

    def _log_in(self, userid, port):
        return rest_token(
            self.url(port), userid, demo_key(self.process.log.read_text(), userid)
        )

    def session(self, userid):
        """A REST session of `userid` with a second factor."""
        return bearer_session(self.token(userid))

    def environment(self):
        return environment(CPMS_VAR=self.var)


def cluster_environment(var, ports):
    balancer, first, _second, postgres = ports
    return {
        **environment(),
        "CPMS_VAR": str(var),
        "CPMS_HOST": "127.0.0.1",
        "CPMS_PORT": str(balancer),
        "CPMS_INSTANCE_PORT": str(first),
        "CPMS_INSTANCES": "2",
        "CPMS_THREADS": "2",
        "CPMS_PG_PORT": str(postgres),
    }


@pytest.fixture(scope="module")
def cluster(request):
    # Not under pytest's own temporary folder: PostgreSQL runs as its own
    # user when the tests run as root, and must reach its data folder.
    failed = request.session.testsfailed
    top = Path(tempfile.mkdtemp(prefix="cpms-cluster-"))
    top.chmod(0o711)
    var = top / "var"
    # The instances' ports follow the first one.
    first = free_port()
    while not _free(first + 1):
        first = free_port()
    ports = [free_port(), first, first + 1, free_port()]
    process = spawn(
        [sys.executable, str(SCRIPTS / "cluster.py"), "start"],
        top / "cluster.log",
        env=cluster_environment(var, ports),
    )
    try:
        wait_until_served(process, f"http://127.0.0.1:{ports[0]}/cpms", 420)
        yield Cluster(var, ports, process)
    finally:
        output = stop(process, signal.SIGTERM)
    assert "Traceback" not in output, output
    # Kept when a test failed (its logs), removed otherwise.
    if request.session.testsfailed == failed:
        shutil.rmtree(top)


def _free(port):
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _enrol(session, url, family):
    response = session.post(
        f"{url}/centres/erasmus-mc",
        json=rest_payload(given_names="Cluster", family_name=family),
        timeout=120,
    )
    return response


def _pseudonyms(session, site_url):
    """The pseudonyms (titles) of every patient the session finds, as often
    as the catalog holds them."""
    found = session.get(
        f"{site_url}/@search",
        params={"portal_type": "Patient", "b_size": 500, "metadata_fields": "Title"},
        timeout=60,
    ).json()["items"]
    return [item["title"] for item in found]


def _pseudonym(response):
    return response.json().get("pseudonym") if response.status_code == 201 else None


def test_a_write_through_one_instance_is_read_through_the_other(cluster):
    first, second = cluster.instances
    # Logged in through the first instance.
    cluster.token("dr.dekker", first)
    doctor = cluster.session("dr.dekker")
    made = _enrol(doctor, cluster.url(first), "Visible Elsewhere")
    assert made.status_code == 201, made.text
    address = made.json()["@id"].replace(cluster.url(first), cluster.url(second))
    # The token is honoured by the other instance too (its key is in the
    # shared database); the patient is there at once.
    read = doctor.get(address, timeout=30)
    assert read.status_code == 200, read.text
    assert read.json()["family_name"] == "Visible Elsewhere"
    assert read.json()["pseudonym"] == made.json()["pseudonym"]


def test_writers_on_both_instances_lose_and_duplicate_nothing(cluster):
    """Eight clients, half on each instance: enrolments at one centre and
    comments on one panel, at the same time."""
    ports = cluster.instances
    doctor = {port: cluster.session("dr.dekker") for port in ports}
    expert = {port: cluster.session("expert.rossi") for port in ports}
    # The demo's open panel, where the expert is a member.
    (found,) = (
        expert[ports[0]]
        .get(
            f"{cluster.url(ports[0])}/@search",
            params={"portal_type": "Panel", "review_state": "open"},
            timeout=30,
        )
        .json()["items"]
    )
    panel = found["@id"]
    acknowledged = []
    lock = threading.Lock()

    def client(number):
        port = ports[number % 2]
        base = cluster.url(port)
        here = panel.replace(cluster.url(ports[0]), base)
        done = []
        for step in range(3):
            family = f"Spread {number}{step}"
            made = _enrol(doctor[port], base, family)
            done.append(("patient", _pseudonym(made), made.status_code))
            text = f"Spread comment {number}.{step}"
            said = expert[port].post(
                here, json={"@type": "Comment", "text": text}, timeout=120
            )
            done.append(("comment", text, said.status_code))
        with lock:
            acknowledged.extend(done)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(client, range(8)))
    assert [a for a in acknowledged if a[2] != 201] == []

    reader = doctor[ports[1]]
    titles = _pseudonyms(reader, cluster.url(ports[1]))
    for _kind, pseudonym, _code in (a for a in acknowledged if a[0] == "patient"):
        assert titles.count(pseudonym) == 1, pseudonym
    items = reader.get(
        panel.replace(cluster.url(ports[0]), cluster.url(ports[1])),
        params={"b_size": 500},
        timeout=60,
    ).json()["items"]
    comments = [
        reader.get(item["@id"], timeout=30).json()["text"]["data"]
        for item in items
        if item["@type"] == "Comment"
    ]
    for _kind, text, _code in (a for a in acknowledged if a[0] == "comment"):
        assert sum(text in comment for comment in comments) == 1, text


def test_an_instance_killed_under_load_leaves_the_balancer_serving(cluster):
    """SIGKILL one instance while clients enrol through the balancer: the
    balancer goes on with the other; the killed one is started again and
    serves what was written meanwhile."""
    first, _second = cluster.instances
    doctor = cluster.session("dr.dekker")
    victim = cluster.pid("instance-1")
    answers = []
    lock = threading.Lock()
    killed = threading.Event()

    def client(number):
        for step in range(8):
            family = f"Crash {number}{step}"
            try:
                response = _enrol(doctor, cluster.url(), family)
                code, pseudonym = response.status_code, _pseudonym(response)
            except requests.RequestException as error:
                code, pseudonym = type(error).__name__, None
            with lock:
                answers.append((pseudonym, code, killed.is_set()))
                if len(answers) == 4:
                    # Both instances are busy with the others' requests.
                    os.kill(victim, signal.SIGKILL)
                    killed.set()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(client, range(4)))
    assert killed.is_set()
    # A request the dead instance was answering may fail (at most as many as
    # its threads); every other one was answered by the other instance.
    failed = [a for a in answers if a[1] != 201]
    assert len(failed) <= 2, failed
    after = [a for a in answers if a[2]]
    assert len(after) >= 20
    # The watcher started instance 1 again; it serves current data.
    deadline = time.monotonic() + 180
    while cluster.pid("instance-1") == victim or not _answers(
        f"{cluster.url(first)}/@@ok"
    ):
        assert time.monotonic() < deadline, "instance 1 was not started again"
        time.sleep(1)
    titles = _pseudonyms(cluster.session("dr.dekker"), cluster.url(first))
    for pseudonym, code, _after in answers:
        if code == 201:
            assert titles.count(pseudonym) == 1, pseudonym


def _answers(url):
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _dsn(cluster, dbname):
    """The private server's DSN (scripts/cluster.py keeps it), for `dbname`."""
    dsn = (cluster.home / "pg-dsn").read_text().strip()
    assert f"port={cluster.postgres} " in dsn
    return dsn.replace("dbname=cpms ", f"dbname={dbname} ")


def _pg(cluster, dbname="cpms"):
    import psycopg2

    connection = psycopg2.connect(_dsn(cluster, dbname))
    connection.autocommit = True
    return connection


def _rows(connection, sql, *args):
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall() if cursor.description else []


def _job(cluster, script, *args, **env):
    return subprocess.run(
        [sys.executable, str(script), *args],
        env=environment(CPMS_VAR=cluster.var, CPMS_SITE="cpms", CPMS_CLUSTER=1, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_postgresql_backup_restores_every_record_and_file(cluster):
    """`make backup CLUSTER=1` while the cluster runs, restored into a fresh
    database: every object the same record, every file the same bytes."""
    doctor = cluster.session("dr.dekker")
    made = doctor.post(
        f"{cluster.url()}/centres/erasmus-mc",
        json=rest_payload_with_form(
            b"%PDF-1.4 backed up form",
            given_names="Backed",
            family_name="Up",
        ),
        timeout=120,
    )
    assert made.status_code == 201, made.text
    backup = _job(cluster, SCRIPTS / "backup.py", "backup")
    assert backup.returncode == 0, backup.stderr
    assert len(list((cluster.home / "backups").glob("*.dump"))) == 1

    admin = _pg(cluster, "postgres")
    with admin.cursor() as cursor:
        cursor.execute("CREATE DATABASE cpms_restored")
    target = _dsn(cluster, "cpms_restored")
    restored = _job(cluster, SCRIPTS / "backup.py", "restore", CPMS_RESTORE_DSN=target)
    assert restored.returncode == 0, restored.stderr

    records = "SELECT zoid, tid, md5(state) FROM object_state ORDER BY zoid"
    files = (
        "SELECT zoid, chunk_num, md5(lo_get(chunk)) FROM blob_chunk"
        " ORDER BY zoid, chunk_num"
    )
    live, copy = _pg(cluster), _pg(cluster, "cpms_restored")
    assert len(_rows(live, records)) > 1000
    assert _rows(copy, records) == _rows(live, records)
    assert _rows(copy, files) == _rows(live, files)
    found = "SELECT count(*) FROM blob_chunk WHERE position(%s in lo_get(chunk)) > 0"
    assert _rows(copy, found, b"backed up form") == [(1,)]


def test_erasure_survives_packing_on_postgresql(cluster, tmp_path):
    """`make retention ERASE=1 PACK=1 CLUSTER=1` beside the running
    instances: the erased patient's name and file are in no table's rows,
    and, once the tables are rewritten, in no file of the database."""
    backdate = tmp_path / "backdate.py"
    backdate.write_text(BACKDATE)
    prepared = _job(cluster, backdate, str(SCRIPTS))
    assert prepared.returncode == 0, prepared.stderr
    family_name, pseudonym = prepared.stdout.strip().splitlines()[-1].split("|")
    db = _pg(cluster)
    in_rows = "SELECT count(*) FROM object_state WHERE position(%s in state) > 0"
    in_files = "SELECT count(*) FROM blob_chunk WHERE position(%s in lo_get(chunk)) > 0"

    def on_disk(needle):
        (oid,) = _rows(db, "SELECT oid FROM pg_database WHERE datname = 'cpms'")[0]
        folder = cluster.home / "postgresql" / "base" / str(oid)
        return any(needle in p.read_bytes() for p in folder.iterdir() if p.is_file())

    assert _rows(db, in_rows, family_name.encode())[0][0] > 0
    assert _rows(db, in_files, b"MARKER-ERASED-BLOB") == [(1,)]
    _rows(db, "CHECKPOINT")
    assert on_disk(family_name.encode())

    erased = _job(cluster, SCRIPTS / "retention.py", ERASE="1", PACK="1")
    assert erased.returncode == 0, erased.stderr
    assert f"erased: patient {pseudonym}" in erased.stdout
    assert "Database packed." in erased.stdout
    assert "VACUUM FULL" in erased.stdout
    for needle in (family_name.encode(), family_name.lower().encode()):
        assert _rows(db, in_rows, needle) == [(0,)]
    assert _rows(db, in_files, b"MARKER-ERASED-BLOB") == [(0,)]
    _rows(db, "CHECKPOINT")
    assert not on_disk(family_name.encode())
    assert not on_disk(b"MARKER-ERASED-BLOB")
    # The instances serve on: the patient is gone for them too.
    search = cluster.session("dr.dekker").get(
        f"{cluster.url()}/@search", params={"SearchableText": pseudonym}, timeout=60
    )
    assert search.status_code == 200
    assert search.json()["items_total"] == 0


def test_stopping_the_cluster_stops_everything_it_started(cluster, request):
    """Last in the module: `make stop-cluster` ends the cluster, its
    instances, HAProxy and the private PostgreSQL."""
    pids = [cluster.pid(n) for n in ("haproxy", "instance-1", "instance-2")]
    postmaster = cluster.home / "postgresql" / "postmaster.pid"
    pg = int(postmaster.read_text().splitlines()[0])
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "cluster.py"), "stop"],
        env=cluster.environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Cluster stopped." in done.stdout
    cluster.process.wait(timeout=60)
    for pid in [*pids, pg]:
        assert not _running(pid), pid
    assert not postmaster.exists()


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its parent) is not running.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()
