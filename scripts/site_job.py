"""Run one job on the site served by `make start`, from cron or a timer.

The jobs (scripts/send_digests.py, scripts/expire_guests.py) open the same
database as the running site (ZEO or RelStorage in production; for
FileStorage, stop the site first or run it from the site's own process),
as the system user, and commit once.

Environment: CPMS_VAR (default var), CPMS_SITE (default cpms),
CPMS_PUBLIC_URL (the address users reach the site at, for the links) and
CPMS_CLUSTER=1 for the database of `make start-cluster` (RelStorage: the
job runs beside the instances; the cluster's PostgreSQL must be running).
"""

from pathlib import Path
from Testing.makerequest import makerequest
from zope.component.hooks import setSite

import cluster
import os
import sys
import transaction
import Zope2


def run(job):
    """Call `job()` in the site; return what it returns, once committed."""
    config = zope_conf()
    if not config.exists():
        start = "make start-cluster" if cluster.requested() else "make start"
        sys.exit(f"No instance configuration at {config}: run `{start}` once.")
    from Zope2.Startup.run import make_wsgi_app

    make_wsgi_app({}, str(config))
    app = makerequest(Zope2.app())
    public = os.environ.get("CPMS_PUBLIC_URL", "http://localhost:8080")
    app.REQUEST["PARENTS"] = [app]
    app.REQUEST.other["VirtualRootPhysicalPath"] = ("",)
    app.REQUEST.setServerURL(*_server(public))
    site = app[os.environ.get("CPMS_SITE", "cpms")]
    setSite(site)
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.SpecialUsers import system

    newSecurityManager(None, system)
    result = job()
    transaction.commit()
    return result


def zope_conf():
    var = Path(os.environ.get("CPMS_VAR", "var")).resolve()
    if cluster.requested():
        return var / "cluster" / "instance-1" / "etc" / "zope.conf"
    return var / "instance" / "etc" / "zope.conf"


def _server(url):
    scheme, _sep, rest = url.partition("://")
    host, _sep, port = rest.partition(":")
    return scheme, host, port or ("443" if scheme == "https" else "80")
