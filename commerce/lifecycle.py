"""The order lifecycle after placement: placed → paid → dispatched → delivered, or expired.

Service functions for the people who move an order (the SMS commands call them) and for the jobs:

    mark_sent(engine, seller_id, code)                   SENT      paid (or pay-on-delivery) → dispatched
    record_cash_payment(engine, agent_id, code, amount)  PAID      cash counted; in full → paid
    confirm_arrival(engine, agent_id, code)              ARRIVED   dispatched → arrived; the buyer told to collect
    confirm_delivery(engine, agent_id, code)             DELIVERED dispatched/arrived → delivered (+ cash on delivery)
    confirm_receipt(engine, buyer_phone, code)           RECEIVED  the buyer confirms: dispatched → delivered
    cancel_by_customer(engine, buyer_phone, code)        NO        an order an agent placed for them, within 10 min
    expire_order(engine, order_id)                       job       unpaid placed → expired, stock back
    send_reminders(engine)                               job       stalled orders: seller, agent, buyer asked

Each runs in one transaction: the status move is `order_moves.apply` (the table of allowed moves,
a guarded UPDATE, the history row with who moved it), and its notifications are outbox rows of the
same transaction. An `Outcome` carries the reply in the actor's language and the message ids to
send after commit. A move the table refuses gets a reply that says why; nothing changes.

The agent's ARRIVED and DELIVERED for a paid (or pay-on-delivery) order the seller never marked
SENT are accepted (`order_moves.walk`: the dispatch is recorded as implied). Cash the agent takes is
an `agent_money` cash entry beside its payment; a delivery earns the agent's commission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection, Engine

from commerce import agent_money, codes, money, order_moves, payments
from commerce import credit as seller_credit
from commerce.models import (
    ARRIVED,
    CANCELLED,
    CASH,
    CREDIT_METHODS,
    DELIVERED,
    DISPATCHED,
    EXPIRED,
    ON_DELIVERY,
    PAID,
    PAY_LATER,
    PLACED,
    Agent,
    Message,
    Order,
    Person,
    Seller,
    utcnow,
)
from commerce.order_state import Notices, OrderView, load
from commerce.texts import status_word, t

PE, S, A, ORD, M = Person.__table__, Seller.__table__, Agent.__table__, Order.__table__, Message.__table__
CLOSED = (CANCELLED, EXPIRED, DELIVERED)

# When an order counts as stalled, and how often (and how many times) people are reminded.
SELLER_REMINDER_AFTER = timedelta(hours=24)  # paid (or pay-on-delivery) and not sent yet
RECEIPT_CHECK_AFTER = timedelta(hours=24)  # sent and not handed over yet
REMIND_EVERY = timedelta(hours=24)
MAX_REMINDERS = 3
CUSTOMER_CANCEL_MINUTES = 10  # a customer may refuse an order an agent placed for them (NO) this long


@dataclass
class Outcome:
    ok: bool
    reply: str
    message_ids: list[int] = field(default_factory=list)


def _seller_lang(conn: Connection, seller_id: int) -> str:
    return conn.execute(select(PE.c.language).join(S, S.c.person_id == PE.c.id)
                        .where(S.c.id == seller_id)).scalar() or "en"


def _agent_lang(conn: Connection, agent_id: int) -> str:
    return conn.execute(select(PE.c.language).join(A, A.c.person_id == PE.c.id)
                        .where(A.c.id == agent_id)).scalar() or "en"


def _fmt(m: money.Money):
    """A money amount formatted in each recipient's language."""
    return lambda lang: money.format_money(m, lang)


def _find(conn: Connection, code: str, lang: str, owns) -> tuple[OrderView | None, Outcome | None]:
    code = (code or "").strip()
    if not codes.is_valid(code):
        return None, Outcome(False, t("bad_code", lang, code=code[:12]))
    order = load(conn, code=code, lock=True)
    if order is None or not owns(order):
        return None, Outcome(False, t("not_yours", lang, code=code))
    return order, None


def _closed(order: OrderView, lang: str, key: str = "is_closed", status: str | None = None) -> Outcome:
    """`status`: the one found by a move that lost a race, when it differs from the one read."""
    return Outcome(False, t(key, lang, code=order.code, status=status_word(status or order.status, lang)))


