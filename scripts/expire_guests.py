"""End the guest accesses whose time is over (access_requests.py).

Run by `make expire-guests` (once a day, from cron or a systemd timer); it opens
the same database as the running site (ZEO or RelStorage in production; for
FileStorage, stop the site first or run it from the site's own process).

Environment: CPMS_VAR (default var), CPMS_SITE (default cpms) and
CPMS_PUBLIC_URL (the address users reach the site at, for the links).
"""

from pathlib import Path
from Testing.makerequest import makerequest
from zope.component.hooks import setSite

import os
import sys
import transaction
import Zope2


def main():
    var = Path(os.environ.get("CPMS_VAR", "var")).resolve()
    config = var / "instance" / "etc" / "zope.conf"
    if not config.exists():
        sys.exit(f"No instance configuration at {config}: run `make start` once.")
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
    from ern.cpms.access_requests import expire_guests

    newSecurityManager(None, system)
    count = expire_guests()
    transaction.commit()
    print(f"{count} guest access(es) ended.")


def _server(url):
    scheme, _sep, rest = url.partition("://")
    host, _sep, port = rest.partition(":")
    return scheme, host, port or ("443" if scheme == "https" else "80")


if __name__ == "__main__":
    main()
