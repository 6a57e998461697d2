"""The RQ worker over Soko's queues, with RQ's scheduler (delayed jobs and retries need it)."""

from __future__ import annotations

from rq import Worker

from workers import runtime as rt
from workers.queues import queues


def run_worker(burst: bool = False) -> bool:
    r = rt.runtime()
    worker = Worker(list(queues(r.redis).values()), connection=r.redis)
    return worker.work(with_scheduler=True, burst=burst)
