"""Statements sent to the database, counted at the driver, for the bench only (bench.hops).

Every statement is one round trip with psycopg (BEGIN and COMMIT too), whether it came through
SQLAlchemy or straight from a DBAPI cursor (fast/sql.py), so the count is taken below both: each
new connection gets a cursor class that counts its executes (psycopg), or a trace callback
(sqlite3, which calls it for each statement it runs). `install()` once, before any connection.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import event
from sqlalchemy.pool import Pool

seen: Counter = Counter()  # statement's first words -> times sent


def _note(sql: str) -> None:
    seen[" ".join(sql.split()[:4])[:60]] += 1


def install() -> None:
    try:
        import psycopg

        class CountingCursor(psycopg.Cursor):
            def execute(self, query, params=None, **kw):
                _note(query if isinstance(query, str) else str(query))
                return super().execute(query, params, **kw)

            def executemany(self, query, params_seq, **kw):
                _note(query if isinstance(query, str) else str(query))
                return super().executemany(query, params_seq, **kw)
    except ImportError:  # SQLite only
        CountingCursor = None

    @event.listens_for(Pool, "connect")
    def _count(dbapi_conn, _record):
        if CountingCursor is not None and isinstance(dbapi_conn, psycopg.Connection):
            dbapi_conn.cursor_factory = CountingCursor
        elif hasattr(dbapi_conn, "set_trace_callback"):
            dbapi_conn.set_trace_callback(_note)


def total() -> int:
    return sum(seen.values())


def server_cpu_seconds(database_url: str | None) -> float:
    """CPU (user + system) used so far by the PostgreSQL backends serving `database_url`'s database
    on this machine (Linux /proc; their titles name the database), or 0.0 for SQLite, which runs
    inside the app's own processes."""
    import os
    from pathlib import Path

    from sqlalchemy import make_url

    if not database_url or not database_url.startswith("postgres"):
        return 0.0
    name = f" {make_url(database_url).database} "
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if name not in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick
