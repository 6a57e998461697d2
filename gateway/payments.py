"""Mobile-money payment notifications: `POST /payments/africastalking` (JSON, PROVIDERS.md §3), and
the callbacks of M-Pesa (`POST /payments/mpesa`) and MoMo (`POST`/`PUT /payments/momo`), §11.

Answered in one small database transaction, nothing remote: the payment is recorded against its
order (or flagged) and the notifications it causes are outbox rows that the worker sends. AT
retries every minute for 6 hours on any status >= 400, so everything recorded — a redelivery, an
unknown order, a wrong amount — gets 200; only a malformed body gets 400, a bad token 403, and a
database that does not answer 503 (so AT tries again).
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from commerce import checkouts, payments
from gateway import soko
from gateway.webhook import BadRequest, check_token, plain
from providers.africastalking import payments as at_payments
from providers.base import PAYMENT_FAILED, PAYMENT_SUCCEEDED, PaymentNotice, RailResult
from providers.momo import collection
from providers.mpesa import stk

log = logging.getLogger("soko.payments")
bp = Blueprint("payments", __name__)

_STATUS = {PAYMENT_SUCCEEDED: payments.SUCCEEDED, PAYMENT_FAILED: payments.REFUSED}


def notification(notice: PaymentNotice) -> payments.Notification:
    """The provider's notice as commerce's Notification. BadRequest when money was received but its
    amount is not one commerce can hold exactly (an unknown currency, a fraction of a cent)."""
    status = _STATUS.get(notice.status, notice.status)
    value = None
    if notice.amount is not None and notice.currency is not None:
        try:
            value = payments.received_value(notice.amount, notice.currency)
        except ValueError as exc:
            if status == payments.SUCCEEDED:
                raise BadRequest(f"The amount is not one we can take: {exc}") from None
    return payments.Notification(
        transaction_id=notice.transaction_id, status=status, value=value, order_code=notice.order_code,
        description=notice.description, provider_ref=notice.provider_ref, status_text=notice.provider_status,
    )


@bp.post("/payments/africastalking")
def africastalking():
    app = soko()
    check_token(app.settings.at_webhook_token)
    try:
        n = notification(at_payments.parse_notification(request.get_data(cache=False)))
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    try:
        recorded = payments.record_notification(app.db, n)
    except SQLAlchemyError as exc:  # 503: AT retries, and the payment is recorded once we are back
        log.warning("payment %s not recorded, database unavailable: %s", n.transaction_id, type(exc).__name__)
        return plain("Database unavailable, retry later\n", 503)
    app.jobs.notify(recorded.message_ids)
    if recorded.outcome not in ("paid", "duplicate", "failed"):
        log.warning("payment %s: %s", n.transaction_id, recorded.outcome)
    return jsonify(status="received", outcome=recorded.outcome)


# -- issue 15: the rails that can be asked (M-Pesa Daraja, MTN MoMo) --------------------------------
# Their callbacks are hints: noted on the checkout, then a job asks the rail's status query before
# anything is paid (workers.payments.poll_checkout). A callback naming no checkout of ours changes
# nothing, yet is acknowledged, so the rail stops sending it. 503 when the database is down: the
# rail sends it again, and the polls ask anyway.

def _rail_callback(rail: str, result: RailResult):
    app = soko()
    try:
        noted = checkouts.note_callback(app.db, rail, checkouts.RailAnswer(**asdict(result)))
    except SQLAlchemyError:
        log.warning("%s callback %s not noted: database unavailable", rail, result.reference[:40])
        return None
    if noted.checkout_id is None:
        log.warning("%s callback for unknown reference %s ignored", rail, result.reference[:40])
    elif noted.final:
        app.jobs.verify_checkout(noted.checkout_id)
    return noted


@bp.post("/payments/mpesa")
def mpesa():
    check_token(soko().settings.mpesa_webhook_token)
    try:
        result = stk.parse_callback(request.get_data(cache=False))
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    if _rail_callback(checkouts.MPESA, result) is None:
        return jsonify(ResultCode=1, ResultDesc="Database unavailable, retry later"), 503
    return jsonify(stk.ACK)


@bp.route("/payments/momo", methods=["POST", "PUT"])
def momo():
    check_token(soko().settings.momo_webhook_token)
    try:
        result = collection.parse_callback(request.get_data(cache=False), request.args.get(collection.REF_PARAM))
    except BadRequest as exc:
        return plain(f"{exc}\n", 400)
    if _rail_callback(checkouts.MOMO, result) is None:
        return plain("Database unavailable, retry later\n", 503)
    return jsonify(status="received")
