"""The transactional outbox: a notification is a `messages` row written in the caller's transaction.

Sending is the worker's job, after commit (see workers/). Numbers that sent STOP get nothing.
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from commerce.models import Message, Person

M, PE = Message.__table__, Person.__table__


def add(conn: Connection, to_phone: str, body: str, kind: str = "notice", order_id: int | None = None,
        force: bool = False) -> int | None:
    """Queue `body` for `to_phone`; returns the message id, or None for an opted-out number.

    `force` is for replies to a message the person just sent (carriers allow those after STOP).
    """
    if not force and conn.execute(select(PE.c.opted_out).where(PE.c.phone == to_phone)).scalar():
        return None
    return conn.execute(insert(M).values(to_phone=to_phone, body=body, kind=kind, order_id=order_id,
                                         status="pending", attempts=0)).inserted_primary_key[0]
