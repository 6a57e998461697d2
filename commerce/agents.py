"""Village agents as SMS senders: who is an agent, and their PIN with a lockout.

Five wrong PINs in a row lock the agent for 15 minutes; while locked no PIN is even checked, so
guessing gains nothing. A correct PIN clears the count. The PIN itself is only ever compared with
its salted hash (commerce.people) and never stored, logged or returned.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from commerce import people
from commerce.models import Agent, Person, utcnow

A, PE = Agent.__table__, Person.__table__

MAX_WRONG_PINS = 5
LOCK_MINUTES = 15


@dataclass(frozen=True, slots=True)
class AgentRow:
    id: int
    name: str
    village: str
    has_pin: bool
    suspended: bool
    locked_until: datetime | None


def find(conn: Connection, phone: str) -> AgentRow | None:
    """The agent registered at this E.164 number, or None."""
    row = conn.execute(
        select(A.c.id, A.c.name, A.c.village, A.c.pin_hash.is_not(None), A.c.suspended, A.c.locked_until)
        .join(PE, PE.c.id == A.c.person_id).where(PE.c.phone == phone)).first()
    return AgentRow(*row) if row else None


class Pin(enum.Enum):
    OK = "ok"  # right PIN, or the agent has none
    MISSING = "missing"  # the agent has a PIN and sent none: not counted as a wrong one
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class PinCheck:
    result: Pin
    tries_left: int = MAX_WRONG_PINS
    locked_minutes: int = 0  # when LOCKED: whole minutes until the lock ends (at least 1)


def check_pin(engine: Engine, agent_id: int, pin: str | None, now: datetime | None = None) -> PinCheck:
    """Check `pin` for the agent, counting wrong ones and locking at the fifth. One transaction."""
    now = now or utcnow()
    with engine.begin() as conn:
        # FOR UPDATE serializes two concurrent wrong PINs on PostgreSQL (SQLite has one writer anyway).
        row = conn.execute(select(A.c.pin_hash, A.c.failed_pins, A.c.locked_until)
                           .where(A.c.id == agent_id).with_for_update()).first()
        if row is None:
            return PinCheck(Pin.WRONG, 0)
        pin_hash, failed, locked_until = row
        if locked_until is not None and locked_until > now:
            return PinCheck(Pin.LOCKED, 0, _minutes_left(locked_until, now))
        if locked_until is not None:  # the lock has run out: a fresh start
            failed = 0
        if pin_hash is None:
            return PinCheck(Pin.OK)
        if not pin:
            return PinCheck(Pin.MISSING, MAX_WRONG_PINS - failed)
        if people.pin_matches(pin_hash, pin):
            if failed or locked_until is not None:
                conn.execute(update(A).where(A.c.id == agent_id).values(failed_pins=0, locked_until=None))
            return PinCheck(Pin.OK)
        failed += 1
        if failed >= MAX_WRONG_PINS:
            until = now + timedelta(minutes=LOCK_MINUTES)
            conn.execute(update(A).where(A.c.id == agent_id).values(failed_pins=0, locked_until=until))
            return PinCheck(Pin.LOCKED, 0, LOCK_MINUTES)
        conn.execute(update(A).where(A.c.id == agent_id).values(failed_pins=failed, locked_until=None))
        return PinCheck(Pin.WRONG, MAX_WRONG_PINS - failed)


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, -(-int((until - now).total_seconds()) // 60))
