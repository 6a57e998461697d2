"""Credit the way villages use it (SPEC §15): pay in parts (lay-by), pay later offered by the seller,
and groups that vouch for each other (commerce/groups.py). The credit is the seller's own, incidental
to the sale: Soko lends nothing, adds no interest, and writes to no one about a buyer's dues but
the buyer.

    set_offer(conn, seller_id, max, weeks)     CREDIT ON <max> <weeks> / CREDIT OFF
    offer(conn, phone, seller_id, total, ...)  may this buyer pay this total later, and how
    plan_terms(...)                            what place_order writes with a lay-by or pay-later order
    on_payment(conn, order, now)               money came in: spread over the instalments (oldest first)
    dues(conn, order_id)                       what is due and when (My orders, the notices)
    instalment_reminders / arrears_notices / layby_reminders / expire_laybys   the sweeps (workers/credit.py)
    seller_report, report                      the seller's CREDIT, the operator's /admin/credit

What is paid is always the order's `paid_minor`, the ledger's own count (payments.ledger_problems):
the instalments only say how it spreads, so a payment is never counted twice, and
`ledger_problems` below checks that they agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel.dates import format_date
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.engine import Connection, Engine

from commerce import money, order_moves, rates, refunds, schedule
from commerce.models import (
    CANCELLED,
    DELIVERED,
    EXPIRED,
    LAYBY,
    PAY_LATER,
    PLACED,
    CreditGroup,
    CreditPlan,
    GroupMember,
    Instalment,
    Order,
    Payment,
    Person,
    Seller,
    utcnow,
)
from commerce.order_state import Notices, OrderView, load, shown_minor
from fast import sql

CP, INS, ORD, S, PE = (CreditPlan.__table__, Instalment.__table__, Order.__table__, Seller.__table__,
                       Person.__table__)
G, GM, PAY = CreditGroup.__table__, GroupMember.__table__, Payment.__table__

OPEN, REPAID, ABANDONED = "open", "repaid", "abandoned"
MEMBER, DECLINED = "member", "declined"
MAX_WEEKS = 26  # CREDIT ON <max> <weeks>: up to half a year of weekly instalments
GROUP_SIZE = (2, 5)
CLOSED_ORDER = (CANCELLED, EXPIRED)


@dataclass(frozen=True)
class Terms:
    """The operator's settings (config: LAYBY_WEEKS, CREDIT_MIN_ORDERS, CREDIT_FIRST_LIMIT)."""

    layby_weeks: int = 8
    min_orders: int = 2
    first_limit: money.Money = field(default_factory=lambda: money.Money(200000, "KES"))


def day(at: datetime, lang: str) -> str:
    """A due day as people read it: "12 Jun", "12 Jun" in Swahili, "6月12日" in Chinese."""
    return format_date(at.date(), "d MMM", locale={"sw": "sw", "zh": "zh"}.get(lang, "en"))


# -- the seller's offer ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SellerOffer:
    max: money.Money
    weeks: int


def seller_offer(conn: Connection, seller_id: int) -> SellerOffer | None:
    row = conn.execute(select(S.c.credit_max_minor, S.c.credit_weeks, PE.c.currency)
                       .join(PE, PE.c.id == S.c.person_id).where(S.c.id == seller_id)).first()
    if row is None or row.credit_max_minor is None or not row.credit_weeks:
        return None
    return SellerOffer(money.Money(row.credit_max_minor, row.currency), row.credit_weeks)


def set_offer(conn: Connection, seller_id: int, max_minor: int | None, weeks: int | None) -> None:
    """Offer pay later (the most a buyer may owe this seller, and the weeks to repay), or stop (None).
    Stopping leaves running plans as they are: only new orders are refused."""
    conn.execute(update(S).where(S.c.id == seller_id).values(credit_max_minor=max_minor, credit_weeks=weeks))


# -- who may have credit -----------------------------------------------------------------------------

