"""Placing, reading and cancelling orders: each change is one transaction.

Stock is reserved with a guarded UPDATE (`stock = stock - n WHERE stock >= n`) whose row count
says whether it worked, so two buyers racing for the last item get exactly one order on SQLite and
PostgreSQL alike. Notifications are outbox rows in the same transaction, except a new order's own:
the order row, placed `announced = false`, stands for them until a worker writes them (`announce`),
so the USSD hop that places it writes no more than the order needs.

Placing an order is the USSD hop's one write, so its transaction runs on the DBAPI connection
(`fast.sql.Writer`, statements compiled once per dialect) rather than through SQLAlchemy's
Connection; errors still come out as SQLAlchemy's (a unique violation is an IntegrityError).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from commerce import catalog, codes, followers, money, order_moves, order_state, outbox, texts
from commerce import credit as seller_credit
from commerce.lifecycle import CUSTOMER_CANCEL_MINUTES
from commerce.models import (
    CANCELLED,
    CREDIT_METHODS,
    EXPIRED,
    MOBILE_MONEY,
    ON_DELIVERY,
    OPEN_STATUSES,
    PAY_LATER,
    PAYMENT_METHODS,
    PLACED,
    Agent,
    Checkout,
    CreditPlan,
    Instalment,
    Order,
    OrderEvent,
    OrderLine,
    Person,
    Product,
    Rate,
    Seller,
    utcnow,
)
from fast import sql

ORD, L, E, P, S, A, PE = (Order.__table__, OrderLine.__table__, OrderEvent.__table__, Product.__table__,
                        Seller.__table__, Agent.__table__, Person.__table__)

MAX_QUANTITY = 99
# A mobile-money order's first checkout is due this long after it was placed: the USSD session has
# closed by then, so the PIN prompt does not collide with it. `announce` writes it as a `due` row.
CHECKOUT_DELAY = timedelta(seconds=3)


@dataclass
class Placed:
    ok: bool
    error: str | None = None  # out_of_stock, unavailable, no_rate, price_changed, bad_quantity, bad_pickup,
    # bad_method, ordered_lately
    code: str | None = None  # ordered_lately: the earlier order's
    order_id: int | None = None
    total: money.Money | None = None
    created: bool = False  # False when the same request already placed it
    village: str | None = None  # the pickup point's, when created
    payment_method: str | None = None  # when created
    sold_out: bool = False  # it took the product's last item (the listings change)


@dataclass(frozen=True, slots=True)
class Quote:
    """What an order would cost the buyer, before it is placed."""

    seller_total: money.Money
    total: money.Money | None  # None: no rate for the pair
    rate: object




class _NoStock(Exception):
    """The guarded stock UPDATE found too little: roll the whole order back."""


class _OverLimit(Exception):
    """Pay later: with this order the buyer would owe the seller more than their limit."""


def place_order(engine: Engine, *, phone: str, product_id: int, quantity: int, agent_id: int,
                method: str, request_key: str | None, payment_window_minutes: int,
                language: str = "en", expected_total_minor: int | None = None,
                placed_by: int | None = None, customer_name: str | None = None,
                plan: seller_credit.PlanTerms | None = None, now: datetime | None = None,
                ask_if_ordered_lately: bool = False) -> Placed:
    """Place an order for one product. Safe to call twice with the same `request_key`.

    A lay-by or pay-later order (SPEC §15) comes with its `plan` (commerce.credit.PlanTerms: the
    caller has checked the offer), written in the same transaction: the plan, and pay later's
    instalments. Such orders have no payment window (`expires_at` NULL): a lay-by has its deadline.
    `now`: the clock (tests drive it); the wall clock by default.

    `placed_by`: the agent who orders for a customer (SPEC §13); `phone` is then the customer's, or
    the agent's own for a customer with no phone, named by `customer_name`.

    With `expected_total_minor` (the total the buyer was shown, in their currency), an order whose
    total would differ (the price or the rate changed since) is not placed: `price_changed`.

    With `ask_if_ordered_lately`, an order this buyer placed within RECENT for the same product,
    quantity and pickup point, still standing, stops it: `ordered_lately`, with that order's code
    (the buyer is asked first: more likely the first Confirm's answer was lost than two are wanted).

    The request key and the order code are unique in the database: a duplicate request or a code
    collision fails the INSERT, and the attempt is looked up or tried again (a wider code later)."""
    if method not in PAYMENT_METHODS or (method in CREDIT_METHODS or plan is not None) and (
            plan is None or plan.kind != method):
        return Placed(False, "bad_method")
    if not 1 <= quantity <= MAX_QUANTITY:
        return Placed(False, "bad_quantity")
    for width in CODE_WIDTHS:
        try:
            with sql.Writer(engine) as w:
                placed = _place(w, phone, product_id, quantity, agent_id, method, request_key,
                                payment_window_minutes, language, width, expected_total_minor,
                                placed_by, customer_name, plan, now, ask_if_ordered_lately)
        except _NoStock:
            placed = Placed(False, "out_of_stock")
        except _OverLimit:
            return Placed(False, "over_limit")
        except IntegrityError:
            placed = None  # a concurrent insert of the same request key, or an order-code collision
        if placed is not None and placed.ok:
            if placed.sold_out:
                catalog.changed()  # committed: every process's listings drop the product now
            return placed
        if placed is not None and placed.error == "ordered_lately":
            return placed  # the buyer is asked first, whichever request placed the earlier one
        if request_key:  # the same request may have placed it already (a race, or the last item)
            with engine.connect() as conn:
                found = _by_request(conn, request_key)
            if found:
                return found
        if placed is not None:
            return placed
    return Placed(False, "busy")


CODE_WIDTHS = (6, 6, 6, 7, 8)  # digits of the order code, attempt by attempt: wider once crowded


def _by_request(conn: Connection, request_key: str) -> Placed | None:
    row = conn.execute(select(ORD.c.id, ORD.c.code, ORD.c.total_minor, ORD.c.currency)
                       .where(ORD.c.request_key == request_key)).first()
    if row is None:
        return None
    return Placed(True, code=row.code, order_id=row.id, total=money.Money(row.total_minor, row.currency))


SP, AP, B, R = PE.alias("seller_person"), PE.alias("agent_person"), PE.alias("buyer"), Rate.__table__
CO = Checkout.__table__

# How long after an order the buyer's next dial still mentions it, and the same order confirmed
# again asks first: a buyer who saw the apology of a hop whose order committed finds it.
RECENT = timedelta(minutes=10)
_STANDING = and_(ORD.c.status != CANCELLED, ORD.c.status != EXPIRED)

# The code of an order of the same product, quantity and pickup point that this buyer placed within
# RECENT and that still stands: confirming it again is more likely a buyer who never saw the first
# Confirm answer than one who wants two.
_SAME_LATELY = (
    select(ORD.c.code).join(L, L.c.order_id == ORD.c.id)
    .where(ORD.c.buyer_id == B.c.id, ORD.c.created_at >= bindparam("since", type_=ORD.c.created_at.type),
           # `+ 0`: never the pickup point's index (every order of a busy point); the buyer's is the one
           ORD.c.agent_id + 0 == bindparam("aid"), L.c.product_id == bindparam("pid"),
           L.c.quantity == bindparam("qty"), _STANDING)
    .order_by(ORD.c.id.desc()).limit(1).scalar_subquery())

# Everything an order needs, in one indexed read: the product and its seller, the pickup point, the
# buyer if known, the rate to the buyer's currency, and the same order placed lately, if any.
_PARTIES = (
    select(P.c.name, P.c.price_minor, P.c.currency, P.c.seller_id, A.c.village, B.c.id.label("buyer_id"),
           B.c.currency.label("buyer_currency"), R.c.rate, _SAME_LATELY.label("same_lately"))
    .select_from(
        P.join(S, S.c.id == P.c.seller_id)
        .join(A, and_(A.c.id == bindparam("aid"), A.c.suspended.is_(False)))
        .outerjoin(B, B.c.phone == bindparam("phone"))
        .outerjoin(R, and_(R.c.from_currency == P.c.currency,
                           R.c.to_currency == func.coalesce(B.c.currency, bindparam("phone_currency")))))
    .where(P.c.id == bindparam("pid"), P.c.active.is_(True), S.c.suspended.is_(False)))


# The order's transaction runs on the DBAPI cursor (sql.Writer): its statements are compiled once
# per dialect, with every column given (defaults and `onupdate` included, as SQLAlchemy fills them).
def _values(table, *names: str) -> dict:
    return {n: bindparam(n, type_=table.c[n].type) for n in names}


_W_PARTIES = sql.PrebuiltWrite(_PARTIES)  # a read: PrebuiltWrite for its bind processors (the datetime)
_W_LISTED = sql.Prebuilt(select(P.c.id).join(S, S.c.id == P.c.seller_id).where(
    P.c.id == bindparam("pid"), P.c.active.is_(True), S.c.suspended.is_(False)))
_W_BUYER_ID = sql.Prebuilt(select(PE.c.id).where(PE.c.phone == bindparam("phone")))
_W_ADD_BUYER = {name: sql.PrebuiltWrite(
    dialect_insert(PE).values(_values(PE, "phone", "language", "currency", "opted_out", "created_at"))
    .on_conflict_do_nothing(index_elements=[PE.c.phone]).returning(PE.c.id))
    for name, dialect_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_ORDER_COLUMNS = ("code", "buyer_id", "seller_id", "agent_id", "status", "payment_method", "total_minor",
                  "currency", "seller_total_minor", "seller_currency", "rate", "paid_minor", "flags",
                  "request_key", "expires_at", "announced", "created_at", "updated_at", "placed_by",
                  "customer_name")
_W_ORDER = sql.PrebuiltWrite(insert(ORD).values(_values(ORD, *_ORDER_COLUMNS)).returning(ORD.c.id))
_W_LINE = sql.PrebuiltWrite(insert(L).values(_values(L, "order_id", "product_id", "name", "quantity",
                                                     "unit_price_minor")))
_W_EVENT = sql.PrebuiltWrite(insert(E).values(_values(E, "order_id", "status", "actor", "note", "at")))
_CP, _INS = CreditPlan.__table__, Instalment.__table__
_PLAN_COLUMNS = ("order_id", "kind", "buyer_id", "seller_id", "group_id", "total_minor", "currency", "weeks",
                 "deadline", "status", "on_time", "reminded", "created_at", "closed_at")
_W_PLAN = sql.PrebuiltWrite(insert(_CP).values(_values(_CP, *_PLAN_COLUMNS)).returning(_CP.c.id))
_W_INSTALMENT = sql.PrebuiltWrite(insert(_INS).values(_values(
    _INS, "plan_id", "n", "due_at", "amount_minor", "paid_minor", "paid_at", "reminders")))
# Pay later's limit, checked again inside the order's transaction: the buyer's row is locked (NO
# KEY UPDATE: the order rows' foreign keys take KEY SHARE on it, which this lock does not wait for),
# so a second Confirm of the same buyer waits here and then sees the first one's plan. SQLite's
# BEGIN IMMEDIATE has already serialised the writers.
_W_LOCK_BUYER = sql.Prebuilt(select(PE.c.id).where(PE.c.id == bindparam("buyer_id")).with_for_update(key_share=True))
_W_RESERVE = sql.PrebuiltWrite(
    update(P).where(P.c.id == bindparam("pid"), P.c.active.is_(True), P.c.stock >= bindparam("qty"))
    .values(stock=P.c.stock - bindparam("qty"), updated_at=bindparam("now", type_=P.c.updated_at.type))
    .returning(P.c.stock))

# On PostgreSQL an order with no plan is written by one statement, in autocommit (a data-modifying
# WITH: the guarded stock UPDATE, a new buyer, the order, its line and its first event): atomic like
# the transaction below, and one round trip where that takes seven (BEGIN, five statements,
# COMMIT). Nothing is written unless the stock UPDATE took its row; a unique violation (the request
# key, the code) undoes all of it. The columns are the transaction's; SQLite cannot write in WITH.
_PG_ORDER = sql.PrebuiltWrite(text(f"""
WITH reserve AS (
    UPDATE products SET stock = stock - :qty, updated_at = :now
    WHERE id = :pid AND active AND stock >= :qty
    RETURNING stock),
new_buyer AS (
    INSERT INTO people (phone, language, currency, opted_out, created_at)
    SELECT :phone, :language, :buyer_currency, false, :now
    WHERE CAST(:buyer_id AS integer) IS NULL AND EXISTS (SELECT FROM reserve)
    ON CONFLICT (phone) DO NOTHING
    RETURNING id),
new_order AS (
    INSERT INTO orders (buyer_id, {", ".join(c for c in _ORDER_COLUMNS if c != "buyer_id")})
    SELECT coalesce(:buyer_id, (SELECT id FROM new_buyer), (SELECT id FROM people WHERE phone = :phone)),
           {", ".join(":" + c for c in _ORDER_COLUMNS if c != "buyer_id")}
    FROM reserve
    RETURNING id),
line AS (
    INSERT INTO order_lines (order_id, product_id, name, quantity, unit_price_minor)
    SELECT id, :pid, :name, :qty, :unit_price_minor FROM new_order),
event AS (
    INSERT INTO order_events (order_id, status, actor, note, at)
    SELECT id, :status, :actor, :note, :now FROM new_order)
SELECT new_order.id, reserve.stock FROM new_order, reserve"""))


def _place(w: sql.Writer, phone, product_id, quantity, agent_id, method, request_key, window, language,
           width, expected_total_minor, placed_by=None, customer_name=None, plan=None, now=None,
           ask_if_ordered_lately=False) -> Placed:
    phone_currency = money.currency_for_phone(phone)
    now = now or utcnow()
    found = w.rows(_W_PARTIES, {"pid": product_id, "aid": agent_id, "phone": phone, "qty": quantity,
                                "phone_currency": phone_currency, "since": now - RECENT})
    if not found:
        return Placed(False, "bad_pickup" if w.rows(_W_LISTED, {"pid": product_id}) else "unavailable")
    name, price_minor, currency, seller_id, village, buyer_id, buyer_currency, rate_text, lately = found[0]
    if ask_if_ordered_lately and lately:
        return Placed(False, "ordered_lately", code=lately)
    buyer_currency = buyer_currency or phone_currency
    if buyer_currency == currency:
        rate = Decimal(1)
    elif rate_text is not None:
        rate = Decimal(rate_text)
    else:
        return Placed(False, "no_rate")
    seller_total = money.Money(price_minor * quantity, currency)
    total = money.convert(seller_total, buyer_currency, rate)
    if expected_total_minor is not None and total.amount_minor != expected_total_minor:
        return Placed(False, "price_changed")
    code = codes.new_order_code(width=width)
    row = dict(code=code, buyer_id=buyer_id, seller_id=seller_id, agent_id=agent_id, status=PLACED,
               payment_method=method, total_minor=total.amount_minor, currency=total.currency,
               seller_total_minor=seller_total.amount_minor, seller_currency=seller_total.currency,
               rate=format(rate, "f"), paid_minor=0, flags="", request_key=request_key,
               expires_at=None if plan else now + timedelta(minutes=window), announced=False, created_at=now,
               updated_at=now,
               placed_by=placed_by, customer_name=customer_name and customer_name[:60])

    event = dict(status=PLACED, actor=f"agent:{placed_by}" if placed_by else "buyer",
                 note="for a customer" if placed_by else None)
    if plan is None and w.dialect.name == "postgresql":
        written = w.alone(_PG_ORDER, {**row, **event, "qty": quantity, "pid": product_id, "now": now, "phone": phone,
                                      "language": language or "en", "buyer_currency": phone_currency,
                                      "name": name, "unit_price_minor": price_minor})
        if not written:
            raise _NoStock
        [(order_id, left)] = written
        return Placed(True, code=code, order_id=order_id, total=total, created=True, village=village,
                      payment_method=method, sold_out=left == 0)

    # The writes, from here to the commit (SQLite's write lock is taken at the first).
    row["buyer_id"] = buyer_id or _add_buyer(w, phone, language, phone_currency, now)
    [(order_id,)] = w.rows(_W_ORDER, row)
    w.run(_W_LINE, dict(order_id=order_id, product_id=product_id, name=name, quantity=quantity,
                        unit_price_minor=price_minor))
    w.run(_W_EVENT, dict(order_id=order_id, at=now, **event))
    if plan is not None:
        plan_row, instalments = seller_credit.plan_rows(plan, order_id=order_id, buyer_id=row["buyer_id"],
                                                        seller_id=seller_id, total=total, now=now)
        [(plan_id,)] = w.rows(_W_PLAN, plan_row)
        for instalment in instalments:
            w.run(_W_INSTALMENT, {"plan_id": plan_id, **instalment})
        if plan.limit_minor is not None:  # this plan included: two Confirms at once cannot both fit
            if w.dialect.name == "postgresql":
                w.rows(_W_LOCK_BUYER, {"buyer_id": row["buyer_id"]})
            owed = w.rows(seller_credit.OWED, {"buyer_id": row["buyer_id"], "seller_id": seller_id,
                                               "currency": total.currency})
            if seller_credit.owed(owed) > plan.limit_minor:
                raise _OverLimit

    # Stock last: the product's row stays locked (PostgreSQL) only from here to the commit.
    left = w.rows(_W_RESERVE, {"pid": product_id, "qty": quantity, "now": now})
    if not left:
        raise _NoStock
    return Placed(True, code=code, order_id=order_id, total=total, created=True, village=village,
                  payment_method=method, sold_out=left[0][0] == 0)


def _add_buyer(w: sql.Writer, phone: str, language: str, currency: str, now) -> int:
    """A new buyer's person row, or the one a concurrent order just created (as people.get_or_create)."""
    new = w.rows(_W_ADD_BUYER[w.dialect.name], {"phone": phone, "language": language or "en",
                                                 "currency": currency, "opted_out": False, "created_at": now})
    if new:
        return new[0][0]
    return w.rows(_W_BUYER_ID, {"phone": phone})[0][0]


# What the notices of a new order say (the buyer's receipt, the seller's and the agent's notices),
# and whom they go to.
_NEWS = (
    select(ORD.c.id, ORD.c.code, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency, ORD.c.created_at,
           ORD.c.seller_total_minor, ORD.c.seller_currency, L.c.name, L.c.quantity, A.c.village,
           SP.c.phone.label("seller_phone"), SP.c.language.label("seller_language"),
           AP.c.phone.label("agent_phone"), AP.c.language.label("agent_language"), B.c.phone.label("buyer_phone"),
           ORD.c.placed_by, B.c.language.label("buyer_language"), A.c.name.label("agent_name"))
    .join(L, L.c.order_id == ORD.c.id).join(S, S.c.id == ORD.c.seller_id).join(SP, SP.c.id == S.c.person_id)
    .join(A, A.c.id == ORD.c.agent_id).join(AP, AP.c.id == A.c.person_id).join(B, B.c.id == ORD.c.buyer_id))


def announce(engine: Engine, order_ids) -> list[int]:
    """Write the notices of new orders that are not written yet (the buyer's receipt, the seller's,
    the pickup agent's), in one transaction, and mark those orders announced; the new messages'
    ids, to send.

    The orders are claimed by a guarded UPDATE first, so a second call (a redelivered job, the
    sweep beside the drain, another worker) finds nothing left to write and adds no duplicate.
    A mobile-money order's first checkout is written here too, as a `due` row CHECKOUT_DELAY after
    the order (the worker's dispatcher starts it then): its work is in the database, not in Redis."""
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return []
    with engine.begin() as conn:
        claimed = conn.execute(
            update(ORD).where(ORD.c.id.in_(ids), ORD.c.announced.is_(False))
            .values(announced=True, updated_at=ORD.c.updated_at)  # not a change a person made
            .returning(ORD.c.id)).scalars().all()
        if not claimed:
            return []
        message_ids = []
        for o in conn.execute(_NEWS.where(ORD.c.id.in_(claimed)).order_by(ORD.c.id)):
            seller_total, total = money.Money(o.seller_total_minor, o.seller_currency), money.Money(o.total_minor, o.currency)
            # The buyer's receipt first: a buyer whose Confirm screen was lost (a dropped call, the
            # apology of a hop whose order committed) still gets the code, the total and how to pay.
            # A customer an agent ordered for gets the agent's notice below instead (with NO to refuse).
            # A prepaid order waits for its payment before the seller sends it; pay on delivery and pay
            # later go now.
            seller_kind = {ON_DELIVERY: "new_order_pod", PAY_LATER: "new_order_credit"}.get(o.payment_method,
                                                                                          "new_order")
            receipt = [] if o.placed_by is not None else [
                (o.buyer_phone, o.buyer_language, f"receipt_{o.payment_method}", total)]
            for to, lang, kind, amount in (
                    *receipt,
                    (o.seller_phone, o.seller_language, seller_kind, seller_total),
                    (o.agent_phone, o.agent_language, "agent_new_order", total)):
                body = texts.t(kind, lang, code=o.code, qty=o.quantity, name=o.name,
                               total=money.format_money(amount, lang), village=o.village,
                               method=texts.t(f"method_{o.payment_method}", lang), buyer=o.buyer_phone)
                if kind.startswith("receipt_"):  # SPEC §14: `Reply FOLLOW <shop> for news.`, unless following
                    body += followers.invitation(conn, o.id, lang)
                mid = outbox.add(conn, to, body, kind="receipt" if kind.startswith("receipt_") else kind,
                                 order_id=o.id)  # nothing for numbers that sent STOP
                if mid is not None:
                    message_ids.append(mid)
            if o.placed_by is not None and o.buyer_phone != o.agent_phone:
                # SPEC §13: an agent ordered for this customer, who may refuse it with NO.
                body = texts.t("assisted_customer", o.buyer_language, code=o.code, qty=o.quantity, name=o.name,
                               total=money.format_money(total, o.buyer_language), agent=o.agent_name,
                               village=o.village, minutes=CUSTOMER_CANCEL_MINUTES)
                mid = outbox.add(conn, o.buyer_phone, body, kind="assisted_customer", order_id=o.id)
                if mid is not None:
                    message_ids.append(mid)
            if o.payment_method == MOBILE_MONEY:
                due = o.created_at + CHECKOUT_DELAY
                conn.execute(insert(CO).values(order_id=o.id, status="due", created_at=due, updated_at=due))
    return message_ids


def unannounced(engine: Engine, limit: int = 500) -> list[int]:
    """Orders whose notices are not written yet (normally only those of the last second or two)."""
    with engine.connect() as conn:
        return conn.execute(select(ORD.c.id).where(ORD.c.announced.is_(False)).order_by(ORD.c.id)
                            .limit(limit)).scalars().all()


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: int
    code: str
    status: str
    payment_method: str
    total: money.Money
    paid_minor: int
    name: str
    quantity: int
    village: str
    created_at: datetime


def buyer_orders(conn: Connection, phone: str, offset: int, limit: int) -> list[OrderRow]:
    q = (select(ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency,
                ORD.c.paid_minor, L.c.name, L.c.quantity, A.c.village, ORD.c.created_at)
         .join(PE, PE.c.id == ORD.c.buyer_id).join(L, L.c.order_id == ORD.c.id).join(A, A.c.id == ORD.c.agent_id)
         .where(PE.c.phone == phone).order_by(ORD.c.id.desc()).offset(offset).limit(limit))
    return [OrderRow(r[0], r[1], r[2], r[3], money.Money(r[4], r[5]), r[6], r[7], r[8], r[9], r[10])
            for r in conn.execute(q)]


def buyer_order(conn: Connection, phone: str, order_id: int) -> OrderRow | None:
    q = (select(ORD.c.id, ORD.c.code, ORD.c.status, ORD.c.payment_method, ORD.c.total_minor, ORD.c.currency,
                ORD.c.paid_minor, L.c.name, L.c.quantity, A.c.village, ORD.c.created_at)
         .join(PE, PE.c.id == ORD.c.buyer_id).join(L, L.c.order_id == ORD.c.id).join(A, A.c.id == ORD.c.agent_id)
         .where(PE.c.phone == phone, ORD.c.id == order_id))
    r = conn.execute(q).first()
    return OrderRow(r[0], r[1], r[2], r[3], money.Money(r[4], r[5]), r[6], r[7], r[8], r[9], r[10]) if r else None


# A new session's first hop asks it, on the hop's DBAPI reader (fast.sql.Reader), compiled once.
# PrebuiltWrite only for its bind processors (the datetime, as stored).
_JUST_PLACED = sql.PrebuiltWrite(
    select(ORD.c.code).join(PE, PE.c.id == ORD.c.buyer_id)
    .where(PE.c.phone == bindparam("phone"), ORD.c.created_at >= bindparam("since", type_=ORD.c.created_at.type),
           _STANDING)
    .order_by(ORD.c.id.desc()).limit(1))


# A caller with no session kept: their language and their order just placed, in one read.
_ON_RECORD = sql.PrebuiltWrite(
    select(PE.c.language, select(ORD.c.code).where(
        ORD.c.buyer_id == PE.c.id, ORD.c.created_at >= bindparam("since", type_=ORD.c.created_at.type), _STANDING)
        .order_by(ORD.c.id.desc()).limit(1).scalar_subquery())
    .where(PE.c.phone == bindparam("phone")))


def on_record(reader: sql.Reader, phone: str, now: datetime | None = None) -> tuple[str | None, str | None]:
    """A caller as on record: the language they chose (None: no record) and `just_placed`'s code."""
    found = sql.rows(reader, _ON_RECORD, {"phone": phone, "since": (now or utcnow()) - RECENT})
    return found[0] if found else (None, None)


def just_placed(reader: sql.Reader, phone: str, now: datetime | None = None) -> str | None:
    """The code of the buyer's latest order placed within RECENT that still stands (not cancelled
    or expired). Index seeks: people by phone, then orders by (buyer_id, id), newest first."""
    found = sql.rows(reader, _JUST_PLACED, {"phone": phone, "since": (now or utcnow()) - RECENT})
    return found[0][0] if found else None


def can_cancel(order: OrderRow) -> bool:
    """A buyer may cancel an order nobody has paid for or sent yet (the state machine's rule)."""
    return order_moves.refusal(order, CANCELLED, "buyer") is None


def cancel_by_buyer(engine: Engine, phone: str, order_id: int) -> tuple[bool, str | None, list[int]]:
    """Cancel the buyer's open unpaid order and release its stock. Returns (done, code, message ids)."""
    with engine.begin() as conn:
        order = order_state.load(conn, order_id=order_id, lock=True)
        if order is None or order.buyer_phone != phone:
            return False, None, []
        # Refused when paid or sent, or when a payment or another cancel landed meanwhile.
        if not order_moves.apply(conn, order, CANCELLED, "buyer").ok:
            return False, order.code, []
        mid = outbox.add(conn, order.seller_phone, texts.t("order_cancelled_seller", order.seller_lang,
                                                           code=order.code),
                         kind="order_cancelled", order_id=order_id)
        return True, order.code, [mid] if mid else []


__all__ = ["OPEN_STATUSES", "Placed", "place_order", "announce", "unannounced", "buyer_orders", "buyer_order",
           "cancel_by_buyer", "can_cancel", "just_placed", "on_record", "RECENT"]
