"""`make start`'s script, run as a real process on a real database.

It creates the site once, reuses it afterwards, and refuses with a clear
sentence (never a traceback) when the port is busy or the database cannot be
used.
"""

from ern.cpms.demo import DEMO_PASSWORD
from pathlib import Path

import hashlib
import os
import pytest
import requests
import signal
import socket
import subprocess
import sys
import time


pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "cpms_instance.py"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_start(var, port, **env):
    """Start the script in the background; return the process."""
    environment = {
        **os.environ,
        "CPMS_VAR": str(var),
        "CPMS_PORT": str(port),
        "CPMS_HOST": "127.0.0.1",
        **env,
    }
    # Output goes to a file: a pipe nobody reads while the server runs would
    # fill up and block it.
    log = Path(var).parent / f"start-{port}-{time.monotonic_ns()}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, str(SCRIPT), "start"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    process.log = log
    return process


def wait_until_served(process, url, seconds=240):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"start exited early: {process.log.read_text()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} not served within {seconds}s")


def stop(process):
    """Stop the server as Ctrl+C would; return what it printed."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return process.log.read_text()


def refused(var, port):
    """Run a start that must be refused; return (exit code, stderr)."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "start"],
        env={**os.environ, "CPMS_VAR": str(var), "CPMS_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A site created by a first start, still running."""
    var = tmp_path_factory.mktemp("cpms") / "var"
    port = free_port()
    process = run_start(var, port)
    wait_until_served(process, f"http://127.0.0.1:{port}/cpms")
    yield var, port, process
    if process.poll() is None:
        stop(process)


def test_first_start_serves_site_with_demo_accounts(served):
    _, port, _ = served
    response = requests.get(
        f"http://127.0.0.1:{port}/cpms/@users/dr.dekker",
        auth=("dr.dekker", DEMO_PASSWORD),
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["fullname"] == "Anna Dekker"


def test_admin_password_is_generated_and_private(served):
    var, port, _ = served
    password_file = var / "admin-password"
    assert password_file.stat().st_mode & 0o777 == 0o600
    password = password_file.read_text().strip()
    assert len(password) >= 20
    response = requests.get(
        f"http://127.0.0.1:{port}/manage_main", auth=("admin", password), timeout=10
    )
    assert response.status_code == 200
    assert (
        requests.get(
            f"http://127.0.0.1:{port}/manage_main", auth=("admin", "admin"), timeout=10
        ).status_code
        == 401
    )


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
    password = (var / "admin-password").read_text().strip()
    created = requests.post(
        f"{base}/centres",
        auth=("admin", password),
        headers={"Accept": "application/json"},
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
        centre = requests.get(
            f"{base}/centres/karolinska",
            auth=("admin", password),
            headers={"Accept": "application/json"},
            timeout=10,
        )
        assert centre.status_code == 200
        assert centre.json()["city"] == "Stockholm"
        assert (var / "admin-password").read_text().strip() == password
    finally:
        stdout = stop(again)
    assert "reused (existing data kept)" in stdout
    assert "shown once" not in stdout
