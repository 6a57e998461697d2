"""The worker process (`flask --app gateway worker [--processes N]`): RQ SimpleWorkers over Soko's
queues, each with three threads beside it: the order dispatcher (workers/dispatch.py), RQ's
scheduler for delayed jobs and retries, and Soko's periodic sweeps (workers/periodic.py).

Threads, not processes: RQ's own `with_scheduler=True` forks a scheduler process that outlives a
worker killed with SIGKILL and keeps the scheduling lock while nobody schedules; a thread dies with
its process, and its lock (LOCK_TTL) lapses within seconds for another process to take.

It is a SimpleWorker: jobs run in the worker process itself, reusing its database pool and Redis
connection, instead of a forked work horse per job. Measured with bench/sms_throughput.py on the
bench machine: 7,177 SMS/s batched and 122 single-message jobs/s, against 1,729 and 21 with the
forking Worker. Soko's jobs are short, take ids, re-read the database and are safe to run twice.

Redis going away does not stop a worker: RQ retries its dequeue, and when its loop gives up
(a timeout, an error in its bookkeeping) the worker is built again after a backoff (1 s doubling
to 30 s); the dispatcher keeps announcing orders from the database meanwhile. SIGTERM or SIGINT
stops it after the job in hand (RQ's warm shutdown); a second one stops it at once.

With `--processes N` (N > 1) this process supervises N workers (forked, each with its own
connections): a child that dies is started again after a second, and each child is killed with
its parent even when the parent is SIGKILLed (PR_SET_PDEATHSIG), so no worker outlives its
supervisor. The children take the queues in lanes (`lanes`): from three on, one only checkouts,
one only the transactional SMS and sweeps, the rest everything, time-critical first; so a hung
SMS provider does not hold the checkouts, a hung payment provider does not hold the SMS, and a
broadcast holds neither.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
import time

import redis
from rq import SimpleWorker
from rq.scheduler import RQScheduler
from rq.scripts import acquire_or_refresh_lock

from config import Settings
from workers import dispatch, periodic
from workers import runtime as rt
from workers.queues import QUEUE_NAMES, queues

log = logging.getLogger("soko.worker")

LOCK_TTL = 5  # seconds a scheduler's lock outlives its last refresh (RQ's own: 61)
BACKOFF = (1, 2, 4, 8, 16, 30)  # seconds before building the worker again after Redis failed it


class _Worker(SimpleWorker):
    """RQ's SimpleWorker, remembering that it was asked to stop (RQ raises out of an idle wait
    without setting its own flag, which would read as Redis having failed it)."""

    stopping = threading.Event()

    def request_stop(self, signum, frame):
        self.stopping.set()
        super().request_stop(signum, frame)


def lanes(processes: int) -> list[tuple[str, ...]]:
    """The queues each of `processes` workers takes, in priority order. One process takes
    everything; two keep bulk work to the second; from three on, the first takes only checkouts
    and the second only SMS and sweeps (a hung provider holds only its own lane, and neither waits
    behind a broadcast), the rest everything, SMS first."""
    if processes <= 1:
        return [QUEUE_NAMES]
    if processes == 2:
        return [("payments", "sms", "orders"), ("sms", "payments", "orders", "bulk")]
    return [("payments",), ("sms", "orders")] + [("sms", "payments", "orders", "bulk")] * (processes - 2)


def main(settings: Settings, burst: bool = False, processes: int = 1) -> bool:
    """`flask --app gateway worker`: one worker here, or a supervisor of `processes` of them."""
    if processes > 1 and not burst:
        return supervise(settings, processes)
    rt.use(rt.build(settings))
    return run_worker(burst=burst)


def run_worker(queue_names: tuple[str, ...] = QUEUE_NAMES, burst: bool = False) -> bool:
    r = rt.runtime()
    if burst:
        return _burst(r, queue_names)
    stop = threading.Event()
    threads = [dispatch.start_thread(stop), _scheduler_thread(r.redis, stop),
               periodic.start_thread(periodic.cron(r.redis), stop)]
    worked, attempt = False, 0
    try:
        while not stop.is_set():
            worker = _Worker([queues(r.redis)[name] for name in queue_names], connection=r.redis)
            try:
                worked |= worker.work(with_scheduler=False)
                attempt = 0
            except redis.RedisError as exc:  # raised outside RQ's own loop (its bootstrap, its teardown)
                log.warning("worker: Redis failed it (%s)", exc)
            if _Worker.stopping.is_set() or worker._stop_requested:  # SIGTERM/SIGINT: the job in hand is done
                break
            wait = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            attempt += 1
            log.warning("worker: its loop stopped (Redis away?); building it again in %d s", wait)
            if _Worker.stopping.wait(wait):
                break
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=2)
    return worked


def _burst(r, queue_names) -> bool:
    """`worker --burst`: one dispatcher look, the sweeps once, then every job that is due."""
    dispatch.tick()
    periodic.enqueue_due(periodic.cron(r.redis))
    scheduler = _scheduler(r.redis, queue_names)
    _schedule_once(r.redis, scheduler)
    worker = SimpleWorker([queues(r.redis)[name] for name in queue_names], connection=r.redis)
    worked = worker.work(burst=True)
    scheduler.release_locks()
    return worked


def _scheduler(conn, queue_names=QUEUE_NAMES) -> RQScheduler:
    return RQScheduler(list(queue_names), connection=conn)


def _schedule_once(conn, scheduler: RQScheduler) -> None:
    """Take (or keep) the scheduling lock of each queue for LOCK_TTL, and move due jobs to it."""
    held = set()
    for name in QUEUE_NAMES:
        if acquire_or_refresh_lock(conn, RQScheduler.get_locking_key(name), scheduler.name, LOCK_TTL) != "taken":
            held.add(name)
    if held != scheduler._acquired_locks:
        scheduler._acquired_locks = held
        scheduler.prepare_registries(held)
    if held:
        scheduler.enqueue_scheduled_jobs()


def _scheduler_thread(conn, stop: threading.Event, every: float = 1.0) -> threading.Thread:
    """RQ's scheduler (delayed jobs, retries) in a thread of this worker: it dies with the process."""
    scheduler = _scheduler(conn)

    def loop():
        failing = False
        while not stop.is_set():
            try:
                _schedule_once(conn, scheduler)
                failing = False
            except redis.RedisError as exc:
                if not failing:
                    log.warning("scheduler: %s; trying again every %g s", exc, every)
                failing = True
            stop.wait(every)
        try:
            scheduler.release_locks()
        except redis.RedisError:
            pass  # the lock lapses by itself (LOCK_TTL)

    thread = threading.Thread(target=loop, name="soko-scheduler", daemon=True)
    thread.start()
    return thread