def mark_sent(engine: Engine, seller_id: int, order_code: str) -> Outcome:
    """The seller dispatched the goods to the pickup agent (SENT <order>)."""
    with engine.begin() as conn:
        lang = _seller_lang(conn, seller_id)
        order, refused = _find(conn, order_code, lang, lambda o: o.seller_id == seller_id)
        if refused:
            return refused
        moved = order_moves.apply(conn, order, DISPATCHED, f"seller:{seller_id}")
        if moved.refusal == "goods_before_money":  # placed, and to be paid before it is sent
            return Outcome(False, t("sent_unpaid", lang, code=order.code,
                                    due=money.format_money(order.due, lang)))
        if not moved.ok:
            return _closed(order, lang, status=moved.status)
        n = Notices(conn, order)
        due = at_handover(order)
        n.send("buyer", "buyer_dispatched",
               pay=(lambda lg: t("pay_at_handover", lg, due=money.format_money(due, lg))) if due.amount_minor else "")
        n.send("agent", "agent_dispatched", buyer=order.buyer_phone,
               pay=(lambda lg: t("collect_cash", lg, due=money.format_money(due, lg))) if due.amount_minor else "")
        return Outcome(True, t("sent_ok", lang, code=order.code, village=order.village), n.ids)


def at_handover(order: OrderView) -> money.Money:
    """What the agent collects when the goods are handed over: what is due, except on pay later
    (repaid in instalments afterwards)."""
    return order.money(0) if order.method == PAY_LATER else order.due


def _bad_amount(order: OrderView, lang: str, error: str) -> Outcome:
    shown = order.due if order.due.amount_minor else order.payable
    digits = money.display_digits(order.currency)
    example = f"{money.to_decimal(shown):.{digits}f}"
    reason = error if lang == "en" else t("amount_not_valid", lang)  # the parser explains in English only
    return Outcome(False, t("bad_amount", lang, reason=reason, code=order.code, currency=order.currency,
                            example=example))


def record_cash_payment(engine: Engine, agent_id: int, order_code: str, amount_text: str,
                        now: datetime | None = None) -> Outcome:
    """The pickup agent received cash for an order (PAID <order> <amount>), in the buyer's currency:
    for a lay-by any part of it, for a pay-later order an instalment (also after delivery)."""
    now = now or utcnow()
    with engine.begin() as conn:
        lang = _agent_lang(conn, agent_id)
        order, refused = _find(conn, order_code, lang, lambda o: o.agent_id == agent_id)
        if refused:
            return refused
        if order.status in (CANCELLED, EXPIRED):
            return _closed(order, lang, "closed_no_cash")
        owing = (PLACED, DISPATCHED, ARRIVED, DELIVERED) if order.method == PAY_LATER else (PLACED, DISPATCHED, ARRIVED)
        if order.paid_in_full or order.status not in owing:
            return Outcome(False, t("already_paid", lang, code=order.code))
        try:
            amount = money.parse_amount(amount_text or "", order.currency)
        except ValueError as exc:
            return _bad_amount(order, lang, str(exc))
        reference = payments.next_cash_reference(conn, order)
        credit = payments.credit(conn, order, amount, CASH, reference, f"agent:{agent_id}", now=now)
        agent_money.cash_in(conn, order, amount, reference, f"agent:{agent_id}")

        n = Notices(conn, order)
        if order.method in CREDIT_METHODS:  # a part, or an instalment: the buyer told what is left and when
            seller_credit.payment_notices(conn, order, amount, n, now)
            if credit.over.amount_minor:
                reply = t("paid_over_reply", lang, amount=money.format_money(amount, lang), code=order.code,
                          over=money.format_money(credit.over, lang))
            elif credit.paid_in_full:
                reply = t("paid_full_reply", lang, amount=money.format_money(amount, lang), code=order.code,
                          next=t("next_wait_goods", lang) if order.status == PAID else "")
            else:
                reply = t("paid_short_reply", lang, amount=money.format_money(amount, lang), code=order.code,
                          due=money.format_money(order.due, lang))
            return Outcome(True, reply.strip(), n.ids)
        if not credit.paid_in_full:
            n.send("buyer", "buyer_part_paid", amount=_fmt(amount), due=_fmt(order.due))
            n.send("seller", "seller_paid_cash", amount=_fmt(amount))
            reply = t("paid_short_reply", lang, amount=money.format_money(amount, lang), code=order.code,
                      due=money.format_money(order.due, lang))
            return Outcome(True, reply, n.ids)
        if order.status == PAID:
            n.send("buyer", "buyer_paid", amount=_fmt(amount))
            n.send("seller", "seller_paid", amount=_fmt(order.seller_total))
            following = t("next_wait_goods", lang)
        else:  # dispatched, pay on delivery: the goods are already at the agent's
            n.send("buyer", "buyer_paid_collect", amount=_fmt(amount))
            n.send("seller", "seller_paid_cash", amount=_fmt(amount))
            following = t("next_hand_over", lang, code=order.code)
        if credit.over.amount_minor:
            reply = t("paid_over_reply", lang, amount=money.format_money(amount, lang), code=order.code,
                      over=money.format_money(credit.over, lang))
        else:
            reply = t("paid_full_reply", lang, amount=money.format_money(amount, lang), code=order.code,
                      next=following)
        return Outcome(True, reply, n.ids)


