"""The RQ worker over Soko's queues, with RQ's scheduler (delayed jobs and retries need it) and
Soko's periodic sweeps (workers/periodic.py).

It is a SimpleWorker: jobs run in the worker process itself, reusing its database pool and Redis
connection, instead of a forked work horse per job. Measured with bench/sms_throughput.py on the
bench machine: 7,177 SMS/s batched and 122 single-message jobs/s, against 1,729 and 21 with the
forking Worker. Soko's jobs are short, take ids, re-read the database and are safe to run twice,
so the fork's isolation buys little; a worker that dies is restarted by the process manager and
RQ puts its job in the failed registry. Run more worker processes for more throughput."""

from __future__ import annotations

import threading

from rq import SimpleWorker

from config import Settings
from workers import periodic
from workers import runtime as rt
from workers.queues import queues


def main(settings: Settings, burst: bool = False) -> bool:
    """The worker process (`flask --app gateway worker`): its own runtime, then the work loop."""
    rt.use(rt.build(settings))
    return run_worker(burst=burst)


def run_worker(burst: bool = False) -> bool:
    r = rt.runtime()
    worker = SimpleWorker(list(queues(r.redis).values()), connection=r.redis)
    cron = periodic.cron(r.redis)
    if burst:
        periodic.enqueue_due(cron)  # once: every sweep runs in this burst
        return worker.work(with_scheduler=True, burst=True)
    stop = threading.Event()
    periodic.start_thread(cron, stop)
    try:
        return worker.work(with_scheduler=True)
    finally:
        stop.set()
