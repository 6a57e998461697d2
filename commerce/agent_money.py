"""The agent's money (SPEC §13): cash held for sellers, and commission.

One `agent_entries` row per movement, per currency:

    cash_in          cash the agent took for an order (PAID, or DELIVERED for pay on delivery),
                     written in the transaction that records its payment
    cash_out         cash the agent handed over to the operator (marked in /admin, with a reference)
    commission       earned when an order at the agent's point is delivered: AGENT_COMMISSION_PERCENT
                     of its total (money.percent_of: exact, half-up once)
    commission_paid  paid by the operator (marked in /admin, with a reference)

Cash held = cash_in - cash_out; unpaid commission = commission - commission_paid. The ledger check
(`ledger_problems`) holds the entries against the payments table: the cash agents collected (their
orders' successful cash payments) = settled (cash_out) + held, and nobody holds or is owed less
than nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, insert, select
from sqlalchemy.engine import Connection, Engine

from commerce import admin, money
from commerce.models import CASH, Agent, AgentEntry, Order, Payment, Person, utcnow
from commerce.order_state import OrderView

AE, ORD, PAY, A, PE = (AgentEntry.__table__, Order.__table__, Payment.__table__, Agent.__table__,
                       Person.__table__)

CASH_IN, CASH_OUT, COMMISSION, COMMISSION_PAID = "cash_in", "cash_out", "commission", "commission_paid"
KINDS = (CASH_IN, CASH_OUT, COMMISSION, COMMISSION_PAID)
DEFAULT_PERCENT = Decimal(5)
MAX_REFERENCE = 80


def _add(conn: Connection, agent_id: int, kind: str, amount: money.Money, actor: str, *,
         order_id: int | None = None, reference: str | None = None, at: datetime | None = None) -> None:
    conn.execute(insert(AE).values(agent_id=agent_id, kind=kind, amount_minor=amount.amount_minor,
                                   currency=amount.currency, order_id=order_id,
                                   reference=reference and reference[:MAX_REFERENCE], actor=actor[:40],
                                   at=at or utcnow()))


def cash_in(conn: Connection, order: OrderView, amount: money.Money, reference: str, actor: str) -> None:
    """The pickup agent took `amount` cash for `order` (with its payment, in the same transaction)."""
    _add(conn, order.agent_id, CASH_IN, amount, actor, order_id=order.id, reference=reference)


def commission_on(total: money.Money, percent: Decimal) -> money.Money:
    return money.percent_of(total, percent)


def earn_commission(conn: Connection, order: OrderView, percent: Decimal, actor: str) -> money.Money:
    """The pickup agent's commission on a delivered order (in the move's transaction)."""
    earned = commission_on(money.Money(order.total_minor, order.currency), percent)
    _add(conn, order.agent_id, COMMISSION, earned, actor, order_id=order.id)
    return earned


def week_start(now: datetime) -> datetime:
    """Monday 00:00 (UTC, as every stored time) of the week `now` is in."""
    return datetime.combine((now - timedelta(days=now.weekday())).date(), datetime.min.time())


@dataclass
class Balance:
    """One currency of an agent's money, in minor units."""

    currency: str
    collected: int = 0  # cash_in
    settled: int = 0  # cash_out
    earned: int = 0  # commission
    paid: int = 0  # commission_paid
    earned_this_week: int = 0

    @property
    def held(self) -> int:
        return self.collected - self.settled

    @property
    def unpaid(self) -> int:
        return self.earned - self.paid

    def money(self, minor: int) -> money.Money:
        return money.Money(minor, self.currency)


def balances(conn: Connection, agent_id: int, now: datetime | None = None) -> dict[str, Balance]:
    """The agent's money per currency, in one grouped query."""
    since = week_start(now or utcnow())
    this_week = func.sum(case((AE.c.at >= since, AE.c.amount_minor), else_=0))
    out: dict[str, Balance] = {}
    for currency, kind, total, week in conn.execute(
            select(AE.c.currency, AE.c.kind, func.sum(AE.c.amount_minor), this_week)
            .where(AE.c.agent_id == agent_id).group_by(AE.c.currency, AE.c.kind)):
        b = out.setdefault(currency, Balance(currency))
        total, week = int(total or 0), int(week or 0)
        if kind == CASH_IN:
            b.collected = total
        elif kind == CASH_OUT:
            b.settled = total
        elif kind == COMMISSION:
            b.earned, b.earned_this_week = total, week
        elif kind == COMMISSION_PAID:
            b.paid = total
    return dict(sorted(out.items()))