def confirm_arrival(engine: Engine, agent_id: int, order_code: str) -> Outcome:
    """The seller's goods reached the agent's point (ARRIVED <order>): the buyer is told to collect,
    with the amount to bring when it is not paid yet. A paid (or pay-on-delivery) order the seller
    never marked SENT is accepted, its dispatch recorded as implied."""
    with engine.begin() as conn:
        lang = _agent_lang(conn, agent_id)
        order, refused = _find(conn, order_code, lang, lambda o: o.agent_id == agent_id)
        if refused:
            return refused
        if order.status == ARRIVED:
            return Outcome(False, t("already_arrived", lang, code=order.code))
        moved = order_moves.walk(conn, order, ARRIVED, f"agent:{agent_id}")
        if moved.refusal == "paid_or_pay_on_delivery":  # an unpaid cash or mobile-money order
            return Outcome(False, t("arrived_unpaid", lang, code=order.code, due=money.format_money(order.due, lang)))
        if not moved.ok:
            return _closed(order, lang, status=moved.status)
        n = Notices(conn, order)
        due = at_handover(order)
        pay = t("collect_cash", lang, due=money.format_money(due, lang)) if due.amount_minor else ""
        if order.buyer_phone == order.agent_phone:  # a customer with no phone: the agent tells them
            return Outcome(True, t("arrived_reply_tell", lang, code=order.code, pay=pay,
                                   customer=order.customer_name or order.buyer_phone), n.ids)
        n.send("buyer", "buyer_arrived_pay" if due.amount_minor else "buyer_arrived", due=_fmt(due))
        return Outcome(True, t("arrived_reply", lang, code=order.code, pay=pay), n.ids)


def confirm_delivery(engine: Engine, agent_id: int, order_code: str,
                     commission_percent: Decimal = agent_money.DEFAULT_PERCENT) -> Outcome:
    """The agent handed the goods to the buyer (DELIVERED <order>); pay-on-delivery cash is taken now.
    A paid (or pay-on-delivery) order the seller never marked SENT is accepted, its dispatch recorded
    as implied. The agent earns `commission_percent` of the order's total."""
    with engine.begin() as conn:
        lang = _agent_lang(conn, agent_id)
        order, refused = _find(conn, order_code, lang, lambda o: o.agent_id == agent_id)
        if refused:
            return refused
        actor = f"agent:{agent_id}"
        _steps, why = order_moves.route(order, DELIVERED, actor)
        if why == "paid_or_pay_on_delivery":  # unpaid, and not to be paid at hand-over
            return Outcome(False, t("unpaid_no_handover", lang, code=order.code,
                                    due=money.format_money(order.due, lang)))
        if why is not None:  # delivered, cancelled or expired already
            return _closed(order, lang)
        cash = None
        if at_handover(order).amount_minor:  # pay on delivery: the agent takes the cash as the goods go
            cash = order.due
            reference = payments.next_cash_reference(conn, order)
            payments.credit(conn, order, cash, CASH, reference, actor, note="paid at hand-over")
            agent_money.cash_in(conn, order, cash, reference, actor)
        moved = order_moves.walk(conn, order, DELIVERED, actor)
        if not moved.ok:
            return _closed(order, lang, status=moved.status)
        agent_money.earn_commission(conn, order, commission_percent, actor)
        n = Notices(conn, order)
        n.send("seller", "seller_delivered")
        n.send("buyer", "buyer_delivered")
        if cash is not None:
            reply = t("delivered_cash_reply", lang, code=order.code, amount=money.format_money(cash, lang))
        else:
            reply = t("delivered_reply", lang, code=order.code)
        return Outcome(True, reply, n.ids)


def confirm_receipt(engine: Engine, buyer_phone: str, order_code: str,
                    commission_percent: Decimal = agent_money.DEFAULT_PERCENT) -> Outcome:
    """The buyer says they have the goods (RECEIVED <order>): closes a dispatched (or arrived), paid
    order; the pickup agent earns their commission as on DELIVERED."""
    with engine.begin() as conn:
        lang = conn.execute(select(PE.c.language).where(PE.c.phone == buyer_phone)).scalar() or "en"
        order, refused = _find(conn, order_code, lang, lambda o: o.buyer_phone == buyer_phone)
        if refused:
            return refused
        moved = order_moves.apply(conn, order, DELIVERED, "buyer", note="receipt confirmed by the buyer")
        if moved.refusal == "paid_in_full_or_later":
            return Outcome(False, t("received_pay_first", lang, code=order.code, village=order.village,
                                    due=money.format_money(order.due, lang)))
        if not moved.ok:
            return _closed(order, lang, status=moved.status)
        agent_money.earn_commission(conn, order, commission_percent, "buyer")
        n = Notices(conn, order)
        n.send("seller", "seller_delivered")
        return Outcome(True, t("received_reply", lang, code=order.code), n.ids)


