"""USSD end-of-session reports, one row per session, for drop-off analytics (`ussd_session_events`):
Africa's Talking's reports and the other aggregators' release/timeout notices, each with the screen
the caller last saw."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from commerce.models import UssdSessionEvent, utcnow

EV = UssdSessionEvent.__table__
_MAX_INT = 2**31 - 1  # the columns' INTEGER


def _int(value: int | None) -> int | None:
    return value if value is not None and 0 <= value <= _MAX_INT else None


def record_session_end(engine: Engine, session_id: str, phone: str | None, status: str,
                       duration_ms: int | None, hops: int | None, last_input: str | None,
                       error: str | None, *, aggregator: str = "africastalking",
                       last_screen: str | None = None) -> None:
    """Store the report unless this session has one already (a redelivery). `status`: completed,
    incomplete or failed. Raises SQLAlchemyError."""
    session_id = session_id[:80]
    with engine.begin() as conn:
        if conn.execute(EV.select().where(EV.c.session_id == session_id)).first() is None:
            conn.execute(EV.insert().values(
                session_id=session_id, phone=(phone or "")[:20] or None, status=status[:16],
                duration_ms=_int(duration_ms), hops=_int(hops), last_input=(last_input or "")[:200] or None,
                error=(error or "")[:200] or None, aggregator=aggregator[:16], last_screen=(last_screen or "")[:8] or None))


def dropoff(engine: Engine, days: int = 30) -> list[dict]:
    """Sessions that ended unfinished (incomplete or failed) in the last `days`, counted per
    aggregator and per screen last shown, most first; `screen` is None when it is not known."""
    since = utcnow() - timedelta(days=days)
    q = (select(EV.c.aggregator, EV.c.last_screen, func.count().label("n"))
         .where(EV.c.status != "completed", EV.c.at >= since)
         .group_by(EV.c.aggregator, EV.c.last_screen)
         .order_by(func.count().desc(), EV.c.aggregator, EV.c.last_screen))
    with engine.connect() as conn:
        return [{"aggregator": a, "screen": s, "sessions": n} for a, s, n in conn.execute(q)]


def sessions_ended(engine: Engine, days: int = 30) -> dict[str, dict[str, int]]:
    """Reported session ends per aggregator and status in the last `days`."""
    since = utcnow() - timedelta(days=days)
    q = (select(EV.c.aggregator, EV.c.status, func.count()).where(EV.c.at >= since)
         .group_by(EV.c.aggregator, EV.c.status))
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for a, status, n in conn.execute(q):
            out.setdefault(a, {})[status] = n
    return out
