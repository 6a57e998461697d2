"""`make chaos`: break one thing at a time under steady buyers, then count what was lost or doubled.

    .venv/bin/python -m chaos                      # every scenario (about 8 minutes)
    .venv/bin/python -m chaos redis-killed slow-clients --buyers 16

Each scenario, bounded in time, on loopback: a fresh PostgreSQL schema in CHAOS_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/soko_resilience), Redis at CHAOS_REDIS_URL (default
the machine's, db 13; the Redis scenario runs a redis-server of its own that it kills), the fake
providers, the Procfile's web server and worker (`--processes 3`). Buyers order for `--before`
seconds, the fault lasts `--fault` seconds while they go on, they go on `--after` seconds, then the
scenario waits (at most `--settle` seconds) for the worker to finish what is due, and counts:
orders shown vs placed, checkout requests per mobile-money order, messages by status, duplicate
SMS at the provider, stock, ledger, hops over 2 s. Any loss, doubling or stall fails it; the exit
status is the number of scenarios that failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench import catalog
from bench.servers import fresh_schema
from chaos import checks, stack
from chaos.buyers import Buyers, SlowClients
from commerce.db import make_engine
from commerce.models import Product
from config import load_settings

SWEEP = 60  # the longest sweep interval that recovery may take (workers/periodic.py)


def _redis_kill(ctx):
    ctx.own_redis.kill()
    time.sleep(ctx.args.fault)
    ctx.own_redis.start()


def _worker_kill(ctx):
    """SIGKILL a worker process four times (the supervisor starts another), then the supervisor
    itself (its children must die with it), and start the command again as any process manager would."""
    end = time.time() + ctx.args.fault
    for _ in range(4):
        children = ctx.worker.children()
        if children:
            os.kill(random.choice(children), 9)
        time.sleep(max(end - time.time(), 0) / 5)
    before = ctx.worker.group()
    ctx.worker.kill_supervisor()
    time.sleep(1.0)
    alive = [pid for pid in before if Path(f"/proc/{pid}").exists()
             and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    ctx.notes["worker processes left after the supervisor was killed"] = len(alive)
    if alive:
        ctx.problems.append(f"{len(alive)} worker processes outlived their supervisor")
    time.sleep(max(end - time.time(), 0))
    ctx.worker.start()


def _pg_hold(ctx):
    ctx.proxy.hold()
    time.sleep(ctx.args.fault)
    ctx.proxy.release()


def _provider_hung(ctx):
    """Mobile checkout hangs 30 s a request: the SMS must keep flowing."""
    ctx.fake.hang("/mobile/checkout", 30)
    time.sleep(ctx.args.fault)
    ctx.fake.release()


def _slow_clients(ctx):
    port = int(ctx.url.rsplit(":", 1)[1])
    slow = SlowClients("127.0.0.1", port, ctx.args.slow_clients).start()
    time.sleep(ctx.args.fault)
    ctx.notes["slow connections still held open by the server at the end"] = slow.still_held()
    slow.stop()


SCENARIOS = {
    "redis-killed": _redis_kill,
    "worker-killed": _worker_kill,
    "postgres-held": _pg_hold,
    "provider-hung": _provider_hung,
    "slow-clients": _slow_clients,
}


class Ctx:
    def __init__(self, args, url, worker, fake, proxy, own_redis):
        self.args, self.url, self.worker, self.fake, self.proxy, self.own_redis = (
            args, url, worker, fake, proxy, own_redis)
        self.notes, self.problems = {}, []


def run(name: str, args, tmp: Path) -> bool:
    print(f"\n== {name}", flush=True)
    base = load_settings({"DATABASE_URL": stack.database_url()}).database_url
    db_url = fresh_schema(base, f"chaos_{name.replace('-', '_')}")
    catalog.build(db_url, 1000)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        initial = dict(conn.execute(select(Product.__table__.c.id, Product.__table__.c.stock)).all())
    own_redis = stack.OwnRedis() if name == "redis-killed" else None
    redis_url = own_redis.url if own_redis else stack.redis_url()
    redis.Redis.from_url(redis_url).flushdb()
    fake = stack.SlowFake()
    pg = make_url(db_url)
    proxy = stack.HoldingProxy((pg.host or "127.0.0.1", pg.port or 5432))
    served_url = stack.via(db_url, proxy.port)
    env = stack.soko_env(served_url, redis_url, fake, PAYMENT_WINDOW_MINUTES="1")
    worker = stack.Worker(env, tmp / f"{name}-worker.log", processes=args.processes)
    front = None
    try:
        with stack.web(env, tmp / f"{name}-web.log") as url:
            if name == "slow-clients":  # the production set-up for slow clients: nginx in front
                front = stack.Nginx(int(url.rsplit(":", 1)[1]), tmp / "nginx")
                url = front.url
            worker.start()
            ctx = Ctx(args, url, worker, fake, proxy, own_redis)
            buyers = Buyers(url, args.buyers, think=args.think).start()
            time.sleep(args.before)
            fault_at = time.time()
            SCENARIOS[name](ctx)
            fault_end = time.time()
            time.sleep(args.after)
            results = buyers.stop()
            deadline = time.time() + args.settle
            while (left := checks.unsettled(engine)) and any(left.values()) and time.time() < deadline:
                time.sleep(1)
            settled = time.time() - fault_end
            counts, problems = checks.count(engine, fake, results, initial)
            problems = ctx.problems + problems
            if any(left.values()):
                problems.append(f"still waiting {args.settle:g} s after the load stopped: {left}")
            elif settled > SWEEP + args.after + 5:
                problems.append(f"recovery took {settled:.0f} s after the fault (over a sweep interval)")
            worker.stop()
    finally:
        worker.stop()
        if front:
            front.stop()
        fake.release()
        fake.stop()
        proxy.stop()
        if own_redis:
            own_redis.stop()
        engine.dispose()
    counts["fault"] = f"{fault_end - fault_at:.1f} s, from {fault_at - results.hops[0][0]:.0f} s into the run"
    counts["everything settled"] = f"{settled:.1f} s after the fault ended"
    counts.update(ctx.notes)
    for key, value in counts.items():
        print(f"  {key:<56} {json.dumps(value) if isinstance(value, dict) else value}")
    for p in problems:
        print(f"  FAIL: {p}")
    print(f"  {'ok' if not problems else 'FAILED'}: {name}", flush=True)
    if problems:
        for log in (tmp / f"{name}-worker.log", tmp / f"{name}-web.log"):
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-8:]
                print(f"  {log.name} ends:\n    " + "\n    ".join(tail))
    return not problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*", default=[], metavar="SCENARIO",
                    help=f"some of: {', '.join(SCENARIOS)} (default: all)")
    ap.add_argument("--buyers", type=int, default=24, help="steady buyers (24)")
    ap.add_argument("--think", type=float, default=0.1, help="seconds between a buyer's hops (0.1)")
    ap.add_argument("--processes", type=int, default=3, help="worker processes (3)")
    ap.add_argument("--before", type=float, default=10, help="seconds of load before the fault (10)")
    ap.add_argument("--fault", type=float, default=10, help="seconds the fault lasts (10)")
    ap.add_argument("--after", type=float, default=10, help="seconds of load after it (10)")
    ap.add_argument("--settle", type=float, default=90, help="longest wait for the worker afterwards (90)")
    ap.add_argument("--slow-clients", type=int, default=64, help="partial bodies held open (64)")
    args = ap.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the fake providers' request lines
    names = args.scenarios or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        ap.error(f"unknown scenario {unknown[0]!r}; choose from {', '.join(SCENARIOS)}")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="soko-chaos-") as tmp:
        for name in names:
            failed += not run(name, args, Path(tmp))
    print(f"\n{len(names) - failed} of {len(names)} scenarios passed", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
