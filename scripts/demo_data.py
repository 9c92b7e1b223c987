"""Fill a site with a network at scale (ern.cpms.generator): `make demo-data`.

    make demo-data SCALE=0.01            # 1,000 patients, 200 panels
    make demo-data SCALE=1 VAR=var-bench # 100,000 patients, 20,000 panels

Runs on the database of `make start` (CPMS_VAR; stop the server first:
FileStorage serves one process), creating the site when there is none.
Interrupted, it goes on where its last batch was committed when run again
with the same SCALE and SEED.
"""

from pathlib import Path

import os
import sys
import time


sys.path.insert(0, str(Path(__file__).resolve().parent))


def main():
    import cpms_instance

    try:
        scale = float(os.environ.get("SCALE") or "0.01")
        seed = int(os.environ.get("SEED") or "2026")
    except ValueError:
        sys.exit("SCALE must be a number (1 = 100,000 patients) and SEED an integer.")
    # The generator touches buckets all over a growing catalog (its record
    # ids are random): with the server's cache of 30,000 objects they were
    # loaded again and again, and patients went from 70 to 47 a second
    # between the first and the 70,000th. A batch job may keep them all.
    os.environ.setdefault("CPMS_CACHE_SIZE", "400000")
    cfg = cpms_instance.settings()
    try:
        cpms_instance.prepare_var(cfg["var"])
        etc = cpms_instance.write_config(cfg)
        cpms_instance.load_application(etc, cfg)
        cpms_instance.prepare_site(cfg)
    except cpms_instance.StartError as error:
        sys.exit(f"Cannot open the site: {error}")
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.SpecialUsers import system
    from ern.cpms import generator
    from Testing.makerequest import makerequest
    from zope.component.hooks import setSite
    from zope.globalrequest import setRequest

    import Zope2

    app = makerequest(Zope2.app())
    setRequest(app.REQUEST)
    site = app[cfg["site_id"]]
    setSite(site)
    newSecurityManager(None, system)
    began = time.monotonic()
    try:
        plan = generator.generate(site, scale, seed, out=sys.stdout)
    except ValueError as error:
        sys.exit(str(error))
    except KeyboardInterrupt:
        sys.exit("\nInterrupted: run the same command again to go on.")
    minutes = (time.monotonic() - began) / 60
    print(
        f"Network of SCALE={plan.scale} SEED={plan.seed} ready in {minutes:.1f} min: "
        f"{plan.centres} centres, {plan.users} users, {plan.patients} patients, "
        f"{plan.panels} panels. Users' password: the demo password; "
        "`make start` serves it."
    )


if __name__ == "__main__":
    main()
