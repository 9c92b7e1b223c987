"""`make bench-cluster`: the cluster with one and with two Zope instances
behind HAProxy, same run, same machine (scripts/cluster.py).

The cluster keeps its own data in var/bench-cluster (BENCH_CLUSTER_VAR;
the demo network, made at its first start). For 1 and then 2 instances (2
threads each), it is started, then measured through the balancer:

- the panel page (Classic UI, a member with a second factor): requests per
  second with wrk, 8 connections for BENCH_SECONDS;
- enrolment through REST: 8 clients enrolling for BENCH_SECONDS (each a
  new patient), acknowledged enrolments per second;
- the conflict-error rate of those enrolments: conflicts the instances met
  and retried (their event logs), per acknowledged enrolment.

The results go to docs/performance.md between their markers. Nothing here
asserts a time.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bench
import cluster
import os
import re
import signal
import subprocess
import sys
import threading
import time


ROOT = bench.ROOT
VAR = Path(os.environ.get("BENCH_CLUSTER_VAR") or ROOT / "var" / "bench-cluster")
SECONDS = bench.SECONDS
CLIENTS = 8
START, END = "<!-- make bench-cluster: start -->", "<!-- make bench-cluster: end -->"


class Cluster:
    def __init__(self, instances):
        self.instances = instances
        self.port = bench.free_port()
        first = bench.free_port()
        self.log = VAR / f"bench-cluster-{instances}.log"
        VAR.mkdir(parents=True, exist_ok=True)
        env = bench.env_for(
            VAR,
            CPMS_PORT=str(self.port),
            CPMS_HOST="127.0.0.1",
            CPMS_INSTANCES=str(instances),
            CPMS_THREADS="2",
            CPMS_INSTANCE_PORT=str(first),
            CPMS_DEMO="1",
        )
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [bench.PYTHON, str(ROOT / "scripts" / "cluster.py"), "start"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{self.port}"
        self.site = f"{self.url}/cpms"
        if not cluster._wait_for(f"{self.site}/@@ok", self.process, seconds=600):
            sys.exit(f"The cluster did not start; see {self.log}")

    def conflicts(self):
        logs = (VAR / "cluster" / "log").glob("instance-*/event.log")
        return sum(p.read_text().count("ConflictError") for p in logs)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)


def tokens():
    """dr.dekker's and expert.rossi's tokens, from the keys the first start
    printed (kept: a token outlives a restart, its key being stored)."""
    saved = VAR / "bench-tokens"
    if saved.exists():
        return dict(line.split(" ", 1) for line in saved.read_text().splitlines())
    output = (VAR / "bench-cluster-1.log").read_text()
    found = {}
    for userid in ("dr.dekker", "expert.rossi"):
        key = re.search(rf"{re.escape(userid)}\s+key ([A-Z2-7]{{16,}})", output)
        if key is None:
            sys.exit(f"No key for {userid} in the first start's output: remove {VAR}.")
        found[userid] = bench.token(CURRENT, CURRENT.site, userid, key[1])
    saved.write_text("".join(f"{k} {v}\n" for k, v in found.items()))
    saved.chmod(0o600)
    return found


def panel_of(token):
    found = bench.session(token, "application/json").get(
        f"{CURRENT.site}/@search",
        params={"portal_type": "Panel", "review_state": "open"},
        timeout=60,
    )
    return bench.local(found.json()["items"][0]["@id"], CURRENT)


def enrolments(token, run):
    """Acknowledged enrolments per second with CLIENTS clients; errors."""
    done, failed = [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def client(number):
        s = bench.session(token, "application/json")
        count = 0
        while time.monotonic() < stop_at:
            count += 1
            response = s.post(
                f"{CURRENT.site}/centres/erasmus-mc",
                json=bench.enrolment(f"Bench {run} {number} {count}", "Cluster"),
                timeout=120,
            )
            with lock:
                (done if response.status_code == 201 else failed).append(1)

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    return len(done) / (time.monotonic() - began), len(done), len(failed)


CURRENT = None


def main():
    global CURRENT
    if bench.shutil.which("wrk") is None:
        sys.exit("wrk is missing: `make bench-cluster` installs Debian's package.")
    results = {}
    run = int(time.time())
    for instances in (1, 2):
        CURRENT = Cluster(instances)
        try:
            token = tokens()
            panel = panel_of(token["expert.rossi"])
            page = bench.wrk(panel, token["expert.rossi"])
            before = CURRENT.conflicts()
            rate, done, failed = enrolments(token["dr.dekker"], f"{run}-{instances}")
            conflicts = CURRENT.conflicts() - before
            results[instances] = (page, rate, done, failed, conflicts)
            print(instances, results[instances], flush=True)
        finally:
            CURRENT.stop()
    text = report(results)
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "docs" / "performance.md")
    out.write_text(bench.with_results(out, text, START, END))
    print(text)


def report(results):
    one, two = results[1], results[2]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with `make bench-cluster` on "
        f"{bench.machine()}; PostgreSQL 15 (private, same machine), HAProxy, "
        f"2 threads per instance, {CLIENTS} clients for {SECONDS} s each.",
        "",
        "| | 1 instance | 2 instances | 2 vs 1 |",
        "|---|---|---|---|",
        f"| panel page, requests/s (wrk) | {one[0]:.1f} | {two[0]:.1f} | "
        f"{two[0] / one[0]:.2f}x |",
        f"| enrolment (REST), acknowledged/s | {one[1]:.1f} | {two[1]:.1f} | "
        f"{two[1] / one[1]:.2f}x |",
        f"| enrolments acknowledged / failed | {one[2]} / {one[3]} | "
        f"{two[2]} / {two[3]} | |",
        f"| conflict errors retried per enrolment | {one[4] / max(one[2], 1):.2f} | "
        f"{two[4] / max(two[2], 1):.2f} | |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