def group_of(conn: Connection, person_id: int) -> int | None:
    """The buyer's group, while it has at least two members who have not declined."""
    mine = conn.execute(select(GM.c.group_id).where(GM.c.person_id == person_id, GM.c.status == MEMBER)
                        .order_by(GM.c.id.desc())).scalars().all()
    for group_id in mine:
        if len(members(conn, group_id)) >= GROUP_SIZE[0]:
            return group_id
    return None


def members(conn: Connection, group_id: int) -> list[int]:
    return list(conn.execute(select(GM.c.person_id).where(GM.c.group_id == group_id, GM.c.status == MEMBER)
                             .order_by(GM.c.id)).scalars())


def _arrears_clause(now: datetime):
    return and_(CP.c.kind == PAY_LATER, CP.c.status == OPEN, ORD.c.status.not_in(CLOSED_ORDER),
                INS.c.paid_minor < INS.c.amount_minor, INS.c.due_at <= now - schedule.ARREARS_AFTER)


def in_arrears(conn: Connection, person_ids: list[int], now: datetime) -> bool:
    """Any of these buyers has an instalment 7 days late, with any seller."""
    if not person_ids:
        return False
    return conn.execute(select(INS.c.id).join(CP, CP.c.id == INS.c.plan_id).join(ORD, ORD.c.id == CP.c.order_id)
                        .where(CP.c.buyer_id.in_(person_ids), _arrears_clause(now)).limit(1)).first() is not None


def fully_paid_deliveries(conn: Connection, person_id: int) -> int:
    """Orders this buyer collected and paid in full (a pay-later order once repaid)."""
    n = 0
    for total, cur, paid in conn.execute(select(ORD.c.total_minor, ORD.c.currency, ORD.c.paid_minor)
                                         .where(ORD.c.buyer_id == person_id, ORD.c.status == DELIVERED)):
        n += paid >= shown_minor(total, cur)
    return n


# A buyer's open pay-later plans with a seller in one currency, as (total, paid): read by offer()
# on a SQLAlchemy connection and again inside the order's transaction (commerce.orders, on a
# fast.sql.Writer), so prebuilt (plain bound values: no IN list).
OWED = sql.Prebuilt(
    select(CP.c.total_minor, ORD.c.paid_minor).join(ORD, ORD.c.id == CP.c.order_id)
    .where(CP.c.buyer_id == bindparam("buyer_id"), CP.c.seller_id == bindparam("seller_id"),
           CP.c.kind == PAY_LATER, CP.c.status == OPEN, CP.c.currency == bindparam("currency"),
           *(ORD.c.status != closed for closed in CLOSED_ORDER)))


def owed(rows) -> int:
    """What OWED's rows still owe (an overpaid plan owes nothing, never less)."""
    return sum(max(total - paid, 0) for total, paid in rows)


def outstanding_with(conn: Connection, person_id: int, seller_id: int, currency: str) -> int:
    """What this buyer still owes this seller on pay later, in `currency` (their orders' currency)."""
    return owed(sql.rows(conn, OWED, {"buyer_id": person_id, "seller_id": seller_id, "currency": currency}))


def cycles_on_time(conn: Connection, person_id: int, seller_id: int) -> int:
    return conn.execute(select(func.count()).select_from(CP).where(
        CP.c.buyer_id == person_id, CP.c.seller_id == seller_id, CP.c.kind == PAY_LATER, CP.c.status == REPAID,
        CP.c.on_time.is_(True))).scalar_one()


@dataclass(frozen=True)
class Offer:
    ok: bool
    reason: str | None = None  # off, new_buyer, arrears, too_few_orders, no_rate, over_limit
    weeks: int = 0
    limit: money.Money | None = None
    group_id: int | None = None
    amounts: tuple[int, ...] = ()
    due_at: tuple[datetime, ...] = ()


