"""GET /healthz for load balancers: Redis and the database reachable, queue depths; 503 when either is down.
It also says how far behind the workers are (`lag`, seconds): the oldest job waiting on each RQ
queue, and from the database the oldest order not announced, checkout past due and SMS pending;
lag never makes it 503 (the web tier is healthy), it is for the operator and alerts.

Both checks run side by side with one deadline, so the answer comes within a second even when a
server hangs rather than refuses.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Blueprint, jsonify

from commerce import health
from gateway import soko
from gateway.admin import jobs

bp = Blueprint("health", __name__)

DEADLINE_SECONDS = 0.8
# A few threads shared by all requests: a hung check holds one until its own timeout ends.
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _timed(check):
    def run():
        start = time.perf_counter()
        detail = check()
        return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1), **detail}

    return run


def check_redis(s) -> dict:
    s.redis.ping()
    return {"queues": jobs.depths(s.jobs), "lag": s.jobs.lag()}


def check_database(s) -> dict:
    return {"lag": health.work_lag(s.db)}


@bp.get("/healthz")
def healthz():
    s = soko()
    futures = {"redis": _pool.submit(_timed(lambda: check_redis(s))),
               "database": _pool.submit(_timed(lambda: check_database(s)))}
    deadline = time.monotonic() + DEADLINE_SECONDS
    out = {}
    for name, future in futures.items():
        try:
            out[name] = future.result(timeout=max(deadline - time.monotonic(), 0))
        except FutureTimeout:
            out[name] = {"ok": False, "error": f"no answer within {DEADLINE_SECONDS}s"}
        except Exception as exc:  # noqa: BLE001 - any failure of the check means "down", with its kind
            out[name] = {"ok": False, "error": type(exc).__name__}
    queues = out["redis"].pop("queues", None)
    lag = {**(out["redis"].pop("lag", None) or {}), **(out["database"].pop("lag", None) or {})}
    healthy = out["redis"]["ok"] and out["database"]["ok"]
    body = {"status": "ok" if healthy else "down", **out, "queues": queues, "lag": lag}
    res = jsonify(body)
    res.status_code = 200 if healthy else 503
    res.headers["Cache-Control"] = "no-store"
    return res
