"""Soko's speed pieces: code that does by hand what a library already does, because a USSD hop does
it thousands of times a second. This package imports nothing of Soko (stdlib, SQLAlchemy, redis);
anything may import it (tools/import_graph.py).

What each piece buys, as the journey's CPU per hop with the piece replaced by the plain way over
as it is (median of 5 alternating rounds of 3 s, one process; 1.00 = nothing; `A/A`, two runs as
is measured the same way, was 1.015 and 0.925: differences under about 5 % are within the noise
of this shared 2-core machine). `.venv/bin/python -m bench.tricks`, 2026-12-06, SQLite / PostgreSQL:

    piece (where)                                        plain way                     SQLite  PostgreSQL
    fast/sql.py Prebuilt, Reader, Writer, rows            SQLAlchemy Core execute       1.33    1.24
      reads alone (the product screen: 1.82 / 1.93)                                     1.10    1.13
      the order's transaction alone (Confirm: 1.81 / 1.56)                              1.23    1.14
    fast/redis_hop.py HopConnection                      redis-py execute_command      1.24    1.18
    fast/form.py urlencoded, wsgi_body                    werkzeug body + parse_qsl     1.07    1.03
    commerce/catalog.py:157 CatalogCache (+ the token     read every time               1.48    1.68
      in Redis, menus/engine.py:164; Food: 2.84 / 4.14)
    memos, all of those below at once                    the functions themselves       1.40    1.30
    gateway/webhook.py:26 normalized (phonenumbers)      parse every hop               1.18    1.11
    commerce/money.py:223 format_money (Babel)           format every price            1.12    1.15
    commerce/money.py:82 _known_currency (Babel)          check every Money             1.06    1.06
    commerce/phones.py:14 _REGIONS (a number's region)   parse for the currency        1.06    1.04
    gateway/ussd.py hops_first (issue 19, later run:     the hop through Flask         1.78    1.65
      3 rounds x 2 s; bench/README.md has the rest)
    menus/engine.py State.encode/decode: orjson (put     the stdlib's json             1.07    1.08
      back after issue 19's round, 5 rounds x 2 s;
      A/A 1.00 / 0.99; orjson is a requirement anyway)

The last three are near the noise; a micro-benchmark agrees they are worth about 3 % each (a
Money's currency check 5.4 us, about 15 a journey; a region parse about 20 us, about 5 a journey).
Kept without a measure of its own: commerce/db.py:65 read_connection (a hop's reads outside a
transaction: no BEGIN/ROLLBACK round trip), the per-hop product memo and `fast.sql.commits()`
(menus/context.py:68). gateway/wsgi.py:23 gc.freeze() is the web server's: one process without
it sees no difference (its gain is the latency tail under `make bench`).

Removed, measured under 3 % of a hop (first run of bench.tricks, SQLite, and a micro-benchmark):
the memos of
prices, conversions and quotes in menus/context.py (1.02, with format_money's memo kept), of the
navigation line (0.99; 1 us), of providers' normalizers (0.93), of short %-escaped form values
(1.03; 2 us), and of a phone's currency (0.95; 0.2 us behind the region memo). orjson for the
session blob was removed then too (1.04); once the hop went round Flask its share grew (1.07-1.08)
and it came back.
"""
