"""What the operator reads: orders, payments, people, messages, the audit log, stats, rates, and
the counts /metrics reports.

Plain dicts shaped as SPEC §8 says, shared by the admin JSON API, the admin pages, the simulator
and the CLI. Every list is one indexed, paged query plus a count; an order's detail is a handful of
queries by its id. Each function takes the engine and reads on one connection of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import wraps

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.engine import Connection, Engine

from commerce import codes, refunds
from commerce.models import (
    ARRIVED,
    CANCELLED,
    DELIVERED,
    DISPATCHED,
    EXPIRED,
    OPEN_STATUSES,
    PAID,
    PLACED,
    Agent,
    AuditEntry,
    Checkout,
    InboundMessage,
    Message,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Person,
    Product,
    Rate,
    Seller,
    UssdSessionEvent,
    utcnow,
)
from commerce.order_state import shown_minor

ORD, L, E, PAY, CH = (Order.__table__, OrderLine.__table__, OrderEvent.__table__, Payment.__table__,
                      Checkout.__table__)
PE, S, A, P, M, IN, AU = (Person.__table__, Seller.__table__, Agent.__table__, Product.__table__,
                          Message.__table__, InboundMessage.__table__, AuditEntry.__table__)

STATUSES = (PLACED, PAID, DISPATCHED, ARRIVED, DELIVERED, CANCELLED, EXPIRED)
SOLD = (PAID, DISPATCHED, ARRIVED, DELIVERED)  # orders that count as sales: paid, or on their way to the buyer

BUYER = PE.alias("buyer")
SELLER_PERSON = PE.alias("seller_person")
AGENT_PERSON = PE.alias("agent_person")
PLACED_BY = A.alias("placed_by_agent")  # the agent who ordered for a customer (SPEC §13)


@dataclass(frozen=True)
class Page:
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def meta(self, total: int) -> dict:
        return {"page": self.page, "per_page": self.per_page, "total": total,
                "pages": max(1, -(-total // self.per_page))}


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    seller: int | None = None
    agent: int | None = None
    method: str | None = None
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    q: str | None = None  # an order code or the buyer's number
    flagged: bool = False


def on_connection(read):
    """A read called with the engine (as the gateway calls it) runs on a connection of its own;
    called with an open connection, on that one."""

    @wraps(read)
    def run(db: Engine | Connection, *args, **kwargs):
        if isinstance(db, Connection):
            return read(db, *args, **kwargs)
        with db.connect() as conn:
            return read(conn, *args, **kwargs)

    return run


def when(value: datetime | None) -> str | None:
    """Stored times are naive UTC; the API says so."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def amount(minor: int, currency: str) -> dict:
    return {"amount_minor": int(minor), "currency": currency}


# -- orders ---------------------------------------------------------------------------------------
_ORDER_COLUMNS = (
    ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency,
    ORD.c.seller_total_minor, ORD.c.seller_currency, ORD.c.rate, ORD.c.paid_minor, ORD.c.flags,
    ORD.c.created_at, ORD.c.updated_at, ORD.c.expires_at, BUYER.c.phone.label("buyer_phone"),
    S.c.id.label("seller_id"), S.c.shop_name, SELLER_PERSON.c.phone.label("seller_phone"),
    A.c.id.label("agent_id"), A.c.name.label("agent_name"), A.c.village,
    AGENT_PERSON.c.phone.label("agent_phone"),
    ORD.c.placed_by, PLACED_BY.c.name.label("placed_by_name"), PLACED_BY.c.village.label("placed_by_village"),
    ORD.c.customer_name,
)


def _orders_from():
    return (ORD.join(BUYER, BUYER.c.id == ORD.c.buyer_id)
            .join(S, S.c.id == ORD.c.seller_id).join(SELLER_PERSON, SELLER_PERSON.c.id == S.c.person_id)
            .join(A, A.c.id == ORD.c.agent_id).join(AGENT_PERSON, AGENT_PERSON.c.id == A.c.person_id)
            .outerjoin(PLACED_BY, PLACED_BY.c.id == ORD.c.placed_by))


def _where(f: OrderFilter) -> list:
    where = []
    if f.status:
        where.append(ORD.c.status == f.status)
    if f.seller:
        where.append(ORD.c.seller_id == f.seller)
    if f.agent:
        where.append(ORD.c.agent_id == f.agent)
    if f.method:
        where.append(ORD.c.payment_method == f.method)
    if f.since:
        where.append(ORD.c.created_at >= f.since)
    if f.until:
        where.append(ORD.c.created_at < f.until)
    if f.flagged:
        where.append(ORD.c.flags != "")
    if f.q:
        where.append(BUYER.c.phone == f.q if f.q.startswith("+") else ORD.c.code == f.q)
    return where


def _order_summary(r) -> dict:
    due = max(shown_minor(r.total_minor, r.currency) - r.paid_minor, 0)  # as the buyer can pay it
    return {
        "code": r.code, "status": r.status, "payment_method": r.payment_method,
        "total": amount(r.total_minor, r.currency),
        "seller_total": amount(r.seller_total_minor, r.seller_currency),
        "rate": r.rate, "paid": amount(r.paid_minor, r.currency), "due": amount(due, r.currency),
        "flags": r.flags.split(),
        "buyer": r.buyer_phone,
        "seller": {"id": r.seller_id, "shop_name": r.shop_name, "phone": r.seller_phone},
        "agent": {"id": r.agent_id, "name": r.agent_name, "village": r.village, "phone": r.agent_phone},
        # An order an agent placed for a customer: that agent (else null), and the customer's name
        # when they have no phone (the agent is then the buyer).
        "placed_by": ({"id": r.placed_by, "name": r.placed_by_name, "village": r.placed_by_village}
                      if r.placed_by is not None else None),
        "customer_name": r.customer_name,
        "created_at": when(r.created_at), "updated_at": when(r.updated_at), "expires_at": when(r.expires_at),
    }


@on_connection
def orders(conn: Connection, f: OrderFilter, page: Page) -> tuple[list[dict], int]:
    conds = _where(f)
    where = and_(*conds) if conds else true()
    total = conn.execute(select(func.count()).select_from(_orders_from()).where(where)).scalar_one()
    rows = conn.execute(select(*_ORDER_COLUMNS).select_from(_orders_from()).where(where)
                        .order_by(ORD.c.id.desc()).offset(page.offset).limit(page.per_page)).all()
    found = [_order_summary(r) for r in rows]
    # The first line's name and quantity, so a list says what was bought without a query per row.
    if rows:
        lines = {}
        for order_id, name, qty in conn.execute(select(L.c.order_id, L.c.name, L.c.quantity)
                                                .where(L.c.order_id.in_([r.id for r in rows]))
                                                .order_by(L.c.id)):
            lines.setdefault(order_id, f"{qty} x {name}")
        for item, r in zip(found, rows, strict=True):
            item["summary"] = lines.get(r.id, "")
    return found, total


@on_connection
def order(conn: Connection, code: str) -> dict | None:
    r = conn.execute(select(*_ORDER_COLUMNS).select_from(_orders_from()).where(ORD.c.code == code)).first()
    if r is None:
        return None
    out = _order_summary(r)
    out["lines"] = [
        {"product_code": codes.product_code(x.product_id), "name": x.name, "quantity": x.quantity,
         "unit_price": amount(x.unit_price_minor, r.seller_currency),
         "total": amount(x.unit_price_minor * x.quantity, r.seller_currency)}
        for x in conn.execute(select(L).where(L.c.order_id == r.id).order_by(L.c.id))]
    out["payments"] = [
        {"method": x.method, "amount_minor": x.amount_minor, "currency": x.currency, "reference": x.reference,
         "status": x.status, "note": x.note, "at": when(x.at)}
        for x in conn.execute(select(PAY).where(PAY.c.order_id == r.id).order_by(PAY.c.id))]
    out["checkouts"] = [
        {"transaction_id": x.transaction_id, "status": x.status, "description": x.description,
         "rail": x.rail, "asked": amount(x.asked_minor, x.asked_currency) if x.asked_currency else None,
         "receipt": x.receipt, "polls": x.polls,
         "created_at": when(x.created_at), "updated_at": when(x.updated_at)}
        for x in conn.execute(select(CH).where(CH.c.order_id == r.id).order_by(CH.c.id))]
    out["refunds"] = refunds.for_order(conn, r.id)  # issue 15
    out["history"] = [
        {"status": x.status, "by": x.actor, "note": x.note, "at": when(x.at)}
        for x in conn.execute(select(E).where(E.c.order_id == r.id).order_by(E.c.id))]
    out["messages"] = [message(x) for x in conn.execute(select(M).where(M.c.order_id == r.id).order_by(M.c.id))]
    return out


# -- messages -------------------------------------------------------------------------------------
def message(x) -> dict:
    return {"id": x.id, "to": x.to_phone, "body": x.body, "kind": x.kind, "status": x.status,
            "provider": x.provider, "provider_id": x.provider_id, "attempts": x.attempts, "error": x.error,
            "created_at": when(x.created_at), "sent_at": when(x.sent_at)}


@on_connection
def messages(conn: Connection, to: str | None, status: str | None, page: Page) -> tuple[list[dict], int]:
    conds = ([M.c.to_phone == to] if to else []) + ([M.c.status == status] if status else [])
    where = and_(*conds) if conds else true()
    total = conn.execute(select(func.count()).select_from(M).where(where)).scalar_one()
    rows = conn.execute(select(M).where(where).order_by(M.c.id.desc()).offset(page.offset).limit(page.per_page))
    return [message(x) for x in rows], total


@on_connection
def conversation(conn: Connection, phone: str, limit: int = 50) -> list[dict]:
    """What a phone sent and was sent, newest last: the simulator's SMS pane."""
    out = [(x.created_at, 1, {"direction": "out", **message(x)}) for x in
           conn.execute(select(M).where(M.c.to_phone == phone).order_by(M.c.id.desc()).limit(limit))]
    out += [(x.received_at, 0, {"direction": "in", "id": x.id, "body": x.body, "to": x.to,
                                "created_at": when(x.received_at)})
            for x in conn.execute(select(IN).where(IN.c.from_phone == phone).order_by(IN.c.id.desc()).limit(limit))]
    out.sort(key=lambda m: (m[0], m[1], m[2]["id"]))  # full-precision times; a reply after its message
    return [m for _, _, m in out[-limit:]]


# -- people ---------------------------------------------------------------------------------------
def _search(q: str | None, *columns):
    if not q:
        return true()
    like = f"%{q.lower()}%"
    return or_(*[func.lower(c).like(like) for c in columns])


@on_connection
def sellers(conn: Connection, q: str | None, page: Page) -> tuple[list[dict], int]:
    where = _search(q, S.c.shop_name, PE.c.phone)
    frm = S.join(PE, PE.c.id == S.c.person_id)
    total = conn.execute(select(func.count()).select_from(frm).where(where)).scalar_one()
    products = (select(func.count()).select_from(P).where(P.c.seller_id == S.c.id, P.c.active.is_(True))
                .scalar_subquery())
    open_orders = (select(func.count()).select_from(ORD)
                   .where(ORD.c.seller_id == S.c.id, ORD.c.status.in_(OPEN_STATUSES))
                   .scalar_subquery())
    rows = conn.execute(select(S.c.id, S.c.shop_name, S.c.suspended, S.c.created_at, PE.c.phone, PE.c.currency,
                               products.label("products"), open_orders.label("open_orders"))
                        .select_from(frm).where(where).order_by(S.c.id).offset(page.offset).limit(page.per_page))
    return [{"id": x.id, "shop_name": x.shop_name, "phone": x.phone, "currency": x.currency,
             "suspended": bool(x.suspended), "products": x.products, "open_orders": x.open_orders,
             "created_at": when(x.created_at)} for x in rows], total


@on_connection
def agents(conn: Connection, q: str | None, page: Page) -> tuple[list[dict], int]:
    where = _search(q, A.c.name, A.c.village, PE.c.phone)
    frm = A.join(PE, PE.c.id == A.c.person_id)
    total = conn.execute(select(func.count()).select_from(frm).where(where)).scalar_one()
    now = utcnow()
    rows = conn.execute(select(A, PE.c.phone).select_from(frm).where(where).order_by(A.c.id)
                        .offset(page.offset).limit(page.per_page))
    return [{"id": x.id, "name": x.name, "village": x.village, "phone": x.phone, "has_pin": x.pin_hash is not None,
             "suspended": bool(x.suspended), "locked": bool(x.locked_until and x.locked_until > now),
             "created_at": when(x.created_at)} for x in rows], total


@on_connection
def agent(conn: Connection, agent_id: int) -> dict | None:
    x = conn.execute(select(A, PE.c.phone).join(PE, PE.c.id == A.c.person_id).where(A.c.id == agent_id)).first()
    if x is None:
        return None
    return {"id": x.id, "name": x.name, "village": x.village, "phone": x.phone, "has_pin": x.pin_hash is not None,
            "suspended": bool(x.suspended), "locked": bool(x.locked_until and x.locked_until > utcnow()),
            "created_at": when(x.created_at)}


# -- payments and the audit log -------------------------------------------------------------------
@on_connection
def payments(conn: Connection, page: Page) -> tuple[list[dict], int]:
    total = conn.execute(select(func.count()).select_from(PAY)).scalar_one()
    rows = conn.execute(select(PAY, ORD.c.code).select_from(PAY.outerjoin(ORD, ORD.c.id == PAY.c.order_id))
                        .order_by(PAY.c.id.desc()).offset(page.offset).limit(page.per_page))
    return [{"order": x.code, "method": x.method, "amount_minor": x.amount_minor, "currency": x.currency,
             "reference": x.reference, "status": x.status, "note": x.note, "at": when(x.at)} for x in rows], total


@on_connection
def audit_log(conn: Connection, page: Page) -> tuple[list[dict], int]:
    total = conn.execute(select(func.count()).select_from(AU)).scalar_one()
    rows = conn.execute(select(AU).order_by(AU.c.id.desc()).offset(page.offset).limit(page.per_page))
    return [{"actor": x.actor, "action": x.action, "target": x.target, "detail": x.detail, "at": when(x.at)}
            for x in rows], total