def cancel_by_customer(engine: Engine, buyer_phone: str, order_code: str, now: datetime | None = None) -> Outcome:
    """NO <order>: the customer an agent ordered for refuses the order, within
    CUSTOMER_CANCEL_MINUTES of its placing and while nothing is paid; stock back, seller and agent told."""
    now = now or utcnow()
    with engine.begin() as conn:
        lang = conn.execute(select(PE.c.language).where(PE.c.phone == buyer_phone)).scalar() or "en"
        order, refused = _find(conn, order_code, lang, lambda o: o.buyer_phone == buyer_phone)
        if refused:
            return refused
        if order.status in CLOSED:
            return _closed(order, lang)
        where = {"code": order.code, "agent": order.agent_name, "village": order.village}
        if order.placed_by is None:
            return Outcome(False, t("no_not_assisted", lang, code=order.code))
        if now - order.created_at > timedelta(minutes=CUSTOMER_CANCEL_MINUTES):
            return Outcome(False, t("no_too_late", lang, minutes=CUSTOMER_CANCEL_MINUTES, **where))
        moved = order_moves.apply(conn, order, CANCELLED, "buyer", note="NO by SMS")
        if moved.refusal in ("nothing_paid", order_moves.NOT_ALLOWED):  # paid, or on its way
            return Outcome(False, t("no_paid", lang, **where))
        if not moved.ok:
            return _closed(order, lang, status=moved.status)
        n = Notices(conn, order)
        n.send("seller", "order_cancelled_seller")
        n.send("agent", "agent_customer_cancelled", buyer=order.customer_name or order.buyer_phone)
        return Outcome(True, t("no_cancelled", lang, code=order.code), n.ids)


def expires(order: OrderView) -> bool:
    """Unpaid orders expire; pay-on-delivery orders are paid at hand-over, so they wait (the table's rule)."""
    return order_moves.refusal(order, EXPIRED, "system") is None


def expire_order(engine: Engine, order_id: int, now: datetime | None = None) -> Outcome:
    """Expire an unpaid order whose payment window has passed: stock back, buyer, seller, agent told."""
    now = now or utcnow()
    with engine.begin() as conn:
        order = load(conn, order_id=order_id, lock=True)
        if order is None or not expires(order):
            return Outcome(False, "not expirable")
        if order.expires_at is None or order.expires_at > now:
            return Outcome(False, "not due")
        if not order_moves.apply(conn, order, EXPIRED, "system", note="payment window passed").ok:
            return Outcome(False, "moved meanwhile")
        n = Notices(conn, order)
        n.send("buyer", "buyer_expired")
        n.send("seller", "seller_expired")
        n.send("agent", "agent_expired")
        return Outcome(True, f"order {order.code} expired", n.ids)


def send_reminders(engine: Engine, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Remind the seller of an order waiting to be sent; after dispatch, ask the buyer to confirm
    receipt and remind the agent. At most MAX_REMINDERS of each, REMIND_EVERY apart."""
    now = now or utcnow()
    waiting_dispatch = or_(ORD.c.status == PAID, and_(ORD.c.status == PLACED,
                                                      ORD.c.payment_method.in_((ON_DELIVERY, PAY_LATER))))
    plan = ((waiting_dispatch, SELLER_REMINDER_AFTER, (("seller", "seller_reminder"),)),
            (ORD.c.status.in_((DISPATCHED, ARRIVED)), RECEIPT_CHECK_AFTER,
             (("buyer", "buyer_confirm_receipt"), ("agent", "agent_reminder"))))
    ids: list[int] = []
    for where, after, notices in plan:
        with engine.connect() as conn:
            stalled = conn.execute(select(ORD.c.id, ORD.c.status).where(where, ORD.c.updated_at < now - after)
                                   .order_by(ORD.c.id).limit(limit)).all()
        for order_id, status in stalled:
            with engine.begin() as conn:
                order = load(conn, order_id=order_id, lock=True)
                if order is None or order.status != status:
                    continue
                n = Notices(conn, order)
                for who, key in notices:
                    count, last = conn.execute(select(func.count(), func.max(M.c.created_at))
                                               .where(M.c.order_id == order_id, M.c.kind == key)).one()
                    if count >= MAX_REMINDERS or (last is not None and last > now - REMIND_EVERY):
                        continue
                    n.send(who, key, buyer=order.buyer_phone)
                ids += n.ids
    return ids


__all__ = ["Outcome", "mark_sent", "record_cash_payment", "confirm_arrival", "confirm_delivery", "confirm_receipt",
           "cancel_by_customer", "expire_order", "expires", "at_handover",
           "send_reminders"]
