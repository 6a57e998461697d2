"""The RQ worker over Soko's queues, with RQ's scheduler (delayed jobs and retries need it) and
Soko's periodic sweeps (workers/periodic.py)."""

from __future__ import annotations

import threading

from rq import Worker

from workers import periodic
from workers import runtime as rt
from workers.queues import queues


def run_worker(burst: bool = False) -> bool:
    r = rt.runtime()
    worker = Worker(list(queues(r.redis).values()), connection=r.redis)
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