def balance_reply(conn: Connection, agent_id: int, lang: str, home_currency: str, now: datetime | None = None) -> str:
    """BALANCE: cash held, commission earned this week, commission unpaid (each currency the agent
    has money in; the agent's own currency at zero when there is none yet)."""
    from commerce.texts import t

    found = list(balances(conn, agent_id, now).values()) or [Balance(home_currency)]

    def amounts(minor_of) -> str:
        return ", ".join(money.format_money(b.money(minor_of(b)), lang) for b in found)

    return t("balance_reply", lang, held=amounts(lambda b: b.held), week=amounts(lambda b: b.earned_this_week),
             unpaid=amounts(lambda b: b.unpaid))


# -- the operator's side: the statement and settling ---------------------------------------------------

@dataclass
class Settled:
    ok: bool
    error: str | None = None  # no_agent, bad_kind, bad_amount, no_reference, too_much
    amount: money.Money | None = None
    most: money.Money | None = None  # when too_much: what may be settled at most
    detail: str = ""  # the amount parser's reason, for bad_amount


SETTLE_KINDS = {"cash": CASH_OUT, "commission": COMMISSION_PAID}


def settle(engine: Engine, agent_id: int, kind: str, amount_text: str, currency: str, reference: str,
           actor: str) -> Settled:
    """The operator marks cash handed over (`kind` "cash") or commission paid ("commission"), with a
    reference (a receipt or transaction number). At most what is held / unpaid; audited."""
    entry_kind = SETTLE_KINDS.get(kind)
    if entry_kind is None:
        return Settled(False, "bad_kind")
    reference = " ".join((reference or "").split())[:MAX_REFERENCE]
    if not reference:
        return Settled(False, "no_reference")
    currency = (currency or "").strip().upper()
    try:
        amount = money.parse_amount(amount_text or "", currency)
    except ValueError as exc:
        return Settled(False, "bad_amount", detail=str(exc))
    with engine.begin() as conn:
        # Locks the agent's row on PostgreSQL: two settlements of the same cash do not both pass.
        if conn.execute(select(A.c.id).where(A.c.id == agent_id).with_for_update()).first() is None:
            return Settled(False, "no_agent")
        b = balances(conn, agent_id).get(currency, Balance(currency))
        most = b.held if entry_kind == CASH_OUT else b.unpaid
        if amount.amount_minor > most:
            return Settled(False, "too_much", amount, b.money(most))
        _add(conn, agent_id, entry_kind, amount, actor, reference=reference)
        action = "agent_cash_settled" if entry_kind == CASH_OUT else "agent_commission_paid"
        admin.audit(conn, actor, action, f"agent:{agent_id}", f"{money.format_money(amount)} ref {reference}")
    return Settled(True, amount=amount)


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _amount(minor: int, currency: str) -> dict:
    return {"amount_minor": int(minor), "currency": currency}


def statement(engine_or_conn, agent_id: int, now: datetime | None = None, limit: int = 50) -> dict | None:
    """What /admin shows of an agent's money: per currency collected, settled, held, commission
    earned (and this week), paid, unpaid; the agent's latest orders with cash taken and commission;
    the latest entries. None for no such agent."""
    if isinstance(engine_or_conn, Connection):
        return _statement(engine_or_conn, agent_id, now, limit)
    with engine_or_conn.connect() as conn:
        return _statement(conn, agent_id, now, limit)


