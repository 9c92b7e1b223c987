"""Run the CPMS as a cluster: PostgreSQL, RelStorage, several Zope instances
and HAProxy in front of them, all on loopback (`make start-cluster`).

    python scripts/cluster.py start    # until Ctrl+C or `stop`; stops all it started
    python scripts/cluster.py stop     # stop a cluster started from the same CPMS_VAR

Everything is configured from here, from the environment (the Makefile
passes them on); nothing is edited by hand per instance:

    CPMS_INSTANCES      Zope instances                        (default 2)
    CPMS_THREADS        threads per instance                  (default 2)
    CPMS_PORT           the balancer's port                   (default 8080)
    CPMS_INSTANCE_PORT  the first instance's port; then +1…   (default CPMS_PORT+1)
    CPMS_PG_DSN         an existing PostgreSQL database, as a libpq DSN
                        ("dbname=cpms host=db.example user=cpms password=…");
                        unset: a private server is initialised and started
                        under CPMS_VAR/cluster/postgresql
    CPMS_PG_PORT        the private server's port, when it is first
                        initialised (default 5433; kept in CPMS_VAR/cluster/pg-dsn)
    CPMS_HOST, CPMS_VAR, CPMS_SITE, CPMS_DEMO: as for `make start`
                        (the cluster keeps its files in CPMS_VAR/cluster)

The site (and the demo network) is created once, by the first instance's
configuration, before the instances start; they share it through
RelStorage, history-free, with blobs in PostgreSQL (each instance caches
the blobs it serves). An instance that dies is started again. The audit
trail is the same SQLite file for all instances of this host
(CPMS_VAR/cluster/audit), written under its own lock.
"""

from pathlib import Path

import cpms_instance
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request


ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_BIN = Path(os.environ.get("CPMS_PG_BIN") or "/usr/lib/postgresql/15/bin")
StartError = cpms_instance.StartError


def settings():
    """The cluster's settings: the one place they come from."""
    cfg = cpms_instance.settings()
    home = cfg["var"] / "cluster"
    port = cfg["port"]
    count = int(os.environ.get("CPMS_INSTANCES") or 2)
    first = int(os.environ.get("CPMS_INSTANCE_PORT") or port + 1)
    if count < 1:
        raise StartError("CPMS_INSTANCES must be 1 or more.")
    cfg.update(
        home=home,
        instances=count,
        threads=int(os.environ.get("CPMS_THREADS") or 2),
        instance_ports=[first + n for n in range(count)],
        pg_dsn=os.environ.get("CPMS_PG_DSN") or None,
        pg_port=int(os.environ.get("CPMS_PG_PORT") or 5433),
        pg_data=home / "postgresql",
        log=home / "log",
        run=home / "run",
    )
    return cfg


# -- PostgreSQL ---------------------------------------------------------------


