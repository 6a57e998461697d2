"""Exchange rates set by the operator: 1 FROM = rate TO."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from commerce.models import Rate, utcnow

R = Rate.__table__


def get(conn: Connection, from_currency: str, to_currency: str) -> Decimal | None:
    if from_currency == to_currency:
        return Decimal(1)
    raw = conn.execute(select(R.c.rate).where(R.c.from_currency == from_currency,
                                              R.c.to_currency == to_currency)).scalar()
    return Decimal(raw) if raw is not None else None


def parse_rate(text: str) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"Rate must be a number like 0.05, got {text!r}") from None
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"Rate must be a positive number, got {text!r}")
    return rate


def set_rate(conn: Connection, from_currency: str, to_currency: str, rate: Decimal) -> None:
    values = {"rate": format(rate.normalize(), "f"), "updated_at": utcnow()}
    done = conn.execute(update(R).where(R.c.from_currency == from_currency,
                                        R.c.to_currency == to_currency).values(**values)).rowcount
    if not done:
        conn.execute(insert(R).values(from_currency=from_currency, to_currency=to_currency, **values))


def save(engine: Engine, from_currency: str, to_currency: str, rate: Decimal) -> None:
    """`set_rate` in a transaction of its own (`flask --app gateway rates set`)."""
    with engine.begin() as conn:
        set_rate(conn, from_currency, to_currency, rate)
