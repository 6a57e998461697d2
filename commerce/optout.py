"""STOP / START: a number's consent to notifications (commerce.outbox skips opted-out numbers)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.engine import Connection

from commerce import followers, people
from commerce.models import Person

PE = Person.__table__


def set_opted_out(conn: Connection, phone: str, opted_out: bool, language: str | None = None) -> bool:
    """Record the choice; returns True when it changed anything."""
    person = people.get_or_create(conn, phone, language)
    if person.opted_out == opted_out:
        return False
    conn.execute(update(PE).where(PE.c.id == person.id).values(opted_out=opted_out))
    if opted_out:  # SPEC §14: STOP withdraws every consent; START brings notices back, not news
        followers.end_all(conn, person.id)
    return True