def offer(conn: Connection, *, buyer_phone: str, seller_id: int, total: money.Money, terms: Terms,
          now: datetime) -> Offer:
    """May this buyer take `total` (in their currency) from this seller on pay later, and on what
    instalments. Refused: the seller offers none; a buyer with no record; arrears anywhere (theirs,
    or a member's of their group); fewer than CREDIT_MIN_ORDERS delivered, fully paid orders (one,
    in a group); a limit it would pass (the first limit, raised by half per cycle repaid on time)."""
    seller = seller_offer(conn, seller_id)
    if seller is None:
        return Offer(False, "off")
    person_id = conn.execute(select(PE.c.id).where(PE.c.phone == buyer_phone)).scalar()
    if person_id is None:
        return Offer(False, "new_buyer")
    group_id = group_of(conn, person_id)
    watched = members(conn, group_id) if group_id else [person_id]
    if in_arrears(conn, watched, now):
        return Offer(False, "arrears")
    needed = 1 if group_id else terms.min_orders
    if fully_paid_deliveries(conn, person_id) < needed:
        return Offer(False, "too_few_orders")
    cur = total.currency
    to_seller, to_first = rates.get(conn, seller.max.currency, cur), rates.get(conn, terms.first_limit.currency, cur)
    if to_seller is None or to_first is None:
        return Offer(False, "no_rate")
    cap = money.convert(seller.max, cur, to_seller).amount_minor
    first = min(cap, money.convert(terms.first_limit, cur, to_first).amount_minor)
    limit = schedule.limit(first, cycles_on_time(conn, person_id, seller_id), cap, cur)
    payable = shown_minor(total.amount_minor, cur)
    if payable + outstanding_with(conn, person_id, seller_id, cur) > limit:
        return Offer(False, "over_limit", limit=money.Money(limit, cur))
    return Offer(True, weeks=seller.weeks, limit=money.Money(limit, cur), group_id=group_id,
                 amounts=tuple(schedule.split(payable, seller.weeks, cur)),
                 due_at=tuple(schedule.due_days(now, seller.weeks)))


# -- a plan, written with its order (commerce.orders.place_order) ------------------------------------

@dataclass(frozen=True)
class PlanTerms:
    """What place_order writes beside a lay-by or pay-later order."""

    kind: str  # LAYBY or PAY_LATER
    weeks: int  # a lay-by's deadline in weeks; pay later's number of weekly instalments
    group_id: int | None = None
    limit_minor: int | None = None  # pay later: the offer's limit, checked again as the order is written


def plan_rows(terms: PlanTerms, *, order_id: int, buyer_id: int, seller_id: int, total: money.Money,
              now: datetime) -> tuple[dict, list[dict]]:
    """The plan row and its instalment rows (none for a lay-by)."""
    payable = shown_minor(total.amount_minor, total.currency)
    plan = dict(order_id=order_id, kind=terms.kind, buyer_id=buyer_id, seller_id=seller_id, group_id=terms.group_id,
                total_minor=payable, currency=total.currency, weeks=terms.weeks,
                deadline=now + schedule.WEEK * terms.weeks if terms.kind == LAYBY else None, status=OPEN,
                on_time=None, reminded=0, created_at=now, closed_at=None)
    if terms.kind != PAY_LATER:
        return plan, []
    amounts = schedule.split(payable, terms.weeks, total.currency)
    return plan, [dict(n=i + 1, due_at=at, amount_minor=amount, paid_minor=0, paid_at=None, reminders=0)
                  for i, (amount, at) in enumerate(zip(amounts, schedule.due_days(now, terms.weeks), strict=True))]


# -- money in ----------------------------------------------------------------------------------------

def on_payment(conn: Connection, order: OrderView, now: datetime) -> None:
    """The order's paid amount changed: spread it over its instalments (oldest first), stamp each one
    paid in full with `now`, and close the plan once the whole price is in. Run in the payment's
    transaction (commerce.payments.credit). Nothing for orders without a plan."""
    plan = conn.execute(select(CP.c.id, CP.c.kind, CP.c.status).where(CP.c.order_id == order.id)).first()
    if plan is None or plan.status != OPEN:
        return
    rows = conn.execute(select(INS.c.id, INS.c.amount_minor, INS.c.paid_minor, INS.c.paid_at, INS.c.due_at)
                        .where(INS.c.plan_id == plan.id).order_by(INS.c.n)).all()
    shares = schedule.spread(order.paid_minor, [r.amount_minor for r in rows])
    all_on_time = True
    for r, share in zip(rows, shares, strict=True):
        paid_at = r.paid_at
        if share != r.paid_minor:
            paid_at = (paid_at or now) if share >= r.amount_minor else None
            conn.execute(update(INS).where(INS.c.id == r.id).values(paid_minor=share, paid_at=paid_at))
        all_on_time = all_on_time and schedule.on_time(paid_at, r.due_at)
    if order.paid_in_full:
        conn.execute(update(CP).where(CP.c.id == plan.id, CP.c.status == OPEN).values(
            status=REPAID, closed_at=now, on_time=all_on_time if plan.kind == PAY_LATER else None))


