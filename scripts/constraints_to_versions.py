"""Write versions.cfg (buildout) from constraints.txt (pip): one set of pins.

Usage: python scripts/constraints_to_versions.py [constraints.txt] [versions.cfg]
"""

from pathlib import Path

import sys


HEADER = """\
# Generated from constraints.txt by scripts/constraints_to_versions.py
# (make versions.cfg): do not edit by hand; change constraints.txt.
[versions]
# ern.cpms is a develop egg of this buildout.
ern.cpms =
"""


def pins(constraints_text):
    """The (name, version) pairs of a pip constraints file, in file order."""
    for line in constraints_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, separator, version = line.partition("==")
        if not separator:
            raise ValueError(f"not an exact pin: {line!r}")
        yield name.strip(), version.strip()


def versions_cfg(constraints_text):
    """The text of versions.cfg for these constraints."""
    body = "".join(f"{name} = {version}\n" for name, version in pins(constraints_text))
    return HEADER + body


def main(argv):
    source = Path(argv[1] if len(argv) > 1 else "constraints.txt")
    target = Path(argv[2] if len(argv) > 2 else "versions.cfg")
    target.write_text(versions_cfg(source.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
