"""Helpers for the tests that start real server processes."""

from pathlib import Path

import os
import requests
import signal
import socket
import subprocess
import sys
import time


SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def free_port():
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn(command, log: Path, **kwargs):
    """Start a server process in its own session, its output going to `log`.

    A file, not a pipe: nobody reads the output while the server runs, and a
    full pipe would block the server.
    """
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
    process.log = log
    return process


def wait_until_served(process, url, seconds):
    """Wait until `url` answers 200; fail with the server's output if it dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{process.log.read_text()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            # Refused, or accepted but not answered while Zope starts.
            pass
        time.sleep(1)
    raise AssertionError(f"{url} not served within {seconds}s")


def stop(process, sig=signal.SIGINT):
    """Stop the server (as Ctrl+C would by default); return what it printed."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return process.log.read_text()


def api_session(auth):
    """A requests session that speaks plone.restapi JSON as `auth`."""
    session = requests.Session()
    session.auth = auth
    session.headers["Accept"] = "application/json"
    return session


def environment(**settings):
    """The environment of a real server or script of the project: this
    one's, without the test layer's own audit file (testing.py sets
    CPMS_AUDIT_DB for the tests' process), so that it keeps its audit trail
    in its CPMS_VAR as it would for its users."""
    env = {k: v for k, v in os.environ.items() if k != "CPMS_AUDIT_DB"}
    env.update({key: str(value) for key, value in settings.items()})
    return env


def run_start(var, port):
    """Start make start's script in the background; return the process."""
    environment_ = {
        **environment(),
        "CPMS_VAR": str(var),
        "CPMS_PORT": str(port),
        "CPMS_HOST": "127.0.0.1",
    }
    log = Path(var).parent / f"start-{port}-{time.monotonic_ns()}.log"
    command = [sys.executable, str(SCRIPTS / "cpms_instance.py"), "start"]
    return spawn(command, log, env=environment_)


def served_site(tmp_path_factory, name, seconds=300):
    """A generator for a module fixture: make start's site on a fresh
    FileStorage, running; yields (var, port, process), stops it after."""
    var = tmp_path_factory.mktemp(name) / "var"
    port = free_port()
    process = run_start(var, port)
    wait_until_served(process, f"http://127.0.0.1:{port}/cpms", seconds=seconds)
    yield var, port, process
    stop(process)


def rest_token(site_url, userid, key):
    """A token with a second factor from POST @login, with the current code
    of `key` (a code works once: one login per user and time step)."""
    from ern.cpms.demo import DEMO_PASSWORD

    import pyotp

    answer = requests.post(
        f"{site_url}/@login",
        json={"login": userid, "password": DEMO_PASSWORD, "otp": pyotp.TOTP(key).now()},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def bearer_session(token):
    """A requests session speaking plone.restapi JSON with `token`."""
    session = requests.Session()
    session.headers["Accept"] = "application/json"
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def demo_key(output, userid):
    """A demo account's second-factor key, from what the start printed."""
    import re

    return re.search(rf"{re.escape(userid)}\s+key ([A-Z2-7]{{16,}})", output)[1]


# A job (scripts/site_job.py) that makes the archived demo panel's patient
# due for erasure (its panel closed 20 years ago) and gives the patient a
# consent form; prints "family name|pseudonym".
BACKDATE = """
import sys
sys.path.insert(0, sys.argv[1])
from site_job import run


def job():
    from DateTime import DateTime
    from plone import api
    from plone.namedfile.file import NamedBlobFile

    catalog = api.portal.get_tool("portal_catalog")
    (brain,) = catalog.unrestrictedSearchResults(
        portal_type="Panel", review_state="archived"
    )
    panel = brain._unrestrictedGetObject()
    history = panel.workflow_history["cpms_panel_workflow"]
    last = dict(history[-1], time=DateTime() - 365 * 20)
    panel.workflow_history["cpms_panel_workflow"] = (*history[:-1], last)
    patient = panel.__parent__
    patient.consent_care_form = NamedBlobFile(
        b"%PDF-1.4 MARKER-ERASED-BLOB", filename="consent.pdf"
    )
    return patient.family_name, patient.pseudonym


print("|".join(run(job)))
"""
