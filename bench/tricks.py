"""What each speed piece buys: the journey's CPU per hop with each piece as it is and replaced by the
plain way, in one process, A/B.

Every piece listed in fast/__init__.py is swapped, inside this process only, for what the code would
do without it, and the buyer journey of bench/hops.py (dial .. Confirm, orders placed) runs as
plain WSGI calls:

* redis      menus.engine's HopConnection -> the redis-py client (`execute_command`, a pipeline)
* sql        the prebuilt DBAPI path (Reader, Writer) -> SQLAlchemy Core `conn.execute(statement,
             params)` on the hop's read connection and on an ordinary transaction (BEGIN at the first
             write on SQLite, as Writer; one READ COMMITTED transaction on PostgreSQL); also the
             reads alone (`sql reads`) and the order's transaction alone (`sql write`)
* form       the USSD hop's form parser -> werkzeug's body and `parse_qsl` (strict UTF-8, max fields)
* flask      Africa's Talking's hops answered round Flask (gateway/ussd.py hops_first) -> through
             Flask's request context, routing and Response, as every other request
* memo ...   each lru_cache -> the function it wraps, and commerce.phones' region memo -> a dict
             that keeps nothing; `memo all`: all of them at once
* catalog    CatalogCache -> one that keeps nothing (and the session read without the token)
* orjson     the session blob's JSON (menus/engine.py State) -> the stdlib's json, the same bytes
* restored   the other way round: pieces removed in issue 12 (small memos) put back

Each round runs the journey as is, then one variant, then as is again, ... (`--seconds` each); a
variant's ratio in a round is its CPU per hop over the mean of the runs as is on either side of it
(drift cancels), and the table shows the median over the rounds. `A/A` is a run as is measured the
same way: the noise. gc.freeze (gateway/wsgi.py) is the web server's and cannot be seen here.

    .venv/bin/python -m bench.tricks                            # SQLite, 5 rounds x 3 s
    .venv/bin/python -m bench.tricks --only redis sql form      # some pieces
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/soko_x .venv/bin/python -m bench.tricks
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import logging
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl

from bench.hops import STEPS, _setup, journeys

# -- the plain counterparts -------------------------------------------------------------------------


class PlainRedis:
    """HopConnection's interface on the redis-py client: a pool checkout per command."""

    def __init__(self, client):
        self.client = client

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def command(self, *args):
        return self.client.execute_command(*args)


def _plain_sql():
    """(Reader, Writer, reads property) done with SQLAlchemy Core on pooled connections."""
    from commerce import db

    class PlainReader:
        def __init__(self, engine):
            self.engine, self._conn = engine, None

        def rows(self, query, params):
            if self._conn is None:
                self._conn = db.read_connection(self.engine)
            return self._conn.execute(query.statement, params).all()

        def close(self):
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    class PlainWriter:
        """engine.connect(); reads before the first write outside a transaction on SQLite (BEGIN
        IMMEDIATE at the first write, as Writer), one READ COMMITTED transaction on PostgreSQL."""

        def __init__(self, engine):
            self.engine, self.dialect = engine, engine.dialect
            self._sqlite = engine.dialect.name == "sqlite"

        def __enter__(self):
            self.conn = self.engine.connect()
            self._open = not self._sqlite
            if self._sqlite:
                self.conn.execution_options(soko_reads_only=True)
            return self

        def _execute(self, statement, params):
            if not self._open and statement.statement.is_dml:
                self.conn.rollback()  # the reads' (BEGIN-less) transaction
                self.conn.execution_options(soko_reads_only=False, sqlite_immediate=True)
                self._open = True
            result = self.conn.execute(statement.statement, params)
            return (result.all() if result.returns_rows else []), result.rowcount

        def rows(self, statement, params):
            return self._execute(statement, params)[0]

        def run(self, statement, params):
            return self._execute(statement, params)[1]

        def alone(self, statement, params):  # PostgreSQL's one-statement order: in the transaction
            return self._execute(statement, params)[0]

        def __exit__(self, exc_type, exc, tb):
            try:
                if exc_type is None:
                    # The order's stock UPDATE is a listing change only when it sells out (place_order
                    # publishes that itself), as with Writer: not every order empties the catalog cache.
                    self.conn.info.pop("soko_catalog_changed", None)
                    self.conn.commit()
                else:
                    self.conn.rollback()
            finally:
                self.conn.close()

    def reads(self):  # Context.reads: the hop's SQLAlchemy read connection, as every other read
        return self.db

    return PlainReader, PlainWriter, property(reads)


