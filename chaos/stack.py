"""What a chaos scenario (and bench/pace.py) runs, on loopback, each part started and stopped here:
a PostgreSQL schema of its own, Redis (the machine's, a db number of our own; or a redis-server of
our own that a scenario may kill), the fake providers (tests/fakes.py) with per-path delays, a TCP
proxy in front of PostgreSQL that can stop forwarding, the Procfile's web server and worker.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis
from sqlalchemy.engine import make_url

from bench.servers import ROOT, WebServer, app_env, free_port, proc_stats
from tests.fakes import AT_API_KEY, AT_USERNAME, FakeProviders

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/soko_resilience"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"


def database_url() -> str:
    return os.environ.get("CHAOS_DATABASE_URL", DEFAULT_DATABASE)


def redis_url() -> str:
    return os.environ.get("CHAOS_REDIS_URL", DEFAULT_REDIS)


def via(url: str, port: int) -> str:
    """The same database URL through a proxy on 127.0.0.1:`port`."""
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


class SlowFake(FakeProviders):
    """The fake providers, with a delay per path (`hang("/mobile/checkout", 30)`)."""

    def __init__(self):
        self.hangs: dict[str, float] = {}
        self._release = threading.Event()
        super().__init__()

    def hang(self, fragment: str, seconds: float) -> None:
        self._release = threading.Event()
        self.hangs[fragment] = seconds

    def release(self) -> None:
        self.hangs.clear()
        self._release.set()

    def _dispatch(self, request):
        for fragment, seconds in list(self.hangs.items()):
            if fragment in request.path:
                self._release.wait(seconds)
        return super()._dispatch(request)


class OwnRedis:
    """A redis-server of our own on its own port (never the machine's 6379): kill -9 and start again."""

    def __init__(self):
        self.binary = shutil.which("redis-server") or shutil.which("valkey-server")
        if not self.binary:
            raise SystemExit("chaos: redis-server is not installed (Debian: apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("chaos: our redis-server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        self.kill()


class HoldingProxy:
    """A TCP proxy in front of PostgreSQL. `hold()`: it accepts and keeps every connection but
    forwards nothing either way (a server that stopped answering while its host still
    acknowledges packets); `release()`: forwarding again."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = threading.Event()
        self.open.set()
        self.closing = False
        threading.Thread(target=self._accept, daemon=True, name="pg-proxy").start()

    def hold(self) -> None:
        self.open.clear()

    def release(self) -> None:
        self.open.set()

    def stop(self) -> None:
        self.closing = True
        self.open.set()
        self.listener.close()

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self.open.wait()
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                self.open.wait()
                data = src.recv(65536)
                if not data:
                    break
                self.open.wait()  # held: what was read waits here, as in a hung server
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def soko_env(db_url: str, redis: str, fake: FakeProviders, **extra) -> dict[str, str]:
    """The settings the web server and the worker run with (the providers are the fake's)."""
    return {**app_env(db_url, redis), "SMS_BACKEND": "africastalking", "AT_USERNAME": AT_USERNAME,
            "AT_API_KEY": AT_API_KEY, "AT_API_URL": fake.url, "AT_PAYMENTS_URL": fake.url,
            "AT_PAYMENT_PRODUCT": "Soko Market", "PYTHONUNBUFFERED": "1", **extra}


class Worker:
    """The Procfile's worker command (`flask --app gateway worker`), in a process group of its own."""

    def __init__(self, env: dict[str, str], log: Path, processes: int = 3):
        self.env, self.log, self.processes = env, log, processes
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "gateway", "worker", "--processes", str(self.processes)],
                cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=log, start_new_session=True)

    def children(self) -> list[int]:
        """The worker processes under the supervisor (Linux /proc)."""
        return [pid for pid, fields in proc_stats()
                if self.proc and int(fields[1]) == self.proc.pid and fields[0] != "Z"]

    def group(self) -> list[int]:
        """Every live process of the worker's process group (orphans included)."""
        return [pid for pid, fields in proc_stats()
                if self.proc and int(fields[2]) == self.proc.pid and fields[0] != "Z"]

    def kill_supervisor(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def web(env: dict[str, str], log: Path) -> WebServer:
    return WebServer("granian", "gateway.wsgi:app()", env, log)


NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{soko}
}}
"""

# The front README "Running it in production" documents: nginx reads each request whole (headers
# and body, each within 2 s between packets) before Soko's server sees it, so a client that sends
# part of a body holds an nginx connection (a few KB), never one of Soko's few threads.
SOKO_SERVER = """
    client_header_timeout 2s;
    client_body_timeout 2s;
    client_max_body_size 64k;
    send_timeout 5s;
    upstream soko {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://soko;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_request_buffering on;
            proxy_read_timeout 10s;
        }}
    }}
"""


class Nginx:
    """nginx in front of the web server, configured as README's production section says."""

    def __init__(self, upstream_port: int, tmp: Path):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise SystemExit("chaos: the slow-clients scenario runs behind nginx; install it "
                             "(Debian: apt-get install nginx-light)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        tmp.mkdir(parents=True, exist_ok=True)
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, soko=SOKO_SERVER.format(upstream=upstream_port, listen=self.port)))
        self.proc = subprocess.Popen([binary, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"chaos: nginx did not start: {(tmp / 'nginx-error.log').read_text()[-500:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class FakeProcess:
    """The fake providers in a process of their own (bench/pace.py): under load the buyers' threads
    and the fake's would share one interpreter lock, and the worker's provider calls would wait for
    the load client instead of a provider. `requests_to` fetches what it recorded."""

    def __init__(self):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_fake_main, args=(child,), daemon=True)
        self.proc.start()
        self.url = self._conn.recv()
        self._records: list | None = None

    def requests_to(self, fragment: str) -> list[dict]:
        if self._records is None:
            self._conn.send("dump")
            self._records = self._conn.recv()
        return [r for r in self._records if fragment in r["path"]]

    def refresh(self) -> None:
        self._records = None

    def stop(self) -> None:
        if self.proc.is_alive():
            self._conn.send("stop")
            self.proc.join(timeout=5)


def _fake_main(conn) -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    fake = FakeProviders()
    conn.send(fake.url)
    while True:
        command = conn.recv()
        if command == "dump":
            conn.send([{k: r[k] for k in ("path", "json", "form", "at")} for r in fake.requests])
        else:
            fake.stop()
            return