# -- the supervisor ---------------------------------------------------------------------------

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent dies, however it dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass  # not Linux: the supervisor's SIGTERM still stops the children on a clean stop


def supervise(settings: Settings, processes: int) -> bool:
    """Run `processes` workers in lanes; start again any that dies; stop them all on SIGTERM/SIGINT."""
    plan = lanes(processes)
    children: dict[int, int] = {}  # pid -> lane
    stopping = threading.Event()

    def start(lane: int) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: its own runtime and connections, nothing of the parent's
            code = 1
            try:
                _die_with_parent()
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                rt.use(rt.build(settings))
                run_worker(plan[lane])
                code = 0
            finally:
                os._exit(code)
        children[pid] = lane
        log.info("worker %d started on %s", pid, ",".join(plan[lane]))

    def on_signal(signum, frame):
        stopping.set()
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for lane in range(len(plan)):
        start(lane)
    deadline = None
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if stopping.is_set():
                deadline = deadline or time.monotonic() + 30
                if time.monotonic() > deadline:  # a job that will not finish: stop it cold
                    for child in list(children):
                        os.kill(child, signal.SIGKILL)
            time.sleep(0.2)
            continue
        lane = children.pop(pid, None)
        if lane is None or stopping.is_set():
            continue
        log.warning("worker %d on %s exited (%s); starting another", pid, ",".join(plan[lane]), status)
        time.sleep(1)
        start(lane)
    return True