@dataclass(frozen=True)
class Dues:
    kind: str
    paid: money.Money
    left: money.Money
    next_amount: money.Money | None = None  # pay later: what is left of the next instalment
    next_at: datetime | None = None  # its day; a lay-by's deadline
    late: bool = False


def dues(conn: Connection, order_id: int, now: datetime | None = None) -> Dues | None:
    """What is left to pay on a lay-by or pay-later order, and by when; None for other orders or
    once nothing is left."""
    now = now or utcnow()
    plan = conn.execute(select(CP.c.id, CP.c.kind, CP.c.total_minor, CP.c.currency, CP.c.deadline, CP.c.status,
                               ORD.c.paid_minor, ORD.c.status.label("order_status"))
                        .join(ORD, ORD.c.id == CP.c.order_id).where(CP.c.order_id == order_id)).first()
    if plan is None or plan.status != OPEN or plan.order_status in CLOSED_ORDER:
        return None
    paid = min(plan.paid_minor, plan.total_minor)
    cur = plan.currency
    left = money.Money(plan.total_minor - paid, cur)
    if plan.kind == LAYBY:
        return Dues(LAYBY, money.Money(paid, cur), left, None, plan.deadline)
    rows = conn.execute(select(INS.c.amount_minor, INS.c.paid_minor, INS.c.due_at).where(INS.c.plan_id == plan.id)
                        .order_by(INS.c.n)).all()
    nxt = schedule.next_due([r.amount_minor for r in rows], [r.due_at for r in rows], [r.paid_minor for r in rows])
    if nxt is None:
        return None
    return Dues(PAY_LATER, money.Money(paid, cur), left, money.Money(nxt.amount_minor, cur), nxt.due_at,
                late=nxt.due_at + timedelta(days=1) <= now)


def dues_text(d: Dues, lang: str) -> str:
    """One line for My orders and the payment notices: what is due and when."""
    from commerce.texts import t

    fmt = money.format_money
    if d.kind == LAYBY:
        return t("dues_layby", lang, paid=fmt(d.paid, lang), left=fmt(d.left, lang), day=day(d.next_at, lang))
    return t("dues_pay_later", lang, amount=fmt(d.next_amount, lang), day=day(d.next_at, lang),
             left=fmt(d.left, lang))


def payment_notices(conn: Connection, order: OrderView, amount: money.Money, n: Notices, now: datetime) -> None:
    """The buyer's notice of money received for a lay-by or pay-later order: what is left and by when,
    or that it is paid up (a lay-by paid up goes on as a paid order: the seller is told to send it)."""
    fmt = _fmt(amount)
    if not order.paid_in_full:
        d = dues(conn, order.id, now)
        if d is not None:
            n.send("buyer", "credit_part_paid", amount=fmt, dues=lambda lang: dues_text(d, lang))
        return
    if order.method == LAYBY:
        n.send("buyer", "buyer_paid", amount=fmt)
        if order.status == "paid":
            n.send("seller", "seller_paid", amount=_fmt(order.seller_total))
    else:
        n.send("buyer", "credit_repaid", amount=fmt)


def _fmt(m: money.Money):
    return lambda lang: money.format_money(m, lang)


# -- the sweeps (workers/credit.py): each safe to run twice, and beside itself ----------------------