def _statement(conn: Connection, agent_id: int, now: datetime | None, limit: int) -> dict | None:
    agent = conn.execute(select(A.c.id, A.c.name, A.c.village, PE.c.phone, PE.c.currency)
                         .join(PE, PE.c.id == A.c.person_id).where(A.c.id == agent_id)).first()
    if agent is None:
        return None
    found = balances(conn, agent_id, now) or {agent.currency: Balance(agent.currency)}
    cash = (select(AE.c.order_id, func.sum(AE.c.amount_minor).label("cash")).where(
        AE.c.agent_id == agent_id, AE.c.kind == CASH_IN).group_by(AE.c.order_id).subquery())
    earned = (select(AE.c.order_id, func.sum(AE.c.amount_minor).label("commission")).where(
        AE.c.agent_id == agent_id, AE.c.kind == COMMISSION).group_by(AE.c.order_id).subquery())
    rows = conn.execute(
        select(ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency,
               ORD.c.created_at, ORD.c.placed_by, func.coalesce(cash.c.cash, 0), func.coalesce(earned.c.commission, 0))
        .outerjoin(cash, cash.c.order_id == ORD.c.id).outerjoin(earned, earned.c.order_id == ORD.c.id)
        .where(ORD.c.agent_id == agent_id).order_by(ORD.c.id.desc()).limit(limit)).all()
    orders = [{"code": r.code, "status": r.status, "payment_method": r.payment_method,
               "total": _amount(r.total_minor, r.currency), "cash": _amount(r[8], r.currency),
               "commission": _amount(r[9], r.currency), "assisted": r.placed_by == agent_id,
               "created_at": _when(r.created_at)} for r in rows]
    entries = [{"kind": e.kind, "amount": _amount(e.amount_minor, e.currency), "order": e.code,
                "reference": e.reference, "by": e.actor, "at": _when(e.at)}
               for e in conn.execute(select(AE, ORD.c.code).select_from(AE.outerjoin(ORD, ORD.c.id == AE.c.order_id))
                                     .where(AE.c.agent_id == agent_id).order_by(AE.c.id.desc()).limit(limit))]
    return {
        "agent": {"id": agent.id, "name": agent.name, "village": agent.village, "phone": agent.phone},
        "balances": [{"currency": b.currency, "cash_collected": _amount(b.collected, b.currency),
                      "cash_settled": _amount(b.settled, b.currency), "cash_held": _amount(b.held, b.currency),
                      "commission_earned": _amount(b.earned, b.currency),
                      "commission_this_week": _amount(b.earned_this_week, b.currency),
                      "commission_paid": _amount(b.paid, b.currency),
                      "commission_unpaid": _amount(b.unpaid, b.currency)} for b in found.values()],
        "orders": orders,
        "entries": entries,
    }


# -- the ledger check ------------------------------------------------------------------------------------

def ledger_problems(conn: Connection) -> list[tuple[str, int, int]]:
    """Agents' cash that does not add up, as (`agent:<id> <currency>`, collected, settled + held):
    collected is what the payments table says the agent took (successful cash payments of orders at
    their point); settled + held is what the agent's entries say. Also any agent holding, or owed,
    less than nothing: (`agent:<id> <currency> held|unpaid`, that amount, 0). Empty when it balances."""
    collected: dict[tuple[int, str], int] = {}
    for agent_id, currency, total in conn.execute(
            select(ORD.c.agent_id, PAY.c.currency, func.sum(PAY.c.amount_minor))
            .join(ORD, ORD.c.id == PAY.c.order_id)
            .where(PAY.c.method == CASH, PAY.c.status == "success").group_by(ORD.c.agent_id, PAY.c.currency)):
        collected[(agent_id, currency)] = int(total or 0)
    books: dict[tuple[int, str], dict[str, int]] = {}
    for agent_id, currency, kind, total in conn.execute(
            select(AE.c.agent_id, AE.c.currency, AE.c.kind, func.sum(AE.c.amount_minor))
            .group_by(AE.c.agent_id, AE.c.currency, AE.c.kind)):
        books.setdefault((agent_id, currency), {})[kind] = int(total or 0)
    problems = []
    for key in sorted(set(collected) | set(books)):
        kinds = books.get(key, {})
        settled, held = kinds.get(CASH_OUT, 0), kinds.get(CASH_IN, 0) - kinds.get(CASH_OUT, 0)
        unpaid = kinds.get(COMMISSION, 0) - kinds.get(COMMISSION_PAID, 0)
        name = f"agent:{key[0]} {key[1]}"
        if collected.get(key, 0) != settled + held:
            problems.append((name, collected.get(key, 0), settled + held))
        if held < 0:
            problems.append((name + " held", held, 0))
        if unpaid < 0:
            problems.append((name + " unpaid", unpaid, 0))
    return problems


__all__ = ["KINDS", "CASH_IN", "CASH_OUT", "COMMISSION", "COMMISSION_PAID", "DEFAULT_PERCENT", "Balance",
           "Settled", "cash_in", "commission_on", "earn_commission", "week_start", "balances", "balance_reply",
           "settle", "statement", "ledger_problems"]
