"""Back up and restore the CPMS's data (`make backup`, `make restore`).

    python scripts/backup.py backup   # CPMS_CLUSTER=1: the cluster's PostgreSQL
    python scripts/backup.py restore  # the latest; CPMS_BACKUP=<stamp>: that one
    python scripts/backup.py list

A backup holds everything the site needs, taken in an order that keeps it
consistent:

- `make start`'s FileStorage: the database with ZODB's repozo (the first
  backup full, the next ones incremental, gzipped) into
  CPMS_VAR/backups/repozo, then the blobs it refers to (blob files are never
  changed once written, so copying them after the database is safe) into
  CPMS_VAR/backups/blobs/<stamp>.tar.gz. The site may be running.
- the cluster's PostgreSQL (`make start-cluster`, RelStorage: the blobs are
  in the database): pg_dump's custom format into
  CPMS_VAR/cluster/backups/<stamp>.dump. The cluster must be running (its
  PostgreSQL is).
- in both, the audit trail (SQLite's online backup: a consistent copy while
  instances write) into .../audit/<stamp>.sqlite.

Restoring refuses while the site (or the cluster) runs. What it replaces is
moved aside (`*.before-restore-<time>`), never deleted. For the cluster,
the private PostgreSQL is started for the restore and stopped afterwards;
with CPMS_PG_DSN the database given is restored into (stop its instances).
CPMS_RESTORE_DSN restores into another (empty) database instead, while the
cluster runs: to check a backup, or to bring up a copy.
Backups are named by the UTC time they were taken (repozo's own names).
"""

from datetime import datetime
from datetime import UTC
from pathlib import Path

import cluster
import cpms_instance
import os
import shutil
import sqlite3
import sys
import tarfile
import time


StartError = cpms_instance.StartError
REPOZO = [sys.executable, "-m", "ZODB.scripts.repozo"]


def _audit_path(home):
    """The audit trail the instances write (ern.cpms.audit.audit_path)."""
    configured = os.environ.get("CPMS_AUDIT_DB")
    return Path(configured) if configured else home / "audit" / "audit.sqlite"


def _stamp():
    return datetime.now(UTC).strftime("%Y-%m-%d-%H-%M-%S")


_run = cluster.run_program


def _copy_audit(source, target):
    """SQLite's online backup: consistent while others write."""
    if not source.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    target.chmod(0o600)
    return target


def _restore_audit(copy, live, now):
    """Put the backup's audit trail in place (the current one set aside)."""
    live.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for suffix in ("", "-wal", "-shm"):
        _aside(live.with_name(live.name + suffix), now)
    shutil.copy2(copy, live)


def _aside(path, now):
    if path.exists():
        moved = path.with_name(f"{path.name}.before-restore-{now}")
        path.rename(moved)
        return moved
    return None


def _chosen(stamps, what):
    wanted = os.environ.get("CPMS_BACKUP")
    if not stamps:
        raise StartError(f"There is no backup of {what} yet: run make backup first.")
    if wanted:
        if wanted not in stamps:
            raise StartError(
                f"There is no backup {wanted} of {what}. The backups: "
                + ", ".join(stamps)
            )
        return wanted
    return stamps[-1]


# -- make start's FileStorage ---------------------------------------------------


