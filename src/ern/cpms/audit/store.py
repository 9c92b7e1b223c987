"""The audit trail's store: an append-only SQLite file beside the ZODB,
each entry chained to the one before it by a SHA-256 hash.

Why not the ZODB: reads must be recorded, and a GET must not write to the
ZODB (plone.protect would flag it, and every page view would become a
write transaction that can conflict). Why a file database: appends from
several threads and processes of one host are serialised by SQLite's
write lock (``BEGIN IMMEDIATE``), each append is durable when it returns
(``synchronous=FULL``), and nothing else has to run. The entries are the
same for a PostgreSQL table when instances run on several hosts
(docs/architecture.md, "Audit trail").
"""

from datetime import datetime
from datetime import UTC

import hashlib
import json
import os
import sqlite3
import threading


# The columns every entry has, in the order they are hashed.
FIELDS = (
    "seq",
    "time",
    "userid",
    "action",
    "uid",
    "pseudonym",
    "centre",
    "client",
    "request_id",
    "detail",
)
GENESIS = "0" * 64

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    userid TEXT NOT NULL,
    action TEXT NOT NULL,
    uid TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    centre TEXT NOT NULL,
    client TEXT NOT NULL,
    request_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    once TEXT UNIQUE,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_userid ON entries (userid, seq);
CREATE INDEX IF NOT EXISTS entries_pseudonym ON entries (pseudonym, seq);
CREATE INDEX IF NOT EXISTS entries_centre ON entries (centre, seq);
CREATE INDEX IF NOT EXISTS entries_action ON entries (action, seq);
CREATE INDEX IF NOT EXISTS entries_time ON entries (time);
"""


def digest(entry, prev):
    """The hash of one entry: its fields (sequence number included, so a
    reordered or removed entry breaks the chain) and the hash before it."""
    canonical = json.dumps(
        [entry[name] for name in FIELDS], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def stamp(moment):
    """A moment as the trail writes times: UTC, to the microsecond,
    sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now():
    """The present moment as the trail writes it (patchable in tests)."""
    return stamp(datetime.now(UTC))


class Broken(dict):
    """The first broken link of a chain: its sequence number and why."""


class SQLiteStore:
    def __init__(self, path):
        self.path = str(path)
        self._local = threading.local()
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with self._connection() as connection:
            connection.executescript(SCHEMA)

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=60, isolation_level=None, check_same_thread=True
            )
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            self._local.connection = connection
        return _Borrowed(connection)

    def append(self, entries):
        """Append `entries` (dicts of FIELDS but seq, plus an optional
        ``once`` key: an entry whose ``once`` is already stored is skipped,
        so that a retried request records its reads once). Returns the
        entries stored, with their seq and hash."""
        stored = []
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                last = connection.execute(
                    "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                seq, prev = (last["seq"], last["hash"]) if last else (0, GENESIS)
                for entry in entries:
                    once = entry.get("once")
                    if (
                        once is not None
                        and connection.execute(
                            "SELECT 1 FROM entries WHERE once = ?", (once,)
                        ).fetchone()
                    ):
                        continue
                    row = {name: str(entry.get(name) or "") for name in FIELDS}
                    row["time"] = row["time"] or now()
                    row["seq"] = seq = seq + 1
                    row["hash"] = digest(row, prev)
                    connection.execute(
                        "INSERT INTO entries (seq, time, userid, action, uid,"
                        " pseudonym, centre, client, request_id, detail, once,"
                        " prev, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            *(row[name] for name in FIELDS),
                            once,
                            prev,
                            row["hash"],
                        ),
                    )
                    prev = row["hash"]
                    stored.append(row)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return stored

    def entries(
        self,
        userid=None,
        pseudonym=None,
        centre=None,
        action=None,
        since=None,
        until=None,
        limit=None,
        offset=0,
        newest_first=True,
    ):
        """Entries matching every filter given (``since``/``until``: ISO
        texts, ``until`` exclusive), and how many match in all."""
        where, arguments = [], []
        for column, value in (
            ("userid", userid),
            ("pseudonym", pseudonym),
            ("centre", centre),
            ("action", action),
        ):
            if value:
                if isinstance(value, list | tuple | set | frozenset):
                    where.append(f"{column} IN ({','.join('?' * len(value))})")
                    arguments.extend(value)
                else:
                    where.append(f"{column} = ?")
                    arguments.append(value)
        if since:
            where.append("time >= ?")
            arguments.append(since)
        if until:
            where.append("time < ?")
            arguments.append(until)
        # Only fixed column names and "?" placeholders are put into the
        # text; every value goes as a parameter.
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "DESC" if newest_first else "ASC"
        count = f"SELECT COUNT(*) FROM entries {clause}"  # noqa: S608
        query = f"SELECT * FROM entries {clause} ORDER BY seq {order}"  # noqa: S608
        page = []
        if limit is not None:
            query += " LIMIT ? OFFSET ?"
            page = [int(limit), int(offset)]
        with self._connection() as connection:
            total = connection.execute(count, arguments).fetchone()[0]
            rows = [dict(row) for row in connection.execute(query, arguments + page)]
        for row in rows:
            del row["once"]  # the store's own bookkeeping
        return rows, total

    def verify(self):
        """Walk the chain from the first entry. Returns (count, head hash,
        None) when every link holds, else (count checked, last good hash,
        Broken(seq=…, reason=…)) for the first broken link."""
        prev, expected, count = GENESIS, 1, 0
        with self._connection() as connection:
            for row in connection.execute("SELECT * FROM entries ORDER BY seq"):
                row = dict(row)
                if row["seq"] != expected:
                    return count, prev, Broken(seq=expected, reason="missing")
                if row["prev"] != prev:
                    return count, prev, Broken(seq=row["seq"], reason="unlinked")
                if digest(row, prev) != row["hash"]:
                    return count, prev, Broken(seq=row["seq"], reason="altered")
                prev, expected, count = row["hash"], expected + 1, count + 1
        return count, prev, None


class _Borrowed:
    """A thread's connection, for a ``with`` block (kept open after it)."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self.connection

    def __exit__(self, *exc_info):
        return False
