"""Erase what the retention period has ended (ern.cpms.retention).

`make retention` lists what is due and changes nothing; `make retention
ERASE=1` erases it; with `PACK=1` as well, the database is packed after
the erasure (history older than now dropped), so that the erased data —
earlier revisions, file blobs — leaves the storage's files too. Run it
daily from cron; see scripts/site_job.py for the database it opens.
"""

from site_job import run

import os


# How long the rewrite of a table waits for the instances to let go of it.
LOCK_WAIT = "10s"


def main():
    from ern.cpms import retention
    from plone import api

    erase = os.environ.get("ERASE") == "1"

    def job():
        return retention.years(), retention.run(api.portal.get(), apply=erase)

    years, lines = run(job)
    for line in lines:
        print(("erased: " if erase else "due: ") + line)
    done = "erased" if erase else "due (a dry run: ERASE=1 erases)"
    print(f"{len(lines)} item(s) {done}; retention period {years} years.")
    if erase and os.environ.get("PACK") == "1":
        import Zope2

        Zope2.DB.pack(days=0)
        print("Database packed.")
        storage = Zope2.DB.storage
        # This job's own connections must not hold the tables it rewrites.
        Zope2.DB.close()
        vacuum(storage)


def vacuum(storage):
    """On PostgreSQL (RelStorage), rewrite the tables a pack deleted rows
    from: a deleted row stays in the table's files until PostgreSQL reuses
    its space; VACUUM FULL writes the tables anew without it. It locks each
    table while it rewrites it (seconds for a small site; run the job at a
    quiet hour); when an instance holds a table longer than LOCK_WAIT, the
    rewrite is left for the next run rather than making the instances wait
    behind it. Write-ahead-log segments and backups still hold the erased
    data until they are recycled or expire (docs/deployment.md)."""
    adapter = getattr(storage, "_adapter", None)
    dsn = getattr(adapter, "_dsn", None)
    if not dsn or "postgresql" not in type(adapter).__module__:
        return
    import psycopg2

    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    waited = []
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = '{LOCK_WAIT}'")
            # Blob data is in large objects (pg_largeobject), which only a
            # superuser may rewrite; PostgreSQL skips it with a warning
            # for another role.
            for table in ("object_state", "blob_chunk", "object_ref", "pg_largeobject"):
                try:
                    cursor.execute(f"VACUUM FULL {table}")
                except psycopg2.errors.LockNotAvailable:
                    waited.append(table)
    finally:
        connection.close()
    if waited:
        print(
            "PostgreSQL tables NOT rewritten, in use by the instances for more "
            f"than {LOCK_WAIT}: {', '.join(waited)}. Their deleted rows stay in "
            "the database's files until the next run (or VACUUM FULL with the "
            "instances stopped)."
        )
    else:
        print("PostgreSQL tables rewritten (VACUUM FULL).")


if __name__ == "__main__":
    main()
