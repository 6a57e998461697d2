"""The admin JSON API under /admin/api/ (bearer ADMIN_TOKEN). Bad parameters answer 400 with the reason."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from commerce import admin as actions
from commerce import agent_money, codes, credit, money, reports
from gateway import soko
from gateway.admin import auth, jobs, params
from gateway.admin.params import ParamError

bp = Blueprint("admin_api", __name__, url_prefix="/admin/api")
bp.before_request(auth.api_guard)

ACTOR = "admin:api"


@bp.errorhandler(ParamError)
def _bad(exc: ParamError):
    return jsonify(error=str(exc)), 400


def _listing(key: str, items: list, total: int, page: reports.Page, **extra):
    return jsonify({key: items, **page.meta(total), **extra})


def _body() -> dict:
    """A JSON object body, or a form: the API is called from scripts and curl alike."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ParamError("the body must be a JSON object")
        return data
    return request.form.to_dict()


def _field(data: dict, name: str, longest: int, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ParamError(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise ParamError(f"{name} must be text")
    value = " ".join(value.split())
    if len(value) > longest:
        raise ParamError(f"{name} must be at most {longest} characters")
    return value


def _text(data: dict, name: str) -> str | None:
    """A field the service checks: text or absent (a number or a list is refused here)."""
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ParamError(f"{name} must be text")
    return value


def _order_code(code: str) -> str:
    if not (code.isascii() and code.isdigit() and codes.is_valid(code)):
        raise ParamError(f"{code[:20]!r} is not an order code (digits with a check digit, like 4829131)")
    return code


# -- reads ----------------------------------------------------------------------------------------
@bp.get("/orders")
def orders():
    s = soko()
    f, page = params.order_filter(request.args, s.settings.default_region), params.page(request.args)
    items, total = reports.orders(s.db, f, page)
    return _listing("orders", items, total, page)


@bp.get("/orders/<code>")
def order(code: str):
    s = soko()
    found = reports.order(s.db, _order_code(code))
    if found is None:
        return jsonify(error=f"No order {code}"), 404
    return jsonify(found)


@bp.get("/messages")
def messages():
    s = soko()
    to, status = params.message_filter(request.args, s.settings.default_region)
    page = params.page(request.args)
    items, total = reports.messages(s.db, to, status, page)
    return _listing("messages", items, total, page)


@bp.get("/sellers")
def sellers():
    s = soko()
    q, page = params.people_filter(request.args), params.page(request.args)
    items, total = reports.sellers(s.db, q, page)
    return _listing("sellers", items, total, page)


@bp.get("/agents")
def agents():
    s = soko()
    q, page = params.people_filter(request.args), params.page(request.args)
    items, total = reports.agents(s.db, q, page)
    return _listing("agents", items, total, page)


@bp.get("/payments")
def payments():
    s = soko()
    params.paging_only(request.args)
    page = params.page(request.args)
    items, total = reports.payments(s.db, page)
    return _listing("payments", items, total, page)


@bp.get("/audit")
def audit():
    s = soko()
    params.paging_only(request.args)
    page = params.page(request.args)
    items, total = reports.audit_log(s.db, page)
    return _listing("entries", items, total, page)


@bp.get("/stats")
def stats():
    s = soko()
    days = params.stats_days(request.args)
    return jsonify(reports.stats(s.db, days))


@bp.get("/jobs/failed")
def failed_jobs():
    return jsonify(jobs=jobs.failed(soko().jobs))


# -- actions (each recorded in the audit log) -----------------------------------------------------
@bp.post("/orders/<code>/cancel")
def cancel(code: str):
    s = soko()
    code = _order_code(code)
    reason = _field(_body(), "reason", actions.MAX_REASON)
    done = actions.cancel_order(s.db, code, reason, actor=ACTOR)
    if done.error == "not_found":
        return jsonify(error=f"No order {code}"), 404
    if not done.ok:
        return jsonify(error=f"Order {code} is {done.status}; only a placed, paid or dispatched order can be "
                             "cancelled"), 409
    s.jobs.notify(done.message_ids)
    return jsonify(reports.order(s.db, code))


# What each refusal of commerce.admin.register_agent says here.
AGENT_REFUSALS = {
    ("phone", "missing"): "phone is required",
    ("phone", "invalid"): "phone must be a phone number like +254712345678; got {phone!r}",
    ("name", "missing"): "name is required",
    ("name", "too_long"): f"name must be at most {actions.AGENT_TEXT_MAX} characters",
    ("village", "missing"): "village is required",
    ("village", "too_long"): f"village must be at most {actions.AGENT_TEXT_MAX} characters",
    ("pin", "invalid"): "pin must be 4 to 8 digits",
}


@bp.post("/agents")
def add_agent():
    s = soko()
    data = _body()
    phone, name, village, pin = (_text(data, key) for key in ("phone", "name", "village", "pin"))
    try:
        added = actions.register_agent(s.db, phone, name, village, pin, region=s.settings.default_region,
                                       actor=ACTOR)
    except actions.AgentRefused as refused:
        raise ParamError(AGENT_REFUSALS[refused.field, refused.problem].format(phone=(phone or "")[:40])) from None
    return jsonify(reports.agent(s.db, added.id)), 201


def _suspend(kind: str, target_id: int, suspended: bool):
    s = soko()
    reason = _field(_body(), "reason", actions.MAX_REASON, required=False)
    change = actions.set_agent_suspended if kind == "agent" else actions.set_seller_suspended
    changed = change(s.db, target_id, suspended, reason, actor=ACTOR)
    if changed is None:
        return jsonify(error=f"No {kind} {target_id}"), 404
    return jsonify(id=target_id, suspended=suspended, changed=changed)


@bp.post("/agents/<int:agent_id>/suspend")
def suspend_agent(agent_id: int):
    return _suspend("agent", agent_id, True)


@bp.post("/agents/<int:agent_id>/reinstate")
def reinstate_agent(agent_id: int):
    return _suspend("agent", agent_id, False)


@bp.post("/sellers/<int:seller_id>/suspend")
def suspend_seller(seller_id: int):
    return _suspend("seller", seller_id, True)


@bp.post("/sellers/<int:seller_id>/reinstate")
def reinstate_seller(seller_id: int):
    return _suspend("seller", seller_id, False)


# -- credit (issue 18) --------------------------------------------------------------------------
@bp.get("/credit")
def credit_overview():
    """Pay-later credit outstanding, due this week and in arrears, in total, per seller and per
    group (per currency); open lay-bys; outstanding at the end of each of the last `days` days."""
    return jsonify(credit.overview(soko().db, params.stats_days(request.args)))


# -- refunds owed (issue 15) --------------------------------------------------------------------
@bp.get("/refunds")
def refunds():
    s = soko()
    status, page = params.refund_filter(request.args), params.page(request.args)
    items, total, owed = reports.refunds_owed(s.db, status, page)
    return _listing("refunds", items, total, page, owed=owed)


@bp.post("/refunds/<int:refund_id>/paid")
def refund_paid(refund_id: int):
    s = soko()
    reference = _field(_body(), "reference", actions.REFUND_REFERENCE_MAX)
    done = actions.mark_refund_paid_out(s.db, refund_id, reference, actor=ACTOR)
    if done.error == "not_found":
        return jsonify(error=f"No refund {refund_id}"), 404
    if done.error == "already_paid_out":
        return jsonify(error=f"Refund {refund_id} was already paid out (reference "
                             f"{done.refund['paid_out_reference']})", refund=done.refund), 409
    if not done.ok:
        raise ParamError("reference is required: what you paid it back under (e.g. the M-Pesa reversal)")
    return jsonify(done.refund)

@bp.post("/messages/<int:message_id>/resend")
def resend_message(message_id: int):
    s = soko()
    refused = actions.resend_message(s.db, message_id, actor=ACTOR)
    if refused == "not_found":
        return jsonify(error=f"No message {message_id}"), 404
    if refused:
        return jsonify(error=f"Message {message_id} is {refused}; only an unconfirmed message can be resent"), 409
    s.jobs.notify([message_id])
    return jsonify(resent=message_id, status="pending")


@bp.post("/jobs/<queue>/<job_id>/requeue")
def requeue(queue: str, job_id: str):
    s = soko()
    if not jobs.requeue(s.jobs, queue, job_id):
        return jsonify(error=f"No failed job {job_id} on queue {queue}"), 404
    actions.record(s.db, ACTOR, "requeue_job", f"job:{queue}:{job_id}"[:60])
    return jsonify(requeued=job_id, queue=queue)


# -- the agent's money (SPEC §13): the statement, and settling cash and commission ------------------
@bp.get("/agents/<int:agent_id>/statement")
def agent_statement(agent_id: int):
    found = agent_money.statement(soko().db, agent_id)
    if found is None:
        return jsonify(error=f"No agent {agent_id}"), 404
    return jsonify(found)


SETTLE_REFUSALS = {
    "bad_kind": "kind must be cash (cash handed over) or commission (commission paid)",
    "no_reference": "reference is required (a receipt or transaction number)",
    "bad_amount": "amount is not valid: {detail}",
    "no_agent": "No agent {agent_id}",
    "too_much": "{amount} is more than the {most} there is to settle",
}


@bp.post("/agents/<int:agent_id>/settle")
def settle_agent(agent_id: int):
    """`{"kind": "cash"|"commission", "amount": "1,200", "currency": "KES", "reference": "..."}`"""
    s = soko()
    data = _body()
    kind, amount, currency, reference = (_text(data, key) for key in ("kind", "amount", "currency", "reference"))
    done = agent_money.settle(s.db, agent_id, kind or "", amount or "", currency or "", reference or "", ACTOR)
    if not done.ok:
        why = SETTLE_REFUSALS[done.error].format(
            detail=done.detail, agent_id=agent_id, amount=done.amount and money.format_money(done.amount),
            most=done.most and money.format_money(done.most))
        return jsonify(error=why), 404 if done.error == "no_agent" else 400
    return jsonify(agent_money.statement(s.db, agent_id)), 201
