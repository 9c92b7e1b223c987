"""Start the CPMS: configure a Zope instance, create or reuse the site, serve it.

`make start` runs `python scripts/cpms_instance.py start`. Settings come from
the environment (the Makefile passes them on):

    CPMS_HOST  address to listen on          (default 127.0.0.1)
    CPMS_PORT  port to listen on             (default 8080)
    CPMS_VAR   folder of the database, blobs, logs and secrets (default var)
    CPMS_SITE  id of the Plone site          (default cpms)
    CPMS_DEMO  create the demo network when the site is created (default 1)

Login with OpenID Connect (EU Login or another provider), applied to the
site at every start when set (docs/architecture.md, "Login with OpenID
Connect"):

    CPMS_OIDC_ISSUER         the provider's issuer URL
    CPMS_OIDC_CLIENT_ID      this site's client id at the provider
    CPMS_OIDC_CLIENT_SECRET  its secret
    CPMS_OIDC_SCOPES         scopes besides openid (default: profile email phone)
    CPMS_OIDC_REDIRECT_URI   only if the provider needs another callback URL

The data in CPMS_VAR is never deleted or overwritten: a second start reuses
it. Problems that a person can fix (a busy port, a folder that cannot be
written, a database in use or damaged) are reported in one clear paragraph,
and the technical details go to CPMS_VAR/log/start-error.log.
"""

from pathlib import Path

import errno
import os
import socket
import sys
import traceback


ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"


class StartError(Exception):
    """A problem the person starting the site can fix; the message says how."""


def settings():
    """The start settings, from the environment."""
    var = Path(os.environ.get("CPMS_VAR") or ROOT / "var").resolve()
    return {
        "host": os.environ.get("CPMS_HOST") or "127.0.0.1",
        "port": int(os.environ.get("CPMS_PORT") or 8080),
        "var": var,
        "instance": var / "instance",
        "site_id": os.environ.get("CPMS_SITE") or "cpms",
        "demo": (os.environ.get("CPMS_DEMO") or "1") not in ("0", "no", "false"),
        # Objects kept in memory per database connection (ZODB's cache);
        # `make demo-data` keeps more: a large catalog's buckets.
        "cache_size": int(os.environ.get("CPMS_CACHE_SIZE") or 30000),
    }


