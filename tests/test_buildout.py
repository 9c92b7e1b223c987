"""The buildout route works: it builds an instance that serves a CPMS site.

Builds buildout.cfg in a temporary folder from the project's committed files
(with versions.cfg, i.e. the pins of constraints.txt), starts the instance
once, and creates a site with the CPMS flavour through it. Eggs are kept
between runs in CPMS_BUILDOUT_EGGS (default ~/.cache/ern.cpms/buildout-eggs),
so only the first run on a machine downloads them.
"""

from pathlib import Path

import os
import pytest
import requests
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time


pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EGGS = Path(
    os.environ.get("CPMS_BUILDOUT_EGGS")
    or Path.home() / ".cache" / "ern.cpms" / "buildout-eggs"
)


def project_files():
    """The files of the project as git knows them (committed or staged)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [name for name in listed if (ROOT / name).is_file()]


def run(command, cwd, timeout):
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"{command} failed:\n{output}"
    return result


@pytest.fixture(scope="module")
def buildout(tmp_path_factory):
    """A built buildout: (folder, port, admin password)."""
    folder = tmp_path_factory.mktemp("buildout")
    for name in project_files():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    password = secrets.token_urlsafe(16)
    EGGS.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "venv", "."], folder, 120)
    run(
        ["bin/pip", "install", "--quiet", "-c", "constraints.txt", "zc.buildout"],
        folder,
        300,
    )
    run(
        [
            "bin/buildout",
            f"buildout:admin-password={password}",
            f"buildout:eggs-directory={EGGS}",
            f"instance:http-address=127.0.0.1:{port}",
        ],
        folder,
        1800,
    )
    return folder, port, password


@pytest.fixture(scope="module")
def instance(buildout):
    folder, port, password = buildout
    # A file, not a pipe: nobody reads the output while the instance runs,
    # and a full pipe would block the instance.
    output = (folder / "instance-fg.log").open("w")
    process = subprocess.Popen(
        ["bin/instance", "fg"],
        cwd=folder,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError((folder / "instance-fg.log").read_text()[-3000:])
            assert time.monotonic() < deadline, "the instance did not answer"
            try:
                if requests.get(base, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                # Refused, or accepted but not answered while Zope starts.
                time.sleep(1)
        yield base, password
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        output.close()


def test_buildout_pins_every_package(buildout):
    folder, _, _ = buildout
    # allow-picked-versions = false: the build fails if anything was unpinned.
    assert "allow-picked-versions = false" in (folder / "buildout.cfg").read_text()
    assert (folder / "bin" / "instance").exists()


def test_instance_offers_the_cpms_flavour(instance):
    base, password = instance
    sites = requests.get(
        f"{base}/@sites",
        auth=("admin", password),
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()
    assert "cpms" in {distribution["name"] for distribution in sites["distributions"]}


def test_instance_creates_a_cpms_site(instance):
    base, password = instance
    created = requests.post(
        f"{base}/@sites",
        auth=("admin", password),
        headers={"Accept": "application/json"},
        json={
            "distribution": "cpms",
            "site_id": "cpms",
            "title": "ERN CPMS",
            "default_language": "en",
            "portal_timezone": "Europe/Brussels",
            "setup_content": True,
        },
        timeout=300,
    )
    assert created.status_code == 200, created.text
    ern = requests.get(
        f"{base}/cpms/erns/ern-eye",
        auth=("admin", password),
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()
    assert ern["code"]["token"] == "ERN-EYE"
