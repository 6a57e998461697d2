"""GET /metrics in the Prometheus text format (prometheus_client).

Two kinds of numbers, chosen so that any number of gunicorn workers report the truth:

* What the world holds — orders by status, payments by method and result, SMS by status, queue
  depths, Africa's Talking's end-of-session reports — is read from the database and Redis at
  scrape time (a few GROUP BY counts and LLENs), so it is the same whichever worker answers.
* What this process saw — the latency of each hop per endpoint, USSD sessions started and ended —
  lives in process memory. With several workers set `PROMETHEUS_MULTIPROC_DIR` to an empty
  directory (prometheus_client's multiprocess mode): every worker writes there and a scrape sums
  them. Without it, each worker reports its own share.
"""

from __future__ import annotations

import os
import time
from functools import wraps

import redis
from flask import Blueprint, Flask, Response, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

from commerce import health, reports
from gateway import soko
from gateway.admin import jobs

bp = Blueprint("metrics", __name__)

_process = CollectorRegistry(auto_describe=True)
HOP_SECONDS = Histogram(
    "soko_http_request_duration_seconds", "Time to answer a request, per endpoint.", ["endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0), registry=_process)
USSD_STARTED = Counter("soko_ussd_sessions_started", "USSD sessions that got their first screen.",
                       registry=_process)
USSD_ENDED = Counter("soko_ussd_sessions_ended", "USSD sessions we ended with an END screen.", registry=_process)

USSD_ENDPOINT = "ussd.africastalking"


_timers: dict = {}  # endpoint -> its histogram child (labels() takes a lock and a lookup per call)


def init_app(app: Flask) -> None:
    """Time every request. Call it once every blueprint is registered: the hooks go on each
    blueprint but the USSD one, whose views time themselves (`timed_ussd`): the hop is the hot
    path, and two hooks with their `g` look-ups cost it a few percent of its CPU."""
    app.register_blueprint(bp)
    for name in list(app.blueprints):
        if "." in name or name in ("ussd", "metrics"):
            continue  # a nested blueprint's requests run its parent's hooks
        app.before_request_funcs.setdefault(name, []).append(_start)
        app.after_request_funcs.setdefault(name, []).append(_observe)


def _timer(endpoint: str):
    timer = _timers.get(endpoint)
    if timer is None:
        timer = _timers[endpoint] = HOP_SECONDS.labels(endpoint)
    return timer


def _start():
    g.soko_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("soko_started", None)  # None when an earlier hook answered (an auth guard)
    if started is not None:
        _timer(request.endpoint).observe(time.perf_counter() - started)
    return response


def timed_ussd(view):
    """A USSD view's own timing, and for the hop the session counts (started: a first hop answered
    with CON; ended: any END we answered). The view says whether the hop was a first one."""
    endpoint = "ussd." + view.__name__

    @wraps(view)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        response = view(*args, **kwargs)
        if endpoint == USSD_ENDPOINT:
            hop_done(endpoint, started, response.status_code, response.get_data()[:3],
                     g.get("ussd_first_hop", False))
        else:
            _timer(endpoint).observe(time.perf_counter() - started)
        return response

    return timed


def hop_done(endpoint: str, started: float, status: int, answer: str | bytes, first: bool) -> None:
    """An Africa's Talking hop answered: its time, and the session it started or ended."""
    _timer(endpoint).observe(time.perf_counter() - started)
    if status == 200:
        if answer[:3] in ("END", b"END"):
            USSD_ENDED.inc()
        elif first and answer[:3] in ("CON", b"CON"):
            USSD_STARTED.inc()


class WorldCollector:
    """Counts read from the database and Redis at each scrape."""

    def __init__(self, app_state):
        self.s = app_state

    def collect(self):
        up = GaugeMetricFamily("soko_dependency_up", "Whether the scrape could read this dependency.",
                               labels=["dependency"])
        lag = GaugeMetricFamily("soko_work_lag_seconds", "Age of the oldest waiting work: per RQ queue, and "
                                "from the database (unannounced_orders, due_checkouts, pending_messages).",
                                labels=["queue"])
        try:
            yield from self._database()
            for name, age in health.work_lag(self.s.db).items():
                lag.add_metric([name], age)
            up.add_metric(["database"], 1)
        except SQLAlchemyError:
            up.add_metric(["database"], 0)
        try:
            yield self._queues()
            for name, age in self.s.jobs.lag().items():
                lag.add_metric([name], age)
            up.add_metric(["redis"], 1)
        except redis.RedisError:
            up.add_metric(["redis"], 0)
        yield up
        yield lag

    # (metric, help, labels, key in reports.world_counts)
    WORLD = (("soko_orders", "Orders by status.", ["status"], "orders"),
             ("soko_payments", "Payments recorded, by method and result.", ["method", "result"], "payments"),
             ("soko_sms", "Outbound SMS by status.", ["status"], "sms"),
             ("soko_ussd_session_reports", "Africa's Talking end-of-session reports, by status.", ["status"],
              "session_reports"))

    def _database(self):
        counts = reports.world_counts(self.s.db)
        families = []
        for metric, help_text, labels, key in self.WORLD:
            family = GaugeMetricFamily(metric, help_text, labels=labels)
            for *values, n in counts[key]:
                family.add_metric(list(values), n)
            families.append(family)
        return families

    def _queues(self):
        family = GaugeMetricFamily("soko_queue_jobs", "RQ jobs waiting or failed for good, per queue.",
                                   labels=["queue", "state"])
        for name, depth in jobs.depths(self.s.jobs).items():
            family.add_metric([name, "queued"], depth["queued"])
            family.add_metric([name, "failed"], depth["failed"])
        return family


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return _process


@bp.get("/metrics")
def metrics():
    world = CollectorRegistry(auto_describe=False)
    world.register(WorldCollector(soko()))
    body = generate_latest(_process_registry()) + generate_latest(world)
    return Response(body, content_type=CONTENT_TYPE_LATEST)
