"""Whether the database answers, and how far behind the workers are (GET /healthz, /metrics)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine


def ping(engine: Engine) -> None:
    """One round trip; raises whatever the driver raises when the database is away."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def work_lag(engine: Engine) -> dict[str, float]:
    """Seconds the oldest waiting piece of order work has waited, by kind, from the database (the
    record, whatever Redis holds): a new order not yet announced (since it was placed), a first
    checkout past its due time, an outbox row still `pending` (since it was written or last
    tried). Three reads through partial or (status, …) indexes; 0 when nothing waits."""
    from commerce.models import Checkout, Message, Order, utcnow

    o, c, m = Order.__table__, Checkout.__table__, Message.__table__
    now = utcnow()
    with engine.connect() as conn:
        oldest = {
            "unannounced_orders": conn.execute(select(func.min(o.c.created_at)).where(o.c.announced.is_(False))).scalar(),
            "due_checkouts": conn.execute(select(func.min(c.c.created_at)).where(c.c.status == "due")).scalar(),
            "pending_messages": conn.execute(select(func.min(m.c.updated_at)).where(
                m.c.id == select(func.min(m.c.id)).where(m.c.status == "pending").scalar_subquery())).scalar(),
        }
    return {kind: round(max((now - at).total_seconds(), 0.0), 3) if at else 0.0 for kind, at in oldest.items()}
