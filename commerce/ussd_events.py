"""USSD end-of-session reports, one row per session, for drop-off analytics (`ussd_session_events`)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from commerce.models import UssdSessionEvent

EV = UssdSessionEvent.__table__
_MAX_INT = 2**31 - 1  # the columns' INTEGER


def _int(value: int | None) -> int | None:
    return value if value is not None and 0 <= value <= _MAX_INT else None


def record_session_end(engine: Engine, session_id: str, phone: str | None, status: str,
                       duration_ms: int | None, hops: int | None, last_input: str | None,
                       error: str | None) -> None:
    """Store the report unless this session has one already (a redelivery). `status`: completed,
    incomplete or failed. Raises SQLAlchemyError."""
    session_id = session_id[:80]
    with engine.begin() as conn:
        if conn.execute(EV.select().where(EV.c.session_id == session_id)).first() is None:
            conn.execute(EV.insert().values(
                session_id=session_id, phone=(phone or "")[:20] or None, status=status[:16],
                duration_ms=_int(duration_ms), hops=_int(hops), last_input=(last_input or "")[:200] or None,
                error=(error or "")[:200] or None))
