"""Start and stop the web servers under test, on loopback, each in its own process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from sqlalchemy import text

from commerce.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # one per core of the bench machine; the floor gets the same
THREADS = int(os.environ.get("BENCH_THREADS", "2"))  # per worker, for the threaded servers

# How each candidate serves a WSGI factory. The command gets the target "module:factory".
SERVERS = {
    "granian": lambda target, port: [
        str(BIN / "granian"), "--interface", "wsgi", "--factory", "--workers", str(WORKERS),
        # Threads run Python under one GIL: a few per worker cover the waits on Redis and the
        # database; hundreds (granian's default for WSGI) only queue inside the process. No
        # --backpressure: granian holds it per open connection, so a backpressure of 2 let two
        # keep-alive connections shut every other client out of the worker.
        "--blocking-threads", str(THREADS),
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
        target.replace("()", "")],
    "gunicorn-sync": lambda target, port: [
        str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning", target],
    "gunicorn-gthread": lambda target, port: [
        str(BIN / "gunicorn"), "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target],
}

SESSION_TTL = 300  # the app's default, stated: the preloaded sessions get the same


def app_env(db_url: str, redis_url: str) -> dict[str, str]:
    """The settings Soko (and the floor, which reads REDIS_URL) run with in every bench."""
    return {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "USSD_SERVICE_CODE": "*384*123#",
            "USSD_SESSION_TTL": str(SESSION_TTL), "SHOP_NAME": "Soko", "HUBTEL_ENABLED": "1"}


SOKO = "gateway.wsgi:app()"
FLOOR = "bench.floor:create_app()"


def fresh_schema(base_url: str, name: str) -> str:
    """An empty schema `name` in the PostgreSQL at `base_url`; the URL that uses it."""
    engine = make_engine(base_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    finally:
        engine.dispose()
    return f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{name}"


def proc_stats() -> Iterator[tuple[int, list[str]]]:
    """Every process's pid and its /proc stat fields after the name (Linux): [0] the state, [1] the
    parent's pid, [2] the process group, [11] and [12] user and system CPU in clock ticks."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            yield int(stat.parent.name), stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # gone meanwhile
            continue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebServer:
    """One server process tree; `with WebServer(...) as url:` starts it and always stops it."""

    def __init__(self, kind: str, target: str, env: dict[str, str], log: Path):
        self.kind, self.target, self.env, self.log = kind, target, env, log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> str:
        cmd = SERVERS[self.kind](self.target, self.port)
        with open(self.log, "ab") as log:  # a file, not a pipe: a chatty server must never block
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **self.env}, start_new_session=True,
                                         stdout=log, stderr=log)
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        ready = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.log.read_text()[-2000:]}")
            try:
                # a form with no fields: Soko answers 400 once its app is built; the floor 400 too
                # Connection: close, so no idle keep-alive connection is left holding a blocking
                # thread of granian's (with one thread per worker, the next client would wait)
                requests.post(url + "/ussd/africastalking", data={}, timeout=2, headers={"Connection": "close"})
                ready += 1
                if ready >= 2 * WORKERS:
                    return url
            except requests.RequestException:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"{self.kind} did not answer on {url} within 30 s")

    def cpu_seconds(self) -> float:
        """CPU (user + system) used so far by the server's live processes (Linux /proc)."""
        total = sum(int(fields[11]) + int(fields[12]) for _, fields in proc_stats()
                    if int(fields[2]) == self.proc.pid)  # the process group we started
        return total / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass
