"""What an operator does to the world: add and suspend agents, suspend sellers, cancel an order.

Each action is one transaction that also writes an `audit_log` row (who, what, on what, why), so
the record cannot disagree with the change. Cancelling is a move of the order state machine
(commerce/order_moves.py), so a cancel racing a payment or a second cancel moves nothing twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from commerce import order_moves, order_state, outbox, people, phones, refunds
from commerce.models import CANCELLED, Agent, AuditEntry, Order, Person, Seller, utcnow
from commerce.texts import t

ORD, A, S, PE, AU = Order.__table__, Agent.__table__, Seller.__table__, Person.__table__, AuditEntry.__table__

MAX_REASON = 160


def audit(conn: Connection, actor: str, action: str, target: str, detail: str | None = None) -> None:
    conn.execute(insert(AU).values(actor=actor[:40], action=action[:40], target=target[:60],
                                   detail=(detail or None) and detail[:200], at=utcnow()))


@dataclass
class Cancelled:
    ok: bool
    error: str | None = None  # not_found, not_open
    status: str | None = None  # the order's status when it could not be cancelled
    refund_due: bool = False
    message_ids: list[int] = field(default_factory=list)


def cancel_order(engine: Engine, code: str, reason: str, actor: str = "admin") -> Cancelled:
    """Cancel an open order (placed, paid or dispatched), release its stock and tell buyer and seller.

    An order that money was already received for is flagged `refund_due` for the operator, and
    what it kept of that money becomes refunds owed, one per payment (commerce.refunds).
    """
    reason = " ".join(reason.split())[:MAX_REASON]
    with engine.begin() as conn:
        order = order_state.load(conn, code=code, lock=True)
        if order is None:
            return Cancelled(False, "not_found")
        # Refused when closed already, or when a payment or another change landed meanwhile.
        moved = order_moves.apply(conn, order, CANCELLED, actor, reason)
        if not moved.ok:
            return Cancelled(False, "not_open", status=moved.status)
        refund_due = order.paid_minor > 0
        if refund_due:
            order_state.add_flag(conn, order, "refund_due")
            _owe_back(conn, order)
        audit(conn, actor, "cancel_order", f"order:{code}", reason)
        ids = []
        for phone, lang, who in ((order.buyer_phone, order.buyer_lang, "buyer"),
                                 (order.seller_phone, order.seller_lang, "seller")):
            refund = t("buyer_refund_due", lang) if refund_due and who == "buyer" else ""
            body = t(f"{who}_cancelled_by_soko", lang, code=code, reason=reason, refund=refund)
            mid = outbox.add(conn, phone, body, kind="order_cancelled", order_id=order.id)
            if mid:
                ids.append(mid)
        return Cancelled(True, refund_due=refund_due, message_ids=ids)


def _owe_back(conn: Connection, order) -> None:
    """What a cancelled order kept, as refunds owed on the payments that brought it (oldest first)."""
    refunds.owe_paid_back(conn, order, refunds.CANCELLED_PAID)


@dataclass
class RefundPaidOut:
    ok: bool
    error: str | None = None  # not_found, already_paid_out, no_reference
    refund: dict | None = None


REFUND_REFERENCE_MAX = 80


def mark_refund_paid_out(engine: Engine, refund_id: int, reference: str | None, actor: str = "admin") -> RefundPaidOut:
    """The operator paid refund `refund_id` back (outside Soko) under their `reference` (the
    M-Pesa reversal, the MoMo transfer, the cash receipt): recorded once, with its audit row."""
    reference = " ".join((reference or "").split())
    if not reference or len(reference) > REFUND_REFERENCE_MAX or "\x00" in reference:
        return RefundPaidOut(False, "no_reference")
    rf = refunds.RF
    with engine.begin() as conn:
        now = utcnow()
        done = conn.execute(update(rf).where(rf.c.id == refund_id, rf.c.status == refunds.OWED).values(
            status=refunds.PAID_OUT, paid_out_at=now, paid_out_reference=reference,
            paid_out_by=actor[:40])).rowcount
        row = conn.execute(select(rf, ORD.c.code).select_from(rf.outerjoin(ORD, ORD.c.id == rf.c.order_id))
                           .where(rf.c.id == refund_id)).first()
        if row is None:
            return RefundPaidOut(False, "not_found")
        if not done:
            return RefundPaidOut(False, "already_paid_out", refunds.view(row, row.code))
        audit(conn, actor, "refund_paid_out", f"refund:{refund_id}",
              f"{row.amount_minor} {row.currency} via {row.rail}; ref {reference}")
        return RefundPaidOut(True, refund=refunds.view(row, row.code))


def add_agent(engine: Engine, phone: str, name: str, village: str, pin: str | None,
              actor: str = "admin") -> int:
    """Register (or update) the agent at this E.164 number; recorded without the PIN."""
    with engine.begin() as conn:
        agent_id = people.add_agent(conn, phone, name, village, pin)
        audit(conn, actor, "add_agent", f"agent:{agent_id}",
              f"{name} at {village}{' with a PIN' if pin else ''}")
        return agent_id


AGENT_TEXT_MAX = 60  # an agent's name and village, as buyers see them in the pickup list


class AgentRefused(ValueError):
    """Why an agent was not registered: `field` (phone, name, village or pin) and `problem`
    (missing, invalid or too_long). The CLI, the API and the pages each word it for their users."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


@dataclass(frozen=True)
class AgentAdded:
    id: int
    phone: str  # E.164
    name: str
    village: str
    has_pin: bool


def register_agent(engine: Engine, phone: str | None, name: str | None, village: str | None,
                   pin: str | None, *, region: str, actor: str) -> AgentAdded:
    """The one way an operator adds (or updates) an agent, from the CLI, the admin API or the pages:
    the number in any form people write it in `region`, name and village of 1 to AGENT_TEXT_MAX
    characters (runs of spaces made one), a PIN of 4 to 8 digits or none (blank is none); then
    `add_agent`, with its audit row. Raises AgentRefused, checking in that order."""
    raw = (phone or "").strip()
    if not raw:
        raise AgentRefused("phone", "missing")
    try:
        e164 = phones.normalize(raw, region)
    except ValueError:
        raise AgentRefused("phone", "invalid") from None
    name, village = " ".join((name or "").split()), " ".join((village or "").split())
    for what, value in (("name", name), ("village", village)):
        if not value:
            raise AgentRefused(what, "missing")
        if len(value) > AGENT_TEXT_MAX:
            raise AgentRefused(what, "too_long")
    pin = (pin or "").strip() or None
    if pin is not None and not re.fullmatch(r"[0-9]{4,8}", pin):
        raise AgentRefused("pin", "invalid")
    agent_id = add_agent(engine, e164, name, village, pin, actor=actor)
    return AgentAdded(agent_id, e164, name, village, pin is not None)


def _set_suspended(engine: Engine, table, kind: str, target_id: int, suspended: bool, reason: str | None,
                   actor: str) -> bool | None:
    """Returns None when there is no such row, else whether anything changed."""
    with engine.begin() as conn:
        current = conn.execute(select(table.c.suspended).where(table.c.id == target_id)).first()
        if current is None:
            return None
        if bool(current.suspended) == suspended:
            return False
        conn.execute(update(table).where(table.c.id == target_id).values(suspended=suspended))
        audit(conn, actor, ("suspend_" if suspended else "reinstate_") + kind, f"{kind}:{target_id}",
              reason and " ".join(reason.split())[:MAX_REASON])
        return True


def set_agent_suspended(engine: Engine, agent_id: int, suspended: bool, reason: str | None = None,
                        actor: str = "admin") -> bool | None:
    """A suspended agent's village is no pickup point and their PAID/DELIVERED are refused."""
    return _set_suspended(engine, A, "agent", agent_id, suspended, reason, actor)


def set_seller_suspended(engine: Engine, seller_id: int, suspended: bool, reason: str | None = None,
                         actor: str = "admin") -> bool | None:
    """A suspended seller's listings cannot be ordered."""
    return _set_suspended(engine, S, "seller", seller_id, suspended, reason, actor)


def record(engine: Engine, actor: str, action: str, target: str, detail: str | None = None) -> None:
    """An audit row for an action outside the database (a failed job requeued)."""
    with engine.begin() as conn:
        audit(conn, actor, action, target, detail)


def resend_message(engine: Engine, message_id: int, actor: str = "admin") -> str | None:
    """Send an `unconfirmed` message again, deliberately: its worker died during the provider call
    (or the call timed out), so the recipient may have it already; the operator decides. The row
    goes back to `pending` (the send job claims it as any other), with the audit row, in one
    transaction. None when resent; else the message's status (or "not_found")."""
    from commerce.models import Message

    m = Message.__table__
    with engine.begin() as conn:
        moved = conn.execute(update(m).where(m.c.id == message_id, m.c.status == "unconfirmed")
                             .values(status="pending", error="resent by the operator", updated_at=utcnow())).rowcount
        if moved:
            audit(conn, actor, "resend_message", f"message:{message_id}", "was unconfirmed")
            return None
        status = conn.execute(select(m.c.status).where(m.c.id == message_id)).scalar()
    return status or "not_found"