def _plain_form():
    """The USSD hop's form as werkzeug and the stdlib give it, as strict as fast.form."""
    from flask import request

    from gateway.webhook import BadRequest

    if request.mimetype != "application/x-www-form-urlencoded":
        raise BadRequest("Send the fields as application/x-www-form-urlencoded")
    try:
        return dict(parse_qsl(request.get_data(cache=True).decode("utf-8"), keep_blank_values=True,
                              errors="strict", max_num_fields=64))
    except UnicodeDecodeError:
        raise BadRequest("Body is not valid UTF-8") from None
    except ValueError:
        raise BadRequest("Too many form fields") from None


def _plain_urlencoded(raw: bytes, max_fields: int) -> dict[str, str]:
    """fast.form.urlencoded's answer from the stdlib's `parse_qsl`."""
    from fast.form import FormError

    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict",
                              max_num_fields=max_fields))
    except UnicodeDecodeError:
        raise FormError("Body is not valid UTF-8") from None
    except ValueError:
        raise FormError("Too many form fields") from None


def _plain_body(environ: dict, max_body: int) -> bytes | None:
    """The body through werkzeug's stream and its size checks, as Flask's request reads it."""
    from werkzeug.wrappers import Request

    length = environ.get("CONTENT_LENGTH", "")
    return Request(environ).get_data() if length.isdigit() and int(length) <= max_body else None


class _KeepsNothing(dict):
    def __setitem__(self, key, value):
        return None


RESTORED = ("nav", "currency", "normalizer", "short", "prices")


def _restore_removed(stack, parts=RESTORED) -> None:
    """The other way round: pieces issue 12's round removed (each under 3 % of a hop), put back in
    this process (`removed, restored`: all at once), to see what they bought."""
    from functools import lru_cache

    from commerce import money
    from fast import form
    from gateway import ussd, webhook
    from menus import context, engine

    if "nav" in parts:
        _set(stack, engine, "_nav", lru_cache(maxsize=64)(engine._nav))
    if "currency" in parts:
        _set(stack, money, "currency_for_phone", lru_cache(maxsize=8192)(money.currency_for_phone))
        _set(stack, money, "_currency_of_region", lru_cache(maxsize=512)(money._currency_of_region))
    if "normalizer" in parts:
        normalizer = lru_cache(maxsize=64)(webhook.normalizer)
        _set(stack, webhook, "normalizer", normalizer)
        _set(stack, ussd, "normalizer", normalizer)
    if "short" in parts:
        _set(stack, form, "_unquote", _short_memo(form))
    if "prices" in parts:
        ctx_price, ctx_quote = _price_memos()
        _set(stack, context.Context, "price", ctx_price)
        _set(stack, context.Context, "quote", ctx_quote)


class _StdlibJson:
    """orjson's two calls as the stdlib's json makes them (the same bytes)."""

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(value):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _short_memo(form):
    from functools import lru_cache

    short = lru_cache(maxsize=4096)(lambda text: form.unquote(text, errors="strict"))
    plain_unquote = form._unquote

    def unquote(text):
        if "%" in text and len(text) <= 40 and "+" not in text:
            return short(text)
        return plain_unquote(text)
    return unquote