class FileStorageBackup:
    def __init__(self):
        self.var = cpms_instance.settings()["var"]
        self.datafs = self.var / "filestorage" / "Data.fs"
        self.blobs = self.var / "blobstorage"
        self.audit = _audit_path(self.var)
        self.home = self.var / "backups"
        self.repozo = self.home / "repozo"

    def stamps(self):
        found = {
            p.name.split(".")[0]
            for p in self.repozo.glob("*.*fsz")
            if p.suffix in (".fsz", ".deltafsz")
        }
        return sorted(found)

    def backup(self):
        if not self.datafs.exists():
            raise StartError(f"There is no database at {self.datafs} to back up.")
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.repozo.mkdir(exist_ok=True, mode=0o700)
        before = set(self.stamps())
        # repozo names a backup by the second it starts: a second backup in
        # the same second would share the first's name (and overwrite its
        # blobs and audit copies). Start in a later second.
        while before and _stamp() <= max(before):
            time.sleep(0.1)
        _run(
            [*REPOZO, "-B", "-z", "-Q", "-f", str(self.datafs), "-r", str(self.repozo)],
            "repozo",
        )
        for path in self.repozo.iterdir():
            path.chmod(0o600)
        new = sorted(set(self.stamps()) - before)
        # Nothing committed since the last backup: repozo wrote nothing, and
        # the blobs and audit trail get that backup's name.
        stamp = new[-1] if new else self.stamps()[-1]
        archive = self.home / "blobs" / f"{stamp}.tar.gz"
        archive.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tarfile.open(archive, "w:gz") as tar:
            if self.blobs.exists():
                tar.add(self.blobs, arcname="blobstorage")
        archive.chmod(0o600)
        _copy_audit(self.audit, self.home / "audit" / f"{stamp}.sqlite")
        return stamp

    def restore(self):
        stamp = _chosen(self.stamps(), self.datafs)
        self._refuse_if_running()
        now = _stamp()
        restored = self.datafs.with_name("Data.fs.restoring")
        self.datafs.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _run(
            [*REPOZO, "-R", "-D", stamp, "-r", str(self.repozo), "-o", str(restored)],
            "repozo",
        )
        for suffix in ("", ".index", ".tmp", ".lock"):
            _aside(self.datafs.with_name("Data.fs" + suffix), now)
        restored.rename(self.datafs)
        self.datafs.chmod(0o600)
        index = restored.with_name(restored.name + ".index")
        if index.exists():
            index.rename(self.datafs.with_name("Data.fs.index"))
        _aside(self.blobs, now)
        with tarfile.open(self.home / "blobs" / f"{stamp}.tar.gz") as tar:
            tar.extractall(self.var, filter="data")
        self.blobs.mkdir(exist_ok=True, mode=0o700)
        audit = self.home / "audit" / f"{stamp}.sqlite"
        if audit.exists():
            _restore_audit(audit, self.audit, now)
        return stamp

    def _refuse_if_running(self):
        import zc.lockfile

        lock = self.datafs.with_name("Data.fs.lock")
        if not self.datafs.exists():
            return
        try:
            zc.lockfile.LockFile(str(lock)).close()
        except zc.lockfile.LockError as error:
            raise StartError(
                f"The database {self.datafs} is in use: stop the site (make "
                "start's server) before restoring. Nothing was changed."
            ) from error


# -- the cluster's PostgreSQL ---------------------------------------------------


class PostgreSQLBackup:
    def __init__(self):
        self.cfg = cluster.settings()
        self.home = self.cfg["home"] / "backups"
        self.audit = _audit_path(self.cfg["home"])

    def dsn(self):
        return self.cfg["pg_dsn"] or cluster._private_dsn(self.cfg)

    def stamps(self):
        return sorted(p.stem for p in self.home.glob("*.dump"))

    def _program(self, name):
        return str(cluster.PG_BIN / name)

    def backup(self):
        stamp = _stamp()
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        dump = self.home / f"{stamp}.dump"
        try:
            _run(
                [
                    self._program("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    *("--file", str(dump), "--dbname", self.dsn()),
                ],
                "pg_dump",
            )
        except StartError as error:
            dump.unlink(missing_ok=True)
            raise StartError(f"{error} (is the cluster running?)") from error
        dump.chmod(0o600)
        _copy_audit(self.audit, self.home / "audit" / f"{stamp}.sqlite")
        return stamp

    def restore(self, dsn=None):
        stamp = _chosen(self.stamps(), "the cluster's database")
        if dsn is None and (self.cfg["run"] / "cluster.pid").exists():
            pid = int((self.cfg["run"] / "cluster.pid").read_text())
            if cluster._alive(pid):
                raise StartError(
                    "The cluster is running: stop it (make stop-cluster) before "
                    "restoring. Nothing was changed."
                )
        private = dsn is None and self.cfg["pg_dsn"] is None
        if private:
            cluster.start_postgres(self.cfg)
        try:
            _run(
                [
                    self._program("pg_restore"),
                    *("--clean", "--if-exists", "--no-owner", "--single-transaction"),
                    *("--dbname", dsn or self.dsn(), str(self.home / f"{stamp}.dump")),
                ],
                "pg_restore",
            )
        finally:
            if private:
                cluster.stop_postgres(self.cfg)
        audit = self.home / "audit" / f"{stamp}.sqlite"
        if audit.exists() and dsn is None:
            _restore_audit(audit, self.audit, _stamp())
        return stamp


def _kind():
    return PostgreSQLBackup() if cluster.requested() else FileStorageBackup()


def main(argv):
    if len(argv) != 2 or argv[1] not in ("backup", "restore", "list"):
        print(f"usage: {argv[0]} backup|restore|list", file=sys.stderr)
        return 2
    try:
        kind = _kind()
        if argv[1] == "backup":
            print(f"Backup {kind.backup()} in {kind.home}.")
        elif argv[1] == "restore":
            target = os.environ.get("CPMS_RESTORE_DSN")
            if target and isinstance(kind, PostgreSQLBackup):
                stamp = kind.restore(dsn=target)
                print(f"Restored backup {stamp} into CPMS_RESTORE_DSN.")
            else:
                print(f"Restored backup {kind.restore()}.")
        else:
            print("\n".join(kind.stamps()) or "No backups yet.")
    except StartError as error:
        print(f"\nCannot {argv[1]}: {error}\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
