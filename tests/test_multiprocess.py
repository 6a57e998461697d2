"""No state lives in a process: two web processes and two RQ workers share one Redis and one
database, and one buyer's hops alternate between the web processes.

Real processes (the production web server, `flask --app gateway worker`, `flask ... add-agent`),
talking to the test's Redis and database and to the fake Africa's Talking server. No timings are
asserted; the waits below only bound how long a broken build takes to fail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from commerce.models import Message, Order, Product
from config import ROOT
from tests.fakes import AT_API_KEY, AT_USERNAME

BIN = Path(sys.executable).parent
BUYER = "+254712345678"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def env(settings, fake_providers):
    return {**os.environ, "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url, "USSD_SERVICE_CODE": settings.ussd_service_code,
            "SMS_BACKEND": "africastalking", "AT_USERNAME": AT_USERNAME, "AT_API_KEY": AT_API_KEY,
            "AT_API_URL": fake_providers.url}


@pytest.fixture
def processes(env):
    started: list[subprocess.Popen] = []

    def start(cmd: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for proc in started:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _web(start) -> str:
    """One web process (the Procfile's server, one worker) on a port of its own."""
    port = _free_port()
    start([str(BIN / "granian"), "--interface", "wsgi", "--factory", "--workers", "1", "--host", "127.0.0.1",
           "--port", str(port), "--no-access-log", "gateway.wsgi:app"])
    return _answering(port)


def _answering(port: int) -> str:
    """The web server's URL once it answers (a 400: the app is built), within a minute."""
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            # Connection: close, so the probe leaves no idle keep-alive connection behind
            requests.post(url + "/ussd/africastalking", data={}, timeout=2, headers={"Connection": "close"})
            return url
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError(f"the web process on {url} never answered")


class Handset:
    """One buyer; each hop goes to the next web process in turn."""

    def __init__(self, urls: list[str], session_id: str, phone: str = BUYER):
        self.urls, self.session_id, self.phone, self.inputs, self.hops = urls, session_id, phone, [], 0

    def post(self, text: str) -> str:
        url = self.urls[self.hops % len(self.urls)]
        self.hops += 1
        res = requests.post(url + "/ussd/africastalking", timeout=10, data={
            "sessionId": self.session_id, "serviceCode": "*384*123#", "phoneNumber": self.phone, "text": text,
            "networkCode": "63902"})
        assert res.status_code == 200, res.text
        return res.text

    def dial(self) -> str:
        self.inputs = []
        return self.post("")

    def send(self, value: str) -> str:
        self.inputs.append(value)
        return self.post("*".join(self.inputs))

    def resend(self) -> str:
        return self.post("*".join(self.inputs))


def _wait_for(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def test_one_buyer_across_two_web_processes_and_two_workers(seeded, processes, fake_providers):
    urls = [_web(processes), _web(processes)]
    for _ in range(2):
        processes([str(BIN / "flask"), "--app", "gateway", "worker"])

    s = Handset(urls, "ATUid_multi1")
    assert s.dial().startswith("CON Welcome to Soko")
    assert "1. Food" in s.send("1")
    assert "Maize flour 2kg KES 180" in s.send("1")
    product = s.send("1")
    assert "In stock: 120" in product
    assert s.resend() == product  # the same hop redelivered to the other process: same screen
    assert "How many?" in s.send("1")
    assert "Pickup point:" in s.send("2")
    assert "How will you pay?" in s.send("1")
    assert "Total KES 360" in s.send("2")
    done = s.send("1")
    assert done.startswith("END Order ")
    code = done.split()[2]
    assert s.resend() == done  # the Confirm redelivered: the same order, not a second one

    engine = seeded.extensions["soko"].db
    with engine.connect() as conn:
        orders = conn.execute(select(Order.__table__.c.code)).scalars().all()
    assert orders == [code]

    # The workers send the buyer's receipt and the seller's and agent's notices through the fake provider.
    def sent():
        with engine.connect() as conn:
            rows = conn.execute(select(Message.__table__.c.to_phone, Message.__table__.c.status)).all()
        return rows if rows and all(status == "sent" for _, status in rows) else None

    rows = _wait_for(sent, "the order's notifications sent by the workers")
    assert sorted(phone for phone, _ in rows) == ["+254711000001", "+254712345678", "+254722000101"]
    recipients = {r["form"]["to"] for r in fake_providers.requests_to("/messaging") if r.get("form")}
    assert recipients == {"+254711000001", "+254712345678", "+254722000101"}


def test_a_new_pickup_point_shows_in_every_web_process_at_once(seeded, processes, env):
    """The pickup points are cached per process; adding an agent from the CLI (a third process)
    must show on the very next screen, whichever process serves it."""
    urls = [_web(processes), _web(processes)]

    buyers = iter(range(10))

    def to_pickup(session_id: str, first: int) -> str:
        s = Handset(urls[first:] + urls[:first], session_id, phone=f"+25471200000{next(buyers)}")
        s.dial()
        for choice in ("1", "1", "1", "1", "1"):
            screen = s.send(choice)
        return screen

    for i in range(2):  # both processes have drawn (and cached) the pickup list
        assert "Aberdare" not in to_pickup(f"ATUid_before{i}", i)
        assert "Aberdare" not in to_pickup(f"ATUid_before{i}b", 1 - i)

    added = subprocess.run([str(BIN / "flask"), "--app", "gateway", "add-agent", "+254722000199",
                            "--name", "Zawadi", "--village", "Aberdare"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr

    for i in range(2):
        assert "Aberdare (Zawadi)" in to_pickup(f"ATUid_after{i}", i)
        assert "Aberdare (Zawadi)" in to_pickup(f"ATUid_after{i}b", 1 - i)


def test_a_product_sold_out_in_one_web_process_leaves_every_listing_at_once(seeded, processes):
    """Listings are cached per process and an order changes them only when it sells the last item:
    that order, placed through one process, must empty the other's cached page too."""
    urls = [_web(processes), _web(processes)]
    with seeded.extensions["soko"].db.begin() as conn:
        conn.execute(update(Product.__table__).where(Product.__table__.c.name == "Rice 1kg").values(stock=1))
    buyers = iter(range(10))

    def food(session_id: str, first: int) -> tuple[Handset, str]:
        s = Handset(urls[first:] + urls[:first], session_id, phone=f"+25471200002{next(buyers)}")
        s.dial()
        s.send("1")
        return s, s.send("1")  # the third hop: drawn by urls[first]

    for i in range(2):  # both processes have drawn (and cached) the page
        assert "2. Rice 1kg KES 190" in food(f"ATUid_rice_before{i}", i)[1]
    s, _ = food("ATUid_rice_buyer", 0)
    for choice in ("2", "1", "1", "1", "2"):  # Rice, Buy, 1, the first pickup point, cash
        s.send(choice)
    assert s.send("1").startswith("END Order ")  # Confirm, served by the second process

    for i in range(2):
        listing = food(f"ATUid_rice_after{i}", i)[1]
        assert "Rice" not in listing and "Maize flour 2kg" in listing


def test_the_procfile_server_answers_beside_idle_keep_alive_connections(env, processes):
    """The Procfile's web command, one worker: clients holding keep-alive connections open (as a
    provider's HTTP client pools them), and one that sent half a request, never shut a new client
    out. (Granian's --backpressure counts open connections: a backpressure of 2, once in the
    Procfile, let two idle connections stall the worker.)"""
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    port = _free_port()
    env.update(WEB_CONCURRENCY="1", PORT=str(port), PATH=f"{BIN}:{env['PATH']}")  # as a platform sets them
    processes(["sh", "-c", "exec " + web.split(":", 1)[1].strip()])
    url = _answering(port)
    request = (b"POST /ussd/africastalking HTTP/1.1\r\nHost: soko\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\ntext=1&")
    held = []
    try:
        for _ in range(4):  # four clients keep their connections after one answer each
            conn = socket.create_connection(("127.0.0.1", port), timeout=10)
            conn.sendall(request)
            assert conn.recv(4096).startswith(b"HTTP/1.1 400")  # no phone number: answered, kept open
            held.append(conn)
        half = socket.create_connection(("127.0.0.1", port), timeout=10)
        half.sendall(request[:30])  # and one that stops halfway
        held.append(half)
        res = requests.post(url + "/ussd/africastalking", data={"text": "1"}, timeout=10)
        assert res.status_code == 400 and "Missing field" in res.text
    finally:
        for conn in held:
            conn.close()


def test_the_web_server_outlives_its_threads_going_idle(seeded, processes):
    """granian ends a blocking thread that had no work for a while (30 s by default; 5 s here) and
    starts another when work comes. Soko's hops must not leave anything that dies with a thread:
    a database connection finalised in that teardown once crashed the whole worker (SIGSEGV in
    libpython) at the first hops after a quiet spell."""
    port = _free_port()
    web = processes([str(BIN / "granian"), "--interface", "wsgi", "--factory", "--workers", "1",
                     "--blocking-threads", "2", "--blocking-threads-idle-timeout", "5", "--host", "127.0.0.1",
                     "--port", str(port), "--no-access-log", "gateway.wsgi:app"])
    url = _answering(port)
    for quiet in range(2):
        def buy(i, quiet=quiet):  # reads from the database and places an order
            s = Handset([url], f"ATUid_idle{quiet}{i}", phone=f"+2547123{quiet}{i:02d}00")
            assert s.dial().startswith("CON Welcome to Soko")
            for step in ("1", "1", "1", "1", "1", "1", "2"):  # Food, maize, Buy, 1, Kiambu, cash
                s.send(step)
            return s.send("1")

        with ThreadPoolExecutor(max_workers=4) as pool:  # both of the worker's threads at work
            assert all(done.startswith("END Order ") for done in pool.map(buy, range(16)))
        time.sleep(7)  # every blocking thread idles out and ends
        assert web.poll() is None, "the web server died while its threads went idle"
    s = Handset([url], "ATUid_idle_after")
    assert s.dial().startswith("CON Welcome to Soko")
