"""A seller's day in one SMS (SPEC §14, SALES [MAUZO]): orders, items and money of today and of this
week, in the seller's own time zone (the week starts on Monday), counting every order placed that
was not cancelled or expired. Money is what the seller is owed, in the seller's currency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from commerce import quiet_hours
from commerce.models import CANCELLED, EXPIRED, Order, OrderLine, utcnow

ORD, L = Order.__table__, OrderLine.__table__


@dataclass
class Totals:
    orders: int = 0
    units: int = 0
    money: dict[str, int] = field(default_factory=dict)  # currency -> minor units


def _bounds(phone: str, now: datetime, default_region: str) -> tuple[datetime, datetime]:
    """(start of the seller's day, start of their week: Monday), as naive UTC."""
    zone = quiet_hours.zone(quiet_hours.zones_of(phone, default_region).split()[0])
    local = quiet_hours.aware(now).astimezone(zone)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = day - timedelta(days=day.weekday())
    # Midnights are built in local time and converted, so a DST change in the week costs nothing.
    return quiet_hours.naive_utc(day), quiet_hours.naive_utc(week)


def _totals(conn: Connection, seller_id: int, since: datetime) -> Totals:
    live = (ORD.c.seller_id == seller_id, ORD.c.created_at >= since, ORD.c.status.not_in((CANCELLED, EXPIRED)))
    out = Totals()
    for cur, n, total in conn.execute(select(ORD.c.seller_currency, func.count(), func.sum(ORD.c.seller_total_minor))
                                      .where(*live).group_by(ORD.c.seller_currency)):
        out.orders += n
        out.money[cur] = int(total or 0)
    out.units = int(conn.execute(select(func.coalesce(func.sum(L.c.quantity), 0))
                                 .join(ORD, ORD.c.id == L.c.order_id).where(*live)).scalar())
    return out


def day_and_week(conn: Connection, seller_id: int, phone: str, default_region: str = "KE",
                 now: datetime | None = None) -> tuple[Totals, Totals]:
    day, week = _bounds(phone, now or utcnow(), default_region)
    return _totals(conn, seller_id, day), _totals(conn, seller_id, week)