def _price_memos():
    """Context.price and .quote as they were: memoized by plain values."""
    from functools import lru_cache

    from commerce import money, orders

    @lru_cache(maxsize=8192)
    def price_text(price_minor, currency, rate, mine, lang):
        m = money.Money(price_minor, currency)
        return money.format_money(m if rate is None else money.convert(m, mine, rate), lang)

    @lru_cache(maxsize=8192)
    def quote(seller_minor, currency, mine, rate):
        seller_total = money.Money(seller_minor, currency)
        total = money.convert(seller_total, mine, rate) if rate is not None else None
        return orders.Quote(seller_total, total, rate)

    def ctx_price(self, price_minor, currency):
        mine = self.currency
        rate = None if currency == mine else self.rate(currency, mine)
        return price_text(price_minor, currency, rate, mine, self.lang)

    def ctx_quote(self, price_minor, currency, quantity):
        return quote(price_minor * quantity, currency, self.currency, self.rate(currency, self.currency))
    return ctx_price, ctx_quote


# -- the variants ---------------------------------------------------------------------------------

def _set(stack: contextlib.ExitStack, obj, name: str, value) -> None:
    old = obj.__dict__[name] if isinstance(obj, type) else getattr(obj, name)
    setattr(obj, name, value)
    stack.callback(setattr, obj, name, old)


def _unmemo(stack, *targets: tuple[object, str]) -> None:
    for module, name in targets:
        _set(stack, module, name, getattr(module, name).__wrapped__)


def _memos():
    from commerce import money
    from gateway import webhook

    return {
        "memo normalized": [(webhook, "normalized")],
        "memo format_money": [(money, "format_money")],
        "memo known currency": [(money, "_known_currency")],
    }


def variants(app) -> dict[str, callable]:
    """name -> apply(stack): patches this process until the stack closes."""
    from commerce import catalog, phones
    from fast import sql as fast_sql
    from gateway import soko, ussd
    from menus import context, engine

    ussd_engine = soko(app).ussd
    memos = _memos()

    def redis_(stack):
        _set(stack, engine, "HopConnection", PlainRedis)

    def sql_reads(stack):
        reader, _, reads = _plain_sql()
        _set(stack, fast_sql, "Reader", reader)
        _set(stack, context.Context, "reads", reads)

    def sql_write(stack):
        _, writer, _ = _plain_sql()
        _set(stack, fast_sql, "Writer", writer)

    def sql(stack):
        sql_reads(stack)
        sql_write(stack)

    def form(stack):
        _set(stack, ussd, "form", _plain_form)  # the hop through Flask (`flask`), and round it:
        _set(stack, ussd, "urlencoded", _plain_urlencoded)
        _set(stack, ussd, "wsgi_body", _plain_body)

    def flask_(stack):
        _set(stack, app, "wsgi_app", app.wsgi_app.flask)

    def regions(stack):
        _set(stack, phones, "_REGIONS", _KeepsNothing())

    def memo_all(stack):
        for targets in memos.values():
            _unmemo(stack, *targets)
        regions(stack)

    def catalog_(stack):
        _set(stack, catalog.CatalogCache, "fresh", lambda self, token: _KeepsNothing())
        _set(stack, ussd_engine, "version_key", None)

    def orjson_(stack):
        _set(stack, engine, "orjson", _StdlibJson)

    def removed(stack):
        _restore_removed(stack)

    found = {"A/A": lambda stack: None, "removed, restored": removed, "redis": redis_, "sql": sql, "sql reads": sql_reads,
             "sql write": sql_write, "form": form, "flask": flask_, "orjson": orjson_, "catalog": catalog_, "memo all": memo_all,
             "memo regions": regions}
    found.update({name: (lambda targets: lambda stack: _unmemo(stack, *targets))(t) for name, t in memos.items()})
    found.update({f"restored {part}": functools.partial(_restore_removed, parts=(part,)) for part in RESTORED})
    return found