def _open_instalments(conn: Connection, where, limit: int):
    return conn.execute(select(INS.c.id, INS.c.reminders, INS.c.due_at, CP.c.order_id)
                        .join(CP, CP.c.id == INS.c.plan_id).join(ORD, ORD.c.id == CP.c.order_id)
                        .where(CP.c.kind == PAY_LATER, CP.c.status == OPEN, ORD.c.status.not_in(CLOSED_ORDER),
                               INS.c.paid_minor < INS.c.amount_minor, where)
                        .order_by(INS.c.due_at, INS.c.id).limit(limit)).all()


def _remind(engine: Engine, instalment_id: int, seen: int, stage: int, order_id: int, key: str,
            now: datetime) -> list[int]:
    """Send reminder `stage` of an instalment once: a guarded UPDATE claims it (a second sweep, or
    one running beside, finds it claimed and sends nothing), in the transaction of its message."""
    with engine.begin() as conn:
        claimed = conn.execute(update(INS).where(INS.c.id == instalment_id, INS.c.reminders == seen,
                                                 INS.c.paid_minor < INS.c.amount_minor)
                               .values(reminders=stage)).rowcount
        if not claimed:
            return []
        row = conn.execute(select(INS.c.amount_minor, INS.c.paid_minor, INS.c.due_at, CP.c.currency)
                           .join(CP, CP.c.id == INS.c.plan_id).where(INS.c.id == instalment_id)).one()
        order = load(conn, order_id=order_id)
        n = Notices(conn, order)
        due = money.Money(row.amount_minor - row.paid_minor, row.currency)
        # Only ever the buyer, about their own dues (no one else is told of a person's debt).
        n.send("buyer", key, amount=_fmt(due), day=lambda lang: day(row.due_at, lang))
        return n.ids


REMINDER_KEYS = {1: "credit_due_soon", 2: "credit_due_today", 3: "credit_overdue"}