# -- stats ----------------------------------------------------------------------------------------
@on_connection
def stats(conn: Connection, days: int, today: date | None = None) -> dict:
    """Orders by status, sales per currency (all time and per day over `days`), the payment mix."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    by_status = dict.fromkeys(STATUSES, 0)
    for status, n in conn.execute(select(ORD.c.status, func.count()).group_by(ORD.c.status)):
        by_status[status] = n
    sales = {cur: {"orders": n, "amount_minor": int(total or 0)} for cur, n, total in conn.execute(
        select(ORD.c.currency, func.count(), func.sum(ORD.c.total_minor))
        .where(ORD.c.status.in_(SOLD)).group_by(ORD.c.currency).order_by(ORD.c.currency))}

    day = func.date(ORD.c.created_at)
    per_day: dict[str, dict[str, int]] = {}
    for d, cur, total in conn.execute(
            select(day, ORD.c.currency, func.sum(ORD.c.total_minor))
            .where(ORD.c.status.in_(SOLD), ORD.c.created_at >= datetime.combine(first, datetime.min.time()))
            .group_by(day, ORD.c.currency)):
        per_day.setdefault(cur, {})[str(d)[:10]] = int(total or 0)
    dates = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    sales_per_day = {cur: [{"date": d, "amount_minor": values.get(d, 0)} for d in dates]
                     for cur, values in sorted(per_day.items())}

    orders_by_method = {m: n for m, n in conn.execute(
        select(ORD.c.payment_method, func.count()).group_by(ORD.c.payment_method))}
    payments_mix = [{"method": m, "status": st, "currency": cur, "count": n, "amount_minor": int(total or 0)}
                    for m, st, cur, n, total in conn.execute(
                        select(PAY.c.method, PAY.c.status, PAY.c.currency, func.count(), func.sum(PAY.c.amount_minor))
                        .group_by(PAY.c.method, PAY.c.status, PAY.c.currency)
                        .order_by(PAY.c.method, PAY.c.status, PAY.c.currency))]
    return {
        "orders": {"total": sum(by_status.values()), "by_status": by_status},
        "sales": sales,
        "sales_per_day": {"from": first.isoformat(), "to": today.isoformat(), "by_currency": sales_per_day},
        "payment_mix": {"orders_by_method": orders_by_method, "payments": payments_mix},
    }


# -- for the simulator, the CLI and /metrics ------------------------------------------------------
@on_connection
def people_to_act_as(conn: Connection, limit: int = 4) -> list[dict]:
    """A few active sellers and agents (phone, label), for the simulator's "act as" list."""
    out = [{"phone": phone, "label": f"Seller · {shop}"} for phone, shop in conn.execute(
        select(PE.c.phone, S.c.shop_name).join(S, S.c.person_id == PE.c.id)
        .where(S.c.suspended.is_(False)).order_by(S.c.id).limit(limit))]
    out += [{"phone": phone, "label": f"Agent · {name}, {village}"} for phone, name, village in conn.execute(
        select(PE.c.phone, A.c.name, A.c.village).join(A, A.c.person_id == PE.c.id)
        .where(A.c.suspended.is_(False)).order_by(A.c.id).limit(limit))]
    return out


@on_connection
def rates(conn: Connection) -> list:
    """Every exchange rate (from_currency, to_currency, rate, updated_at), by currency pair."""
    R = Rate.__table__  # noqa: N806
    return conn.execute(select(R).order_by(R.c.from_currency, R.c.to_currency)).all()


@on_connection
def world_counts(conn: Connection) -> dict[str, list[tuple]]:
    """What the world holds, for /metrics: orders by status, payments by method and result, outbound
    SMS by status, Africa's Talking's end-of-session reports by status."""
    EV = UssdSessionEvent.__table__  # noqa: N806
    return {
        "orders": conn.execute(select(ORD.c.status, func.count()).group_by(ORD.c.status)).all(),
        "payments": conn.execute(select(PAY.c.method, PAY.c.status, func.count())
                                 .group_by(PAY.c.method, PAY.c.status)).all(),
        "sms": conn.execute(select(M.c.status, func.count()).group_by(M.c.status)).all(),
        "session_reports": conn.execute(select(EV.c.status, func.count()).group_by(EV.c.status)).all(),
    }


# -- refunds owed (issue 15) ----------------------------------------------------------------------
@on_connection
def refunds_owed(conn: Connection, status: str | None, page: Page) -> tuple[list[dict], int, dict]:
    """Refunds newest first (owed or paid out, or both), how many, and the total owed per currency."""
    return refunds.listing(conn, status, page.offset, page.per_page)
