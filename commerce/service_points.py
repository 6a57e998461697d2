"""What an agent's USSD screens read (SPEC §13): who among callers is an agent, and the orders
waiting at the agent's point, by state. Plain indexed reads; the screens are menus/service_point.py."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from commerce import money
from commerce.models import ARRIVED, DISPATCHED, PAID, PLACED, Agent, Order, OrderLine, Person
from commerce.order_state import shown_minor

A, PE, ORD, L = Agent.__table__, Person.__table__, Order.__table__, OrderLine.__table__
BUYER = PE.alias("buyer")

# The states an order waits in at a pickup point, most pressing first: here, on its way, paid and
# not sent yet, not paid yet.
WAITING = (ARRIVED, DISPATCHED, PAID, PLACED)


def agent_phones(conn: Connection) -> dict[str, int]:
    """E.164 -> agent id of every active agent (the per-process cache keeps it: agents are a
    cached table, so adding or suspending one empties it)."""
    return dict(conn.execute(select(PE.c.phone, A.c.id).join(A, A.c.person_id == PE.c.id)
                             .where(A.c.suspended.is_(False))).all())


def waiting_counts(conn: Connection, agent_id: int) -> list[tuple[str, int]]:
    """(status, how many) of the open orders at the agent's point, in WAITING's order; none at 0."""
    counts = dict(conn.execute(select(ORD.c.status, func.count()).where(
        ORD.c.agent_id == agent_id, ORD.c.status.in_(WAITING)).group_by(ORD.c.status)).all())
    return [(s, counts[s]) for s in WAITING if counts.get(s)]


@dataclass(frozen=True, slots=True)
class Waiting:
    id: int
    code: str
    status: str
    method: str
    total: money.Money
    paid_minor: int
    name: str
    quantity: int
    buyer_phone: str
    customer_name: str | None

    @property
    def customer(self) -> str:
        return self.customer_name or self.buyer_phone

    @property
    def due(self) -> money.Money:
        """What the buyer still has to pay, as cash can pay it (order_state.OrderView.due)."""
        payable = shown_minor(self.total.amount_minor, self.total.currency)
        return money.Money(max(0, payable - self.paid_minor), self.total.currency)


_WAITING_COLUMNS = (ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency,
                    ORD.c.paid_minor, L.c.name, L.c.quantity, BUYER.c.phone, ORD.c.customer_name)


def _row(r) -> Waiting:
    return Waiting(r[0], r[1], r[2], r[3], money.Money(r[4], r[5]), r[6], r[7], r[8], r[9], r[10])


def waiting(conn: Connection, agent_id: int, status: str, offset: int, limit: int) -> list[Waiting]:
    """A page of the orders at the agent's point in `status`, oldest first (first come, first served)."""
    q = (select(*_WAITING_COLUMNS).join(L, L.c.order_id == ORD.c.id).join(BUYER, BUYER.c.id == ORD.c.buyer_id)
         .where(ORD.c.agent_id == agent_id, ORD.c.status == status).order_by(ORD.c.id).offset(offset).limit(limit))
    return [_row(r) for r in conn.execute(q)]


def waiting_order(conn: Connection, agent_id: int, order_id: int) -> Waiting | None:
    r = conn.execute(select(*_WAITING_COLUMNS).join(L, L.c.order_id == ORD.c.id)
                     .join(BUYER, BUYER.c.id == ORD.c.buyer_id)
                     .where(ORD.c.agent_id == agent_id, ORD.c.id == order_id)).first()
    return _row(r) if r else None
