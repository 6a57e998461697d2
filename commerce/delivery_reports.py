"""Delivery reports: a provider says what became of a message it took. A message's status only
moves forward (sent, then delivered or failed); a report for a message already final changes
nothing, so redelivered or late reports are harmless."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from commerce import broadcasts
from commerce.models import Message, utcnow

M = Message.__table__
SENT, DELIVERED, FAILED = "sent", "delivered", "failed"
FINAL = (DELIVERED, FAILED)


def record(engine: Engine, provider: str, provider_id: str, status: str, detail: str) -> bool:
    """Apply one report (`status`: sent, delivered or failed; `detail`: why it failed). False when
    no message of ours has this provider id. Raises SQLAlchemyError."""
    with engine.begin() as conn:
        row = conn.execute(select(M.c.id, M.c.status).where(M.c.provider_id == provider_id,
                                                            M.c.provider == provider)).first()
        if row is None:  # a broadcast's recipient, if anyone's (issue 17)
            return broadcasts.delivery(conn, provider_id, status, detail)
        if status in FINAL and row.status not in FINAL:
            values = {"status": status, "updated_at": utcnow()}
            if status == FAILED:
                values["error"] = detail[:200]
            conn.execute(update(M).where(M.c.id == row.id, M.c.status.not_in(FINAL)).values(**values))
    return True
