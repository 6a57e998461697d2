"""Steady buyers on USSD: each a thread walking dial → Shop → category → product → Buy → 1 → pickup
→ payment → Confirm over and over, with a pause between hops, paying by mobile money, cash and on
delivery in turn; and slow clients that send part of a body and hold it.

Every hop's time is kept, and every `Order N placed` with the moment its answer arrived.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field

import requests

STEPS = [("", "CON Welcome to"), ("1", "CON Choose a category:"), ("1", "\n1. "), (None, "In stock:"),
         ("1", "CON How many?"), ("1", "CON Pickup point:"), ("1", "CON How will you pay?"),
         (None, "1. Confirm"), ("1", "END Order ")]
METHODS = ("1", "2", "3")  # mobile money, cash, pay on delivery
METHOD_NAMES = {"1": "mobile_money", "2": "cash", "3": "on_delivery"}
PLACED = re.compile(r"END Order (\d+) placed")
APOLOGY = "END Sorry"


@dataclass
class Results:
    placed: list = field(default_factory=list)  # (code, method, monotonic-free wall time of the answer)
    hops: list = field(default_factory=list)  # (wall time sent, seconds, journey step)
    apologies: int = 0
    wrong: int = 0
    failures: int = 0  # no answer (timeout, connection refused)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Buyers:
    def __init__(self, url: str, n: int, think: float = 0.1, prefix: str = "25470", timeout: float = 15):
        self.url, self.n, self.think, self.prefix, self.timeout = url + "/ussd/africastalking", n, think, prefix, timeout
        self.results = Results()
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> Buyers:
        for i in range(self.n):
            t = threading.Thread(target=self._buyer, args=(i,), daemon=True, name=f"buyer-{i}")
            t.start()
            self.threads.append(t)
        return self

    def stop(self) -> Results:
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=self.timeout + 5)
        return self.results

    def _buyer(self, i: int) -> None:
        http = requests.Session()
        seq = 0
        while not self.stop_event.is_set():
            seq += 1
            method = METHODS[(seq + i) % 3]
            phone = f"+{self.prefix}{i:03d}{seq % 10000:04d}"
            session = f"ATUid_chaos_{self.prefix}_{i}_{seq}_{time.time_ns() % 10**9}"
            text = []
            for step, (key, expect) in enumerate(STEPS):
                if self.stop_event.is_set():
                    return
                if step == 3:
                    key = str(i % 5 + 1)
                elif step == 7:
                    key = method
                if step:
                    text.append(key)
                sent = time.time()
                try:
                    res = http.post(self.url, data={"sessionId": session, "serviceCode": "*384*123#",
                                                     "phoneNumber": phone, "text": "*".join(text),
                                                     "networkCode": "63902"}, timeout=self.timeout)
                    body = res.text
                except requests.RequestException:
                    body = None
                took = time.time() - sent
                with self.results.lock:
                    self.results.hops.append((sent, took, step))
                    if body is None:
                        self.results.failures += 1
                    elif body.startswith(APOLOGY):
                        self.results.apologies += 1
                    elif expect not in body:
                        self.results.wrong += 1
                    elif step == len(STEPS) - 1 and (m := PLACED.search(body)):
                        self.results.placed.append((m.group(1), METHOD_NAMES[method], sent + took))
                if body is None or expect not in body:
                    http = requests.Session()
                    break
                self.stop_event.wait(self.think)


class SlowClients:
    """`n` connections that send a USSD request's headers and half its body, then hold."""

    def __init__(self, host: str, port: int, n: int):
        self.host, self.port, self.n = host, port, n
        self.socks: list[socket.socket] = []

    def start(self) -> SlowClients:
        body = b"sessionId=slow&serviceCode=%2A384%2A123%23&phoneNumber=%2B254700000000&text="
        for _ in range(self.n):
            try:
                s = socket.create_connection((self.host, self.port), timeout=2)
                s.sendall(b"POST /ussd/africastalking HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\n"
                          b"Content-Length: %d\r\n\r\n" % (len(body) * 2) + body)
                self.socks.append(s)
            except OSError:
                pass
        return self

    def still_held(self) -> int:
        """How many of the connections the server has neither answered nor closed."""
        held = 0
        for s in self.socks:
            try:
                s.setblocking(False)
                s.recv(1)  # b"": closed by the server; bytes: answered
            except BlockingIOError:
                held += 1
            except OSError:
                pass
        return held

    def stop(self) -> None:
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass
