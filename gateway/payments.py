"""Africa's Talking payment notifications: `POST /payments/africastalking` (JSON, PROVIDERS.md §3).

Answered in one small database transaction, nothing remote: the payment is recorded against its
order (or flagged) and the notifications it causes are outbox rows that the worker sends. AT
retries every minute for 6 hours on any status >= 400, so everything recorded — a redelivery, an
unknown order, a wrong amount — gets 200; only a malformed body gets 400, and a bad token 403.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, jsonify, request

from commerce import payments
from gateway import soko
from gateway.webhook import check_token, plain

log = logging.getLogger("soko.payments")
bp = Blueprint("payments", __name__)


@bp.post("/payments/africastalking")
def africastalking():
    app = soko()
    check_token(app.settings.at_webhook_token)
    raw = request.get_data(cache=False)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return plain("Body must be a JSON object\n", 400)
    try:
        notification = payments.parse_notification(data)
    except ValueError as exc:
        return plain(f"{exc}\n", 400)
    recorded = payments.record_notification(app.db, notification)
    app.jobs.notify(recorded.message_ids)
    if recorded.outcome not in ("paid", "duplicate", "failed"):
        log.warning("payment %s: %s", notification.transaction_id, recorded.outcome)
    return jsonify(status="received", outcome=recorded.outcome)
