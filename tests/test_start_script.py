"""`make start`'s script, run as a real process on a real database.

It creates the site once, reuses it afterwards, and refuses with a clear
sentence (never a traceback) when the port is busy or the database cannot be
used.
"""

from ern.cpms.demo import DEMO_PASSWORD
from pathlib import Path
from servers import api_session
from servers import BACKDATE
from servers import environment
from servers import free_port
from servers import run_start
from servers import served_site
from servers import stop
from servers import wait_until_served

import hashlib
import pyotp
import pytest
import re
import requests
import subprocess
import sys


pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "cpms_instance.py"


def refused(var, port):
    """Run a start that must be refused; return (exit code, stderr)."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "start"],
        env={**environment(), "CPMS_VAR": str(var), "CPMS_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A site created by a first start, still running."""
    yield from served_site(tmp_path_factory, "cpms", seconds=240)


def admin(var):
    return ("admin", (var / "admin-password").read_text().strip())


def test_first_start_serves_site_with_demo_accounts(served):
    _, port, _ = served
    doctor = api_session(("dr.dekker", DEMO_PASSWORD))
    response = doctor.get(f"http://127.0.0.1:{port}/cpms/@users/dr.dekker", timeout=10)
    assert response.status_code == 200
    assert response.json()["fullname"] == "Anna Dekker"


def test_demo_keys_are_printed_and_open_patient_data(served):
    """`make start` prints each demo account's TOTP key; with the password
    and a code of it, patient data opens (and only then)."""
    _, port, process = served
    output = process.log.read_text()
    key = re.search(r"dr\.dekker\s+key ([A-Z2-7]{16,})", output).group(1)
    base = f"http://127.0.0.1:{port}/cpms"
    search = f"{base}/@search?portal_type=Patient"
    doctor = api_session(("dr.dekker", DEMO_PASSWORD))
    assert doctor.get(search, timeout=10).json()["items_total"] == 0
    answer = requests.post(
        f"{base}/@login",
        json={
            "login": "dr.dekker",
            "password": DEMO_PASSWORD,
            "otp": pyotp.TOTP(key).now(),
        },
        headers={"Accept": "application/json"},
        timeout=10,
    ).json()
    proved = api_session(None)
    proved.headers["Authorization"] = f"Bearer {answer['token']}"
    assert proved.get(search, timeout=10).json()["items_total"] > 0


def test_admin_password_is_generated_and_private(served):
    var, port, _ = served
    assert (var / "admin-password").stat().st_mode & 0o777 == 0o600
    assert len(admin(var)[1]) >= 20
    manage = f"http://127.0.0.1:{port}/manage_main"
    assert requests.get(manage, auth=admin(var), timeout=10).status_code == 200
    assert requests.get(manage, auth=("admin", "admin"), timeout=10).status_code == 401


def test_busy_port_is_refused_clearly(served):
    var, port, _ = served
    code, stderr = refused(var.parent / "other-var", port)
    assert code == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in stderr
    assert "Traceback" not in stderr


def test_database_in_use_is_refused_clearly(served):
    var, _, _ = served
    code, stderr = refused(var, free_port())
    assert code == 1
    assert "is in use by another process" in stderr
    assert "Traceback" not in stderr


def test_damaged_database_is_refused_and_left_alone(tmp_path):
    datafs = tmp_path / "var" / "filestorage" / "Data.fs"
    datafs.parent.mkdir(parents=True)
    datafs.write_bytes(b"not a ZODB file " * 100)
    before = hashlib.sha256(datafs.read_bytes()).hexdigest()
    code, stderr = refused(tmp_path / "var", free_port())
    assert code == 1
    assert "could not be opened" in stderr
    assert "Nothing was changed or deleted" in stderr
    assert "Traceback" not in stderr
    assert hashlib.sha256(datafs.read_bytes()).hexdigest() == before


