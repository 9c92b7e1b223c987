"""Erase what the retention period has ended (ern.cpms.retention).

`make retention` lists what is due and changes nothing; `make retention
ERASE=1` erases it; with `PACK=1` as well, the database is packed after
the erasure (history older than now dropped), so that the erased data —
earlier revisions, file blobs — leaves the storage's files too. Run it
daily from cron; see scripts/site_job.py for the database it opens.
"""

from site_job import run

import os


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


if __name__ == "__main__":
    main()
