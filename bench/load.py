"""The load client: wrk with bench/journey.lua, one connection per thread, bounded in time."""

from __future__ import annotations

import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("journey.lua")


def find_wrk() -> str:
    """wrk's path; installs it with apt-get when missing and allowed, else stops with what to do."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("bench: wrk is missing; installing it with apt-get ...", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("bench: the load client wrk is not installed. Install it (Debian/Ubuntu: "
                     "sudo apt-get install wrk; macOS: brew install wrk) and run make bench again.")


@dataclass
class Load:
    hops_per_s: float
    journeys_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # wrong answers + socket errors + connections never answered
    client_cpu: float  # cores the load client itself used (user+sys seconds / wall seconds)
    hops: int
    orders: int = 0  # orders the run placed (set by the caller, who can see the database)
    server_ms_per_hop: float = 0.0  # server CPU per hop (set by the caller, who knows the server)


# Each run's buyers are new numbers (journey.lua starts its sequence here): the same buyer confirming
# the same order again within minutes is asked "Order it again?" (issue 13), not the journey measured.
# A thread makes a few hundred journeys in a 10 s run; 3,000 leaves room for 30 runs in 100,000.
JOURNEYS_PER_RUN = 3000
_RUNS = itertools.count()

def run(url: str, *, mode: str, connections: int, seconds: float, phone_prefix: str = "25471",
        codes: list[str] = ()) -> Load:
    """`codes`: the product codes the "code" journey types at Search (bench.hops.product_codes)."""
    cmd = [find_wrk(), "-t", str(connections), "-c", str(connections), "-d", f"{seconds:g}s",
           "--timeout", "5s", "-s", str(SCRIPT), url, "--", mode, phone_prefix, os.urandom(4).hex(),
           str(next(_RUNS) * JOURNEYS_PER_RUN), ",".join(codes)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # only wrk is reaped during the run
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out, err = proc.stdout, proc.stderr
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out[-1000:]} {err[-1000:]}")
    if err.strip():
        print(err.strip()[:600], file=sys.stderr)
    r = json.loads(line[6:])
    if r["starved"]:
        print(f"bench: {r['starved']} of {connections} connections were never answered", file=sys.stderr)
    wall = r["duration_us"] / 1e6
    return Load(
        hops_per_s=r["requests"] / wall,
        journeys_per_s=r["journeys"] / wall,
        p50_ms=r["p50_us"] / 1000, p95_ms=r["p95_us"] / 1000, p99_ms=r["p99_us"] / 1000,
        errors=r["wrong_answers"] + r["socket_errors"] + r["starved"],
        client_cpu=(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / wall,
        hops=r["requests"],
    )