def instalment_reminders(engine: Engine, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Instalments not paid: the buyer reminded 2 days before, on the day and 3 days after (only the
    latest that is due, once: a reminder missed while the worker was down is not sent late)."""
    now = now or utcnow()
    soonest = now - min(schedule.REMINDERS.values()) - schedule.REMIND_AT_HOUR
    with engine.connect() as conn:
        rows = _open_instalments(conn, and_(INS.c.due_at <= soonest, INS.c.reminders < 3), limit)
    ids: list[int] = []
    for r in rows:
        stage = schedule.reminder_due(r.due_at, now)
        if stage > r.reminders:
            ids += _remind(engine, r.id, r.reminders, stage, r.order_id, REMINDER_KEYS[stage], now)
    return ids


def arrears_notices(engine: Engine, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Instalments 7 days late: the buyer told once that no new credit is given until they are paid
    (no penalty, no one else told). Arrears itself is read from the instalments, not from this."""
    now = now or utcnow()
    with engine.connect() as conn:
        rows = _open_instalments(conn, and_(INS.c.due_at <= now - schedule.ARREARS_AFTER,
                                            INS.c.reminders < schedule.ARREARS_NOTICE), limit)
    ids: list[int] = []
    for r in rows:
        ids += _remind(engine, r.id, r.reminders, schedule.ARREARS_NOTICE, r.order_id, "credit_arrears", now)
    return ids


def layby_reminders(engine: Engine, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Each week of an open lay-by, the buyer reminded of the balance and the deadline (once a week:
    the plan's `reminded` count is claimed with a guarded UPDATE)."""
    now = now or utcnow()
    with engine.connect() as conn:
        rows = conn.execute(select(CP.c.id, CP.c.order_id, CP.c.created_at, CP.c.reminded, CP.c.deadline)
                            .join(ORD, ORD.c.id == CP.c.order_id)
                            .where(CP.c.kind == LAYBY, CP.c.status == OPEN, ORD.c.status == PLACED,
                                   CP.c.created_at <= now - schedule.WEEK, CP.c.deadline > now)
                            .order_by(CP.c.id).limit(limit)).all()
    ids: list[int] = []
    for r in rows:
        week = (now - r.created_at) // schedule.WEEK
        if week <= r.reminded:
            continue
        with engine.begin() as conn:
            if not conn.execute(update(CP).where(CP.c.id == r.id, CP.c.reminded == r.reminded, CP.c.status == OPEN)
                                .values(reminded=week)).rowcount:
                continue
            order = load(conn, order_id=r.order_id)
            if order.paid_in_full:
                continue
            n = Notices(conn, order)
            n.send("buyer", "layby_reminder", paid=_fmt(order.money(order.paid_minor)), due=_fmt(order.due),
                   day=lambda lang, at=r.deadline: day(at, lang))
            ids += n.ids
    return ids


@dataclass
class Expired:
    order_ids: list[int] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)


def expire_laybys(engine: Engine, now: datetime | None = None, limit: int = 500) -> Expired:
    """Lay-bys not paid up by their deadline: cancelled (a move of the order table, by the system),
    stock back, what was paid owed back to the buyer (refunds, reason layby_abandoned); buyer,
    seller and agent told."""
    now = now or utcnow()
    with engine.connect() as conn:
        due = conn.execute(select(CP.c.id, CP.c.order_id).join(ORD, ORD.c.id == CP.c.order_id)
                           .where(CP.c.kind == LAYBY, CP.c.status == OPEN, ORD.c.status == PLACED,
                                  CP.c.deadline <= now).order_by(CP.c.id).limit(limit)).all()
    out = Expired()
    for plan_id, order_id in due:
        with engine.begin() as conn:
            order = load(conn, order_id=order_id, lock=True)
            moved = order_moves.apply(conn, order, CANCELLED, "system", note="lay-by deadline passed")
            if not moved.ok:  # paid up (or cancelled) meanwhile
                continue
            refunds.owe_paid_back(conn, order, refunds.LAYBY_ABANDONED)
            conn.execute(update(CP).where(CP.c.id == plan_id).values(status=ABANDONED, closed_at=now))
            n = Notices(conn, order)
            paid = order.money(order.paid_minor)
            n.send("buyer", "layby_cancelled_refund" if order.paid_minor else "layby_cancelled", paid=_fmt(paid))
            n.send("seller", "layby_cancelled_seller")
            n.send("agent", "layby_cancelled_agent")
            out.order_ids.append(order_id)
            out.message_ids += n.ids
    return out


# -- reports -----------------------------------------------------------------------------------------

def _live_plans(conn: Connection, *where):
    return conn.execute(select(CP.c.id, CP.c.order_id, CP.c.seller_id, CP.c.buyer_id, CP.c.total_minor,
                               CP.c.currency, CP.c.created_at, CP.c.status, ORD.c.paid_minor, S.c.shop_name)
                        .join(ORD, ORD.c.id == CP.c.order_id).join(S, S.c.id == CP.c.seller_id)
                        .where(CP.c.kind == PAY_LATER, ORD.c.status.not_in(CLOSED_ORDER), *where)
                        .order_by(CP.c.id)).all()


def _week_start(now: datetime) -> datetime:
    d = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return d - timedelta(days=d.weekday())


def _instalment_dues(conn: Connection, plan_ids: list[int], now: datetime) -> dict[int, tuple[int, int]]:
    """plan id -> (due this week and not paid, in arrears), in its currency."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if not plan_ids:
        return {}
    start = _week_start(now)
    for plan_id, amount, paid, due_at in conn.execute(
            select(INS.c.plan_id, INS.c.amount_minor, INS.c.paid_minor, INS.c.due_at)
            .where(INS.c.plan_id.in_(plan_ids), INS.c.paid_minor < INS.c.amount_minor)):
        left = amount - paid
        if start <= due_at < start + schedule.WEEK:
            out[plan_id][0] += left
        if schedule.in_arrears(due_at, True, now):
            out[plan_id][1] += left
    return {k: (v[0], v[1]) for k, v in out.items()}


def seller_report(conn: Connection, seller_id: int, now: datetime | None = None) -> dict[str, dict]:
    """currency -> {given, orders, outstanding, arrears} of this seller's pay-later credit: totals
    only, no buyer named."""
    now = now or utcnow()
    plans = _live_plans(conn, CP.c.seller_id == seller_id)
    owed = _instalment_dues(conn, [p.id for p in plans], now)
    out: dict[str, dict] = {}
    for p in plans:
        row = out.setdefault(p.currency, {"given": 0, "orders": 0, "outstanding": 0, "arrears": 0})
        row["given"] += p.total_minor
        row["orders"] += 1
        row["outstanding"] += max(p.total_minor - p.paid_minor, 0)
        row["arrears"] += owed.get(p.id, (0, 0))[1]
    return out


def report(conn: Connection, now: datetime | None = None, days: int = 30) -> dict:
    """The operator's view (/admin/credit): per currency, in total, per seller and per group
    (its current members), credit outstanding, due this week and in arrears; open lay-bys; and
    outstanding credit at the end of each of the last `days` days (the chart)."""
    now = now or utcnow()
    plans = _live_plans(conn)
    owed = _instalment_dues(conn, [p.id for p in plans], now)
    group_of_person = {pid: (gid, name) for pid, gid, name in conn.execute(
        select(GM.c.person_id, G.c.id, G.c.name).join(G, G.c.id == GM.c.group_id).where(GM.c.status == MEMBER))}

    def blank():
        return {"outstanding": 0, "due_week": 0, "arrears": 0, "orders": 0}

    totals: dict[str, dict] = defaultdict(blank)
    sellers: dict[tuple, dict] = defaultdict(blank)
    groups: dict[tuple, dict] = defaultdict(blank)
    for p in plans:
        left = max(p.total_minor - p.paid_minor, 0)
        if p.status != OPEN or left == 0:
            continue
        week, arrears = owed.get(p.id, (0, 0))
        targets = [totals[p.currency], sellers[(p.seller_id, p.shop_name, p.currency)]]
        if p.buyer_id in group_of_person:
            gid, gname = group_of_person[p.buyer_id]
            targets.append(groups[(gid, gname, p.currency)])
        for row in targets:
            row["outstanding"] += left
            row["due_week"] += week
            row["arrears"] += arrears
            row["orders"] += 1
    laybys: dict[str, dict] = defaultdict(lambda: {"open": 0, "paid": 0, "left": 0})
    for total, cur, paid in conn.execute(
            select(CP.c.total_minor, CP.c.currency, ORD.c.paid_minor).join(ORD, ORD.c.id == CP.c.order_id)
            .where(CP.c.kind == LAYBY, CP.c.status == OPEN, ORD.c.status == PLACED)):
        laybys[cur]["open"] += 1
        laybys[cur]["paid"] += min(paid, total)
        laybys[cur]["left"] += max(total - paid, 0)
    return {
        "totals": dict(sorted(totals.items())),
        "sellers": [{"seller_id": k[0], "shop": k[1], "currency": k[2], **v} for k, v in sorted(sellers.items())],
        "groups": [{"group_id": k[0], "name": k[1], "currency": k[2], **v} for k, v in sorted(groups.items())],
        "laybys": dict(sorted(laybys.items())),
        "outstanding_per_day": outstanding_per_day(conn, plans, now, days),
    }


def outstanding_per_day(conn: Connection, plans, now: datetime, days: int) -> dict[str, list[dict]]:
    """currency -> [{"date", "amount_minor"}]: pay-later credit not yet repaid at the end of each day
    (what was given by then, less what had come in for it by then, never below zero)."""
    if not plans:
        return {}
    end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    ends = [end - timedelta(days=days - 1 - i) for i in range(days)]
    paid_at: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    order_ids = [p.order_id for p in plans]
    for order_id, amount, at, _cur in conn.execute(
            select(PAY.c.order_id, PAY.c.amount_minor, PAY.c.at, PAY.c.currency)
            .where(PAY.c.order_id.in_(order_ids), PAY.c.status == "success")):
        paid_at[order_id].append((at, amount))
    out: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for p in plans:
        for i, e in enumerate(ends):
            if p.created_at >= e:
                continue
            got = sum(a for at, a in paid_at[p.order_id] if at < e)
            out[p.currency][i] += max(p.total_minor - got, 0)
    return {cur: [{"date": (e - timedelta(days=1)).date().isoformat(), "amount_minor": v}
                  for e, v in zip(ends, values, strict=True)] for cur, values in sorted(out.items())}


# -- the ledger's view ------------------------------------------------------------------------------

def ledger_problems(conn: Connection) -> list[tuple[str, int, int]]:
    """Plans whose instalments do not add up: ("<code> instalments", sum of amounts, the price) when
    they do not sum to it; ("<code> spread", paid over instalments, what the order was paid up to
    its price) when money is counted on an instalment twice or not at all."""
    problems = []
    rows = conn.execute(
        select(ORD.c.code, CP.c.total_minor, ORD.c.total_minor.label("order_total"), ORD.c.currency,
               ORD.c.paid_minor, func.coalesce(func.sum(INS.c.amount_minor), 0), func.coalesce(func.sum(INS.c.paid_minor), 0))
        .select_from(CP.join(ORD, ORD.c.id == CP.c.order_id).outerjoin(INS, INS.c.plan_id == CP.c.id))
        .where(CP.c.kind == PAY_LATER).group_by(ORD.c.code, CP.c.total_minor, ORD.c.total_minor, ORD.c.currency,
                                                  ORD.c.paid_minor)).all()
    for code, plan_total, order_total, cur, paid, amounts, spread_paid in rows:
        payable = shown_minor(order_total, cur)
        if amounts != payable or plan_total != payable:
            problems.append((f"{code} instalments", int(amounts), payable))
        if spread_paid != min(paid, payable):
            problems.append((f"{code} spread", int(spread_paid), min(paid, payable)))
    return problems


__all__ = ["Terms", "PlanTerms", "Offer", "Dues", "offer", "set_offer", "seller_offer", "plan_rows", "on_payment",
           "dues", "dues_text", "payment_notices", "instalment_reminders", "arrears_notices", "layby_reminders",
           "expire_laybys", "seller_report", "report", "ledger_problems", "group_of", "members", "in_arrears",
           "day"]


def terms_of(settings) -> Terms:
    """The credit settings (config.Settings: LAYBY_WEEKS, CREDIT_MIN_ORDERS, CREDIT_FIRST_LIMIT)."""
    currency, amount = settings.credit_first_limit
    return Terms(settings.layby_weeks, settings.credit_min_orders, money.from_decimal(amount, currency))


def seller_of_product(conn: Connection, product_id: int) -> int | None:
    from commerce.models import Product

    P = Product.__table__  # noqa: N806
    return conn.execute(select(P.c.seller_id).where(P.c.id == product_id)).scalar()


def credit_seller(conn: Connection, product_id: int) -> int | None:
    """The seller of a product when that seller offers pay later at all (None: no offer to make to
    anyone). Only products and sellers are read: the payment screen keeps it in the catalog cache."""
    from commerce.models import Product

    P = Product.__table__  # noqa: N806
    return conn.execute(select(P.c.seller_id).join(S, S.c.id == P.c.seller_id).where(
        P.c.id == product_id, S.c.credit_max_minor.is_not(None), S.c.credit_weeks > 0)).scalar()


def overview(engine: Engine, days: int = 30, now: datetime | None = None) -> dict:
    """`report` for the admin page and API: every amount as {"amount_minor", "currency"}."""
    with engine.connect() as conn:
        r = report(conn, now, days)

    def amounts(row: dict, cur: str) -> dict:
        return {k: ({"amount_minor": v, "currency": cur} if k in ("outstanding", "due_week", "arrears", "paid", "left")
                    else v) for k, v in row.items() if k != "currency"}

    return {
        "totals": [{"currency": cur, **amounts(v, cur)} for cur, v in r["totals"].items()],
        "sellers": [{**amounts(v, v["currency"]), "currency": v["currency"]} for v in r["sellers"]],
        "groups": [{**amounts(v, v["currency"]), "currency": v["currency"]} for v in r["groups"]],
        "laybys": [{"currency": cur, **amounts(v, cur)} for cur, v in r["laybys"].items()],
        "outstanding_per_day": r["outstanding_per_day"],
    }