def test_second_start_reuses_data(served):
    var, port, process = served
    base = f"http://127.0.0.1:{port}/cpms"
    password = admin(var)[1]
    session = api_session(admin(var))
    created = session.post(
        f"{base}/centres",
        json={
            "@type": "Centre",
            "id": "karolinska",
            "title": "Karolinska University Hospital",
            "country": "SE",
            "city": "Stockholm",
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    stop(process)

    again = run_start(var, port)
    try:
        wait_until_served(again, base, seconds=120)
        centre = session.get(f"{base}/centres/karolinska", timeout=10)
        assert centre.status_code == 200
        assert centre.json()["city"] == "Stockholm"
        assert admin(var)[1] == password
    finally:
        output = stop(again)
    assert "reused (existing data kept)" in output
    assert "shown once" not in output


def test_the_retention_job_runs_on_the_site(served):
    """`make retention` (a dry run) on the database `make start` made, once
    the site is stopped (FileStorage: one process at a time)."""
    var, _port, process = served
    stop(process)
    result = subprocess.run(
        [sys.executable, str(SCRIPT.parent / "retention.py")],
        env={**environment(), "CPMS_VAR": str(var), "CPMS_SITE": "cpms"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "0 item(s) due (a dry run: ERASE=1 erases)" in result.stdout
    assert "retention period 15 years" in result.stdout


def test_erasure_survives_packing(served, tmp_path):
    """`make retention ERASE=1 PACK=1` on make start's FileStorage: the
    erased patient's name and file are nowhere in the storage's files."""
    var, _port, process = served
    stop(process)
    backdate = tmp_path / "backdate.py"
    backdate.write_text(BACKDATE)
    env = {**environment(), "CPMS_VAR": str(var), "CPMS_SITE": "cpms"}
    prepared = subprocess.run(
        [sys.executable, str(backdate), str(SCRIPT.parent)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert prepared.returncode == 0, prepared.stderr
    family_name, pseudonym = prepared.stdout.strip().splitlines()[-1].split("|")

    def stored():
        files = [var / "filestorage" / "Data.fs"]
        files += [p for p in (var / "blobstorage").rglob("*") if p.is_file()]
        return b"".join(p.read_bytes() for p in files)

    before = stored()
    assert family_name.encode() in before
    assert b"MARKER-ERASED-BLOB" in before
    erased = subprocess.run(
        [sys.executable, str(SCRIPT.parent / "retention.py")],
        env={**env, "ERASE": "1", "PACK": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert erased.returncode == 0, erased.stderr
    assert f"erased: patient {pseudonym}" in erased.stdout
    assert "Database packed." in erased.stdout
    after = stored()
    assert family_name.encode() not in after
    assert family_name.lower().encode() not in after
    assert b"MARKER-ERASED-BLOB" not in after
    assert not (var / "filestorage" / "Data.fs.old").exists()


def test_demo_data_makes_a_network_and_goes_on_where_it_stopped(served):
    """`make demo-data` on make start's site: a small network with its
    progress bars; run again, it finds everything made; another SCALE on
    the same site is refused with a message."""
    var, _port, process = served
    zope_conf = var / "instance" / "etc" / "zope.conf"
    assert "cache-size 30000" in zope_conf.read_text()  # the server's
    stop(process)
    env = {**environment(), "CPMS_VAR": str(var), "CPMS_SITE": "cpms"}

    def demo_data(scale):
        return subprocess.run(
            [sys.executable, str(SCRIPT.parent / "demo_data.py")],
            env={**env, "SCALE": scale},
            capture_output=True,
            text=True,
            timeout=600,
        )

    first = demo_data("0.0001")
    assert first.returncode == 0, first.stderr
    # A batch job keeps a large catalog in memory (CPMS_CACHE_SIZE).
    assert "cache-size 400000" in zope_conf.read_text()
    assert "patients  [" in first.stdout
    assert "10/10" in first.stdout
    assert "ready in" in first.stdout
    again = demo_data("0.0001")
    assert again.returncode == 0, again.stderr
    # Every batch was committed: nothing is made again (no rate, no time).
    assert "10/10     0.0/s" in again.stdout
    other = demo_data("0.0002")
    assert other.returncode == 1
    assert "SCALE=0.0001 SEED=2026" in other.stderr


@pytest.mark.parametrize(
    "script", ["send_digests.py", "expire_guests.py", "retention.py"]
)
def test_daily_jobs_say_when_there_is_no_site(tmp_path, script):
    """`make digests` and `make expire-guests` before any `make start`."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT.parent / script)],
        env={**environment(), "CPMS_VAR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "run `make start` once" in result.stderr
    assert "Traceback" not in result.stderr