def run_program(command, what):
    """Run a program; when it fails, a StartError with its last line."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no message)"]
        raise StartError(f"{what} failed: {lines[-1]}")
    return done


def requested():
    """Whether a command is asked to act on the cluster (CPMS_CLUSTER=1,
    the Makefile's CLUSTER=1) rather than on make start's FileStorage."""
    return (os.environ.get("CPMS_CLUSTER") or "0") not in ("0", "", "no", "false")


def _as_postgres(command):
    """Run a PostgreSQL program; as root, as Debian's `postgres` user (the
    server refuses to run as root)."""
    what = f"PostgreSQL's {Path(command[0]).name}"
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return run_program(command, what)


def _give_to_postgres(path):
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _private_dsn(cfg):
    """The private server's DSN, fixed when it was initialised (its port and
    password): every command of this CPMS_VAR finds it there."""
    path = cfg["home"] / "pg-dsn"
    if not path.exists():
        raise StartError(
            f"There is no PostgreSQL server under {cfg['pg_data']}: start the "
            "cluster once (make start-cluster), or give CPMS_PG_DSN."
        )
    return path.read_text().strip()


def _dsn_port(dsn):
    return int(dict(part.split("=", 1) for part in dsn.split())["port"])


def _reachable_by_postgres(cfg):
    """As root, the server runs as `postgres`, which must pass through every
    folder above its own. Folders of this project (its var/, CPMS_VAR) get
    the right to pass (not to list: o+x); any other is reported."""
    if os.geteuid() != 0:
        return
    mine = (ROOT, cfg["var"])
    for folder in reversed(cfg["pg_data"].parents):
        mode = folder.stat().st_mode
        if mode & 0o001:
            continue
        if any(folder == top or top in folder.parents for top in mine):
            folder.chmod(mode | 0o001)
            continue
        raise StartError(
            f"PostgreSQL runs as the postgres user, which cannot pass through "
            f"{folder}. Allow it (chmod o+x {folder}), keep CPMS_VAR elsewhere, "
            "run as a normal user, or give an existing database with CPMS_PG_DSN."
        )


def init_postgres(cfg):
    """A private PostgreSQL server under CPMS_VAR/cluster/postgresql, once:
    a `cpms` role with a generated password (scram-sha-256), loopback only."""
    data = cfg["pg_data"]
    if (data / "PG_VERSION").exists():
        return
    if not (PG_BIN / "initdb").exists():
        raise StartError(
            f"PostgreSQL's programs are not in {PG_BIN}: install Debian's "
            "postgresql (make start-cluster does, as root or with sudo), set "
            "CPMS_PG_BIN to their folder, or give an existing database with "
            "CPMS_PG_DSN."
        )
    data.mkdir(mode=0o700)
    _give_to_postgres(data)
    password = secrets.token_urlsafe(24)
    secret = cfg["home"] / "pg-dsn"
    secret.write_text(
        f"dbname=cpms user=cpms host={cfg['host']} port={cfg['pg_port']} "
        f"password={password}\n"
    )
    secret.chmod(0o600)
    pwfile = cfg["home"] / "initdb-password"
    pwfile.write_text(password + "\n")
    _give_to_postgres(pwfile)
    try:
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "cpms",
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ]
        )
    finally:
        pwfile.unlink(missing_ok=True)
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            "\n# scripts/cluster.py\n"
            f"listen_addresses = '{cfg['host']}'\n"
            f"port = {cfg['pg_port']}\n"
            f"unix_socket_directories = '{data}'\n"
            "max_connections = 200\n"
        )


def start_postgres(cfg):
    _reachable_by_postgres(cfg)
    init_postgres(cfg)
    cpms_instance.check_port_free(cfg["host"], _dsn_port(_private_dsn(cfg)))
    # The server's log stays in its own folder (the postgres user's).
    log = cfg["pg_data"] / "server.log"
    _as_postgres(
        [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(cfg["pg_data"]),
            "-l",
            str(log),
            "-w",
            "start",
        ]
    )
    import psycopg2

    admin = psycopg2.connect(
        _private_dsn(cfg).replace("dbname=cpms", "dbname=postgres")
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'cpms'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE DATABASE cpms")
    admin.close()


def stop_postgres(cfg):
    if (cfg["pg_data"] / "postmaster.pid").exists():
        _as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(cfg["pg_data"]), "-m", "fast", "stop"]
        )


# -- configuration --------------------------------------------------------------


def instance_dir(cfg, number):
    return cfg["home"] / f"instance-{number}"


def write_configs(cfg, dsn):
    """zope.conf/zope.ini of every instance and haproxy.cfg, from settings()."""
    template = (cpms_instance.TEMPLATES / "relstorage.conf.in").read_text()
    shared = dict(cfg, var=cfg["home"])
    for number, port in enumerate(cfg["instance_ports"], start=1):
        folder = instance_dir(cfg, number)
        log = cfg["log"] / f"instance-{number}"
        log.mkdir(parents=True, exist_ok=True, mode=0o700)
        database = template.format(
            cache_size=cfg["cache_size"], blob_cache=folder / "blobcache", dsn=dsn
        )
        cpms_instance.write_config(
            dict(shared, port=port),
            etc=folder / "etc",
            database=database,
            imports="%import relstorage\n",
            threads=cfg["threads"],
            log=log,
        )
    servers = "\n".join(
        f"    server instance-{n} {cfg['host']}:{port} check"
        for n, port in enumerate(cfg["instance_ports"], start=1)
    )
    text = (cpms_instance.TEMPLATES / "haproxy.cfg.in").read_text()
    (cfg["home"] / "haproxy.cfg").write_text(
        text.format(
            host=cfg["host"],
            port=cfg["port"],
            site=cfg["site_id"],
            servers=servers,
            maxconn=cfg["threads"] * 2,
        )
    )


# -- processes ------------------------------------------------------------------


def _spawn(command, log, env=None):
    handle = open(log, "ab")  # noqa: SIM115 (kept by the child)
    return subprocess.Popen(
        command,
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )


def _answers(url, timeout=2):
    try:
        # Only the http:// addresses this script builds.
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def _wait_for(url, process, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        if _answers(url):
            return True
        time.sleep(0.3)
    return False


class Cluster:
    def __init__(self, cfg):
        self.cfg = cfg
        self.instances = {}
        self.balancer = None
        self.postgres = False
        self.stopping = False

    def pidfile(self, name):
        return self.cfg["run"] / f"{name}.pid"

    def start_instance(self, number):
        cfg = self.cfg
        etc = instance_dir(cfg, number) / "etc"
        process = _spawn(
            [PYTHON, __file__, "instance", str(etc)],
            cfg["log"] / f"instance-{number}" / "console.log",
        )
        self.instances[number] = process
        self.pidfile(f"instance-{number}").write_text(f"{process.pid}\n")
        return process

    def instance_url(self, number):
        port = self.cfg["instance_ports"][number - 1]
        return f"http://{self.cfg['host']}:{port}/{self.cfg['site_id']}/@@ok"

    def start(self):
        cfg = self.cfg
        for folder in (cfg["home"], cfg["log"], cfg["run"], cfg["home"] / "cache"):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for port in [cfg["port"], *cfg["instance_ports"]]:
            cpms_instance.check_port_free(cfg["host"], port)
        if shutil.which("haproxy") is None:
            raise StartError(
                "HAProxy is not installed: install Debian's haproxy (make "
                "start-cluster does, as root or with sudo)."
            )
        self.pidfile("cluster").write_text(f"{os.getpid()}\n")
        dsn = cfg["pg_dsn"]
        if dsn is None:
            self.postgres = True
            start_postgres(cfg)
            dsn = _private_dsn(cfg)
        write_configs(cfg, dsn)
        # The site is created (or upgraded) once, before any instance serves.
        prepare = subprocess.run(
            [PYTHON, __file__, "prepare", str(instance_dir(cfg, 1) / "etc")],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if prepare.returncode != 0:
            raise StartError(
                "The site could not be prepared on PostgreSQL: "
                + (prepare.stderr.strip().splitlines() or ["(no message)"])[-1]
            )
        print(prepare.stdout, end="", flush=True)
        for number in range(1, cfg["instances"] + 1):
            self.start_instance(number)
        for number, process in self.instances.items():
            if not _wait_for(self.instance_url(number), process):
                raise StartError(
                    f"Instance {number} did not start: see "
                    f"{cfg['log'] / f'instance-{number}'}."
                )
        self.balancer = _spawn(
            ["haproxy", "-db", "-f", str(cfg["home"] / "haproxy.cfg")],
            cfg["log"] / "haproxy.log",
        )
        self.pidfile("haproxy").write_text(f"{self.balancer.pid}\n")
        url = f"http://{cfg['host']}:{cfg['port']}/{cfg['site_id']}"
        if not _wait_for(url + "/@@ok", self.balancer, seconds=30):
            raise StartError(
                f"HAProxy did not start: see {cfg['log'] / 'haproxy.log'}."
            )
        ports = ", ".join(str(p) for p in cfg["instance_ports"])
        print(
            f"CPMS cluster: {url} (HAProxy) → {cfg['instances']} Zope instances "
            f"on ports {ports}, {cfg['threads']} threads each; PostgreSQL "
            f"{'in ' + str(cfg['pg_data']) if self.postgres else 'from CPMS_PG_DSN'}."
            "\nStop it with Ctrl+C or `make stop-cluster`.",
            flush=True,
        )

    def watch(self):
        """Start again an instance that died, until asked to stop."""
        while not self.stopping:
            for number, process in list(self.instances.items()):
                if process.poll() is not None and not self.stopping:
                    print(
                        f"Instance {number} ended ({process.returncode}); "
                        "starting it again.",
                        flush=True,
                    )
                    self.start_instance(number)
            if self.balancer.poll() is not None and not self.stopping:
                raise StartError(
                    f"HAProxy ended: see {self.cfg['log'] / 'haproxy.log'}."
                )
            time.sleep(0.5)

    def stop(self):
        self.stopping = True
        processes = [p for p in [self.balancer, *self.instances.values()] if p]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.postgres:
            stop_postgres(self.cfg)
        for pidfile in self.cfg["run"].glob("*.pid"):
            pidfile.unlink()


def start():
    cluster = Cluster(settings())

    def asked_to_stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, asked_to_stop)
    try:
        cluster.start()
        cluster.watch()
    finally:
        cluster.stop()


def stop():
    cfg = settings()
    pidfile = cfg["run"] / "cluster.pid"
    if not pidfile.exists():
        print(f"No cluster is running from {cfg['home']}.")
        return
    pid = int(pidfile.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pidfile.unlink()
        print("The cluster had already ended.")
        return
    for _ in range(120):
        if not _alive(pid):
            print("Cluster stopped.")
            return
        time.sleep(0.5)
    raise StartError(f"The cluster (process {pid}) did not stop within a minute.")


def _alive(pid):
    """Whether the process runs (one that ended but was not yet collected
    by its parent, a zombie, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text()
    except OSError:
        return True


def _instance_cfg(etc):
    cfg = settings()
    return dict(cfg, var=cfg["home"], instance=Path(etc).parent)


def _explain(error, cfg):
    return StartError(
        f"The database on PostgreSQL could not be opened "
        f"({type(error).__name__}: {error}). Check CPMS_PG_DSN, or the "
        f"private server's log in {cfg['pg_data'] / 'server.log'}."
    )


def _load(etc, cfg):
    return cpms_instance.load_application(Path(etc), cfg, explain=_explain)


def prepare(etc):
    """Create or reuse the site through this instance's configuration."""
    cfg = _instance_cfg(etc)
    _load(etc, cfg)
    report = cpms_instance.prepare_site(cfg)
    cpms_instance.announce(cfg, report, stop_hint=False)


def instance(etc):
    """Serve one instance (started by `start`)."""
    cfg = _instance_cfg(etc)
    app = _load(etc, cfg)
    cpms_instance.serve(app, Path(etc))


def main(argv):
    commands = {"start": start, "stop": stop, "prepare": prepare, "instance": instance}
    if len(argv) < 2 or argv[1] not in commands:
        print(f"usage: {argv[0]} start|stop", file=sys.stderr)
        return 2
    try:
        commands[argv[1]](*argv[2:])
    except StartError as error:
        print(f"\nCannot run the CPMS cluster: {error}\n", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