# -- the run --------------------------------------------------------------------------------------

def _per_hop(cpu: Counter, hops: Counter) -> dict[str, float]:
    out = {step: cpu[step] / hops[step] for step in STEPS if hops[step]}
    out["journey"] = sum(cpu.values()) / sum(hops.values())
    return out


def _run(app, seconds: float, tag: str) -> dict[str, float]:
    cpu, _wall, hops, _n, _sent = journeys(app, seconds, f"{tag}{os.urandom(3).hex()}")
    return _per_hop(cpu, hops)


def measure(app, floor_app, names: list[str], rounds: int, seconds: float):
    apply = variants(app)
    ratios = {name: [] for name in names}  # name -> per round: {step: ratio}
    base_ms, floor_ms = [], []
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        before = _run(app, seconds, "b")
        base_ms.append(before["journey"])
        fcpu, _, fhops, _, _ = journeys(floor_app, min(seconds, 1), f"f{r}", floor=True)
        floor_ms.append(sum(fcpu.values()) / sum(fhops.values()))
        for name in order:
            with contextlib.ExitStack() as stack:
                apply[name](stack)
                journeys(app, 0.2, "w")  # the variant's first calls (imports, compiling) unmeasured
                plain = _run(app, seconds, "v")
            after = _run(app, seconds, "b")
            base_ms.append(after["journey"])
            ratios[name].append({k: plain[k] / ((before[k] + after[k]) / 2) for k in plain})
            before = after
        print(f"  round {r + 1}/{rounds} done", flush=True)
    return ratios, statistics.median(base_ms), statistics.median(floor_ms)


def report(ratios, base_ms: float, floor_ms: float, db: str, seconds: float, rounds: int) -> None:
    print(f"\nCPU per hop with each piece replaced by the plain way, over as is ({db}, {rounds} rounds x "
          f"{seconds:g} s, one process; as is {1000 * base_ms:.3f} ms/hop, the floor {1000 * floor_ms:.3f} "
          f"ms/hop = {floor_ms / base_ms:.2f} x as is)")
    print(f"  {'piece':<20} {'journey':>8} {'rounds':>17} {'ms/hop':>7} {'Confirm':>8}  largest step")
    for name, per_round in ratios.items():
        journey = [r["journey"] for r in per_round]
        med = statistics.median(journey)
        steps = {s: statistics.median(r[s] for r in per_round) for s in STEPS}
        top = max(steps, key=steps.get)
        print(f"  {name:<20} {med:8.3f} {min(journey):8.3f}-{max(journey):<8.3f} {1000 * base_ms * (med - 1):+7.3f} "
              f"{steps['Confirm']:8.3f}  {top} {steps[top]:.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.tricks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=3, help="measured seconds per run (default 3)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds; medians are shown (default 5)")
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    ap.add_argument("--only", nargs="*", help="these pieces only (names as in the table)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="soko-tricks-") as tmp:
        server, _db_url = _setup(args, Path(tmp))
        try:
            from bench import floor
            from gateway import create_app

            app = create_app()
            logging.getLogger().setLevel(logging.WARNING)
            names = list(variants(app))
            if args.only:
                unknown = set(args.only) - set(names)
                if unknown:
                    ap.error(f"unknown pieces {sorted(unknown)}; choose from: {', '.join(names)}")
                names = [n for n in names if n in args.only]
            floor_app = floor.create_app()
            journeys(app, 1, "warm")
            journeys(floor_app, 0.5, "warmf", floor=True)
            t0 = time.monotonic()
            ratios, base_ms, floor_ms = measure(app, floor_app, names, args.rounds, args.seconds)
        finally:
            if server is not None:
                server.stop()
    db = "PostgreSQL" if args.database_url else "SQLite"
    report(ratios, base_ms, floor_ms, db, args.seconds, args.rounds)
    print(f"  ({time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
