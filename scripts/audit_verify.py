"""Verify the audit trail's hash chain: `make audit-verify`.

Reads the trail at $CPMS_AUDIT_DB, else at $CPMS_VAR/audit/audit.sqlite
(where `make start` keeps it), without starting Zope. Prints the number of
entries and the last hash, and exits 0 when every link holds; else prints
the first broken link and exits 1. Keep the last hash it prints (in the
daily log, say): an entry cut off the end of the trail shows as a head that
no longer matches it.
"""

from ern.cpms.audit.store import SQLiteStore
from pathlib import Path

import os
import sys


def main():
    path = os.environ.get("CPMS_AUDIT_DB") or str(
        Path(os.environ.get("CPMS_VAR", "var")) / "audit" / "audit.sqlite"
    )
    if not Path(path).exists():
        sys.exit(f"No audit trail at {path}.")
    count, head, broken = SQLiteStore(path).verify()
    if broken:
        print(
            f"BROKEN at entry {broken['seq']} ({broken['reason']}); "
            f"the {count} entries before it hold, ending with {head}."
        )
        return 1
    print(f"OK: {count} entries, last hash {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