def check_port_free(host, port):
    """Refuse to go on when another process listens on host:port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As waitress does: connections of a previous run that are still in
        # TIME_WAIT do not make the port busy; a listening server does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartError(
                    f"Port {port} on {host} is already in use: is the CPMS (or "
                    "another server) already running? Stop it, or start on "
                    f"another port with: make start PORT={port + 1}"
                ) from error
            raise StartError(
                f"Cannot listen on {host}:{port}: {error.strerror}. Choose "
                "another address with HOST=... or PORT=..."
            ) from error


def prepare_var(var):
    """Create the data folders (readable by their owner only)."""
    try:
        for sub in ("filestorage", "blobstorage", "log", "cache", "instance/etc"):
            (var / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        var.chmod(0o700)
        probe = var / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        raise StartError(
            f"The data folder {var} cannot be written ({error.strerror}). "
            "Give your user write access to it, or point CPMS_VAR at another "
            "folder. Nothing was changed."
        ) from error
    datafs = var / "filestorage" / "Data.fs"
    if datafs.exists() and not datafs.is_file():
        raise StartError(f"{datafs} is not a file. Move it aside; nothing was changed.")


def write_config(cfg, etc=None, database=None, imports="", threads=4, log=None):
    """Write zope.conf, zope.ini and site.zcml for this start's settings.

    `make start` keeps its database in a FileStorage under CPMS_VAR;
    scripts/cluster.py passes the `<zodb_db>` section of RelStorage, its
    own folder, log folder and number of threads for each instance."""
    etc = etc or cfg["instance"] / "etc"
    etc.mkdir(parents=True, exist_ok=True, mode=0o700)
    values = {
        "var": cfg["var"],
        "instance": etc.parent,
        "host": f"[{cfg['host']}]" if ":" in cfg["host"] else cfg["host"],
        "port": cfg["port"],
        "threads": threads,
        "log": log or cfg["var"] / "log",
        "imports": imports,
        "database": database
        or (TEMPLATES / "filestorage.conf.in")
        .read_text()
        .format(cache_size=cfg["cache_size"]),
    }
    for name in ("zope.conf", "zope.ini"):
        template = (TEMPLATES / f"{name}.in").read_text()
        (etc / name).write_text(
            template.format(**values)
            if name == "zope.conf"
            else _format_ini(template, values)
        )
    (etc / "site.zcml").write_text((TEMPLATES / "site.zcml").read_text())
    return etc


def _format_ini(template, values):
    # zope.ini keeps PasteDeploy's own %(here)s and logging's %(...)s
    # placeholders, so only our {names} are replaced.
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def save_admin_password(var, password):
    """Keep the generated Zope administrator password, for its owner only."""
    path = var / "admin-password"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(password + "\n")
    return path


def explain_database_error(error, cfg):
    """Turn an error met while opening the database into a StartError."""
    name = type(error).__name__
    datafs = cfg["var"] / "filestorage" / "Data.fs"
    if name == "LockError":
        return StartError(
            f"The database {datafs} is in use by another process: is the CPMS "
            "already running (make start in another terminal)? Stop that "
            "process first. Nothing was changed."
        )
    return StartError(
        f"The database in {cfg['var']} could not be opened ({name}: {error}). "
        "It may be damaged or written by another program. Nothing was "
        f"changed or deleted. Move {datafs} aside (for example to "
        "Data.fs.broken) to start with a new database, or restore it from a "
        "backup."
    )


def load_application(etc, cfg, explain=None):
    """Load the WSGI pipeline (and so Zope and the database); an error is
    turned into a StartError by `explain` (for make start's FileStorage by
    default)."""
    from paste.deploy import loadapp
    from Zope2.Startup.serve import setup_logging

    ini = str(etc / "zope.ini")
    setup_logging(ini)
    try:
        return loadapp(f"config:{ini}")
    except Exception as error:
        raise (explain or explain_database_error)(error, cfg) from error


def prepare_site(cfg):
    """Create or reuse the site; return the ensure_site report."""
    from ern.cpms.sitesetup import ensure_admin
    from ern.cpms.sitesetup import ensure_site
    from Testing.makerequest import makerequest
    from zope.globalrequest import setRequest

    import transaction
    import Zope2

    app = makerequest(Zope2.app())
    setRequest(app.REQUEST)
    try:
        # The password is on disk before the administrator is committed, so
        # it cannot be lost to a crash in between.
        admin_password = ensure_admin(app)
        if admin_password:
            save_admin_password(cfg["var"], admin_password)
        transaction.commit()
        report = ensure_site(app, cfg["site_id"], with_demo=cfg["demo"])
        report.admin_password = admin_password
        transaction.commit()
    except Exception:
        transaction.abort()
        raise
    finally:
        setRequest(None)
        app._p_jar.close()
    return report


def announce(cfg, report, stop_hint=True):
    """Tell the person where the site is and how to log in."""
    from ern.cpms.demo import DEMO_PASSWORD

    host = "localhost" if cfg["host"] in ("127.0.0.1", "::1") else cfg["host"]
    url = f"http://{host}:{cfg['port']}/{cfg['site_id']}"
    lines = ["", "=" * 72]
    state = "created" if report.created else "reused (existing data kept)"
    lines.append(f"ERN CPMS site {state}: {url}")
    if report.upgraded:
        lines.append("Pending ern.cpms upgrade steps were run.")
    password_file = cfg["var"] / "admin-password"
    if report.admin_password:
        lines.append(
            f"Zope administrator: admin / {report.admin_password}"
            f"  (shown once; kept in {password_file}, readable by you only)"
        )
    elif password_file.exists():
        lines.append(f"Zope administrator: admin, password in {password_file}")
    else:
        lines.append(
            f"Zope administrator: admin; its password is not in {password_file}."
            " Set a new one with: .venv/bin/addzopeuser -c "
            f"{cfg['instance'] / 'etc' / 'zope.conf'} admin NEW-PASSWORD"
        )
    if report.oidc_issuer:
        lines.append(
            f"Log in with OpenID Connect: {report.oidc_issuer} (from CPMS_OIDC_*)"
        )
    if report.demo_accounts:
        lines.append(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        lines.extend(
            f"  {account.userid:<18} {account.role}" for account in report.demo_accounts
        )
        lines.append(
            "Patient data needs a second factor: add an account's key to an"
            " authenticator app, or print its current code with"
            " `make code KEY=...`."
        )
        lines.extend(
            f"  {userid:<18} key {key}" for userid, key in report.demo_keys.items()
        )
    if stop_hint:
        lines.append("Stop the server with Ctrl+C.")
    lines += ["=" * 72, ""]
    print("\n".join(lines), flush=True)


def serve(app, etc):
    from paste.deploy import loadserver

    server = loadserver(f"config:{etc / 'zope.ini'}")
    server(app)


def start():
    cfg = settings()
    check_port_free(cfg["host"], cfg["port"])
    prepare_var(cfg["var"])
    etc = write_config(cfg)
    app = load_application(etc, cfg)
    try:
        report = prepare_site(cfg)
    except StartError:
        raise
    except Exception as error:
        raise explain_database_error(error, cfg) from error
    announce(cfg, report)
    serve(app, etc)


def main(argv):
    commands = {"start": start}
    if len(argv) != 2 or argv[1] not in commands:
        print(f"usage: {argv[0]} start", file=sys.stderr)
        return 2
    try:
        commands[argv[1]]()
    except StartError as error:
        log = settings()["var"] / "log" / "start-error.log"
        try:
            with log.open("a") as handle:
                traceback.print_exc(file=handle)
            details = f"\n(Details: {log})"
        except OSError:
            details = ""
        print(f"\nCannot start the CPMS: {error}{details}\n", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
