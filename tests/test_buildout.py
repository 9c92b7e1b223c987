"""The buildout route works: it builds an instance that serves a CPMS site.

Builds buildout.cfg in a temporary folder from the project's committed files
(with versions.cfg, i.e. the pins of constraints.txt), starts the instance
once, and creates a site with the CPMS flavour through it. Eggs are kept
between runs in CPMS_BUILDOUT_EGGS (default ~/.cache/ern.cpms/buildout-eggs),
so only the first run on a machine downloads them.
"""

from pathlib import Path
from servers import api_session
from servers import free_port
from servers import spawn
from servers import stop
from servers import wait_until_served

import os
import pytest
import secrets
import shutil
import signal
import subprocess
import sys


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
    port = free_port()
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
    process = spawn(["bin/instance", "fg"], folder / "instance-fg.log", cwd=folder)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_served(process, base, seconds=180)
        yield base, api_session(("admin", password))
    finally:
        stop(process, signal.SIGTERM)


def test_buildout_pins_every_package(buildout):
    folder, _, _ = buildout
    # allow-picked-versions = false: the build fails if anything was unpinned.
    assert "allow-picked-versions = false" in (folder / "buildout.cfg").read_text()
    assert (folder / "bin" / "instance").exists()


def test_instance_offers_the_cpms_flavour(instance):
    base, admin = instance
    sites = admin.get(f"{base}/@sites", timeout=30).json()
    assert "cpms" in {distribution["name"] for distribution in sites["distributions"]}


def test_instance_creates_a_cpms_site(instance):
    base, admin = instance
    created = admin.post(
        f"{base}/@sites",
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
    ern = admin.get(f"{base}/cpms/erns/ern-eye", timeout=30).json()
    assert ern["code"]["token"] == "ERN-EYE"
