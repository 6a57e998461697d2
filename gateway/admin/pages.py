"""/admin: the operator's pages, rendered on the server (Jinja, plain forms, no JavaScript needed).

The same reads and actions as the JSON API. A browser signs in once with ADMIN_TOKEN; every form
posts a CSRF token; every action lands in the audit log as `admin:web`.
"""

from __future__ import annotations

from urllib.parse import urlencode

import redis
from flask import Blueprint, flash, redirect, render_template, request, url_for

from commerce import admin as actions
from commerce import agent_money, codes, credit, money, order_moves, reports, ussd_events
from commerce.models import CANCELLED
from gateway import soko
from gateway.admin import auth, chart, jobs, params
from gateway.admin.api import SETTLE_REFUSALS
from gateway.admin.params import ParamError
from menus.buyer import SCREEN_NAMES

bp = Blueprint("admin", __name__, url_prefix="/admin")

ACTOR = "admin:web"


@bp.before_request
def _guard():
    if not soko().settings.admin_token:
        return render_template("admin/closed.html"), 401
    if request.endpoint in ("admin.login", "admin.login_post"):
        return None
    if not auth.signed_in():
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    if request.method == "POST" and not auth.csrf_ok():
        return render_template("admin/error.html", message="This form has expired. Go back, reload and try again."), 400
    return None


@bp.app_template_filter("money")
def _money(value: dict | None) -> str:
    if not value:
        return ""
    return money.format_money(money.Money(int(value["amount_minor"]), value["currency"]))


@bp.app_template_filter("when")
def _when(value: str | None) -> str:
    return value.replace("T", " ").removesuffix("Z") if value else ""


@bp.app_context_processor
def _helpers():
    def page_url(page: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(page)
        return request.path + "?" + urlencode(args)

    return {"csrf_token": auth.csrf_token, "page_url": page_url}


def _bad(template: str, exc: ParamError, **context):
    return render_template(template, error=str(exc), **context), 400


# -- signing in -----------------------------------------------------------------------------------
@bp.get("/login")
def login():
    return render_template("admin/login.html", next=request.args.get("next", ""))


@bp.post("/login")
def login_post():
    target = request.form.get("next", "")
    if not (target.startswith(("/admin", "/simulator"))) or target.startswith("//"):
        target = url_for("admin.dashboard")
    # The right token is let in even past the limit: guessing from the operator's address must
    # not lock the operator out (gateway/admin/auth.py).
    if not auth.token_matches(request.form.get("token", "").strip()):
        if auth.login_blocked():
            return render_template("admin/login.html", next=target,
                                   error="Too many wrong tokens from your address. Wait five minutes and "
                                         "try again."), 429
        auth.note_failure()
        return render_template("admin/login.html", next=target,
                               error="That is not the admin token. Check ADMIN_TOKEN and try again."), 401
    try:
        auth.sign_in()
    except redis.RedisError:
        return render_template("admin/login.html", next=target,
                               error="Signing in needs Redis, which is not answering. Try again in a minute; "
                                     "the JSON API (Authorization: Bearer) works meanwhile."), 503
    return redirect(target)


@bp.post("/logout")
def logout():
    auth.sign_out()
    return redirect(url_for("admin.login"))


# -- views ----------------------------------------------------------------------------------------
@bp.get("")
@bp.get("/")
def dashboard():
    s = soko()
    try:
        days = params.stats_days(request.args)
    except ParamError as exc:
        return _bad("admin/error.html", exc, message=str(exc))
    st = reports.stats(s.db, days)
    recent, _ = reports.orders(s.db, reports.OrderFilter(), reports.Page(1, 10))
    charts = [(cur, chart.sales_svg(points, cur)) for cur, points in st["sales_per_day"]["by_currency"].items()]
    try:
        queues = jobs.depths(s.jobs)
    except redis.RedisError:
        queues = None
    return render_template("admin/dashboard.html", stats=st, charts=charts, recent=recent, queues=queues,
                           days=days)


@bp.get("/ussd")
def ussd_dropoff():
    """Where buyers leave the USSD journey: unfinished sessions per aggregator and per screen."""
    s = soko()
    try:
        days = params.stats_days(request.args)
    except ParamError as exc:
        return _bad("admin/error.html", exc, message=str(exc))
    rows = ussd_events.dropoff(s.db, days)
    ended = ussd_events.sessions_ended(s.db, days)
    by_aggregator: dict[str, list[tuple[str, int]]] = {}
    for r in rows:
        r["screen_name"] = SCREEN_NAMES.get(r["screen"], r["screen"]) if r["screen"] else "unknown"
        r["share"] = r["sessions"] / max(sum(n for st, n in ended.get(r["aggregator"], {}).items()), 1)
        by_aggregator.setdefault(r["aggregator"], []).append((r["screen_name"], r["sessions"]))
    charts = [(name, chart.dropoff_svg(points, name)) for name, points in by_aggregator.items()]
    return render_template("admin/ussd.html", rows=rows, ended=ended, charts=charts, days=days)


@bp.get("/credit")
def credit_page():
    """Credit (SPEC §15): outstanding, due this week and in arrears, in total, per seller and per
    group, with a chart of outstanding credit per day (one per currency)."""
    s = soko()
    try:
        days = params.stats_days(request.args)
    except ParamError as exc:
        return _bad("admin/error.html", exc, message=str(exc))
    view = credit.overview(s.db, days)
    charts = [(cur, chart.sales_svg(points, cur, title="Credit outstanding at the end of each day"))
              for cur, points in view["outstanding_per_day"].items()]
    return render_template("admin/credit.html", view=view, charts=charts, days=days)


@bp.get("/orders")
def orders():
    s = soko()
    ctx = {"statuses": params.STATUSES, "methods": params.PAYMENT_METHODS, "args": request.args}
    try:
        f, page = params.order_filter(request.args, s.settings.default_region), params.page(request.args)
    except ParamError as exc:
        return _bad("admin/orders.html", exc, orders=[], meta=None, **ctx)
    items, total = reports.orders(s.db, f, page)
    return render_template("admin/orders.html", orders=items, meta=page.meta(total), **ctx)


@bp.get("/orders/<code>")
def order(code: str):
    s = soko()
    found = None
    if code.isascii() and code.isdigit() and codes.is_valid(code):
        found = reports.order(s.db, code)
    if found is None:
        return render_template("admin/error.html", message=f"No order {code}. Check the code."), 404
    # The operator's cancel as the order table allows it (admin moves need nothing more).
    can_cancel = order_moves.find(found["status"], CANCELLED, "admin") is not None
    return render_template("admin/order.html", order=found, can_cancel=can_cancel)


@bp.post("/orders/<code>/cancel")
def cancel(code: str):
    s = soko()
    reason = " ".join(request.form.get("reason", "").split())
    if not reason:
        flash("Say why the order is cancelled: buyer and seller are told the reason.", "error")
        return redirect(url_for("admin.order", code=code))
    done = actions.cancel_order(s.db, code, reason[:actions.MAX_REASON], actor=ACTOR)
    if done.ok:
        s.jobs.notify(done.message_ids)
        flash(f"Order {code} cancelled; stock released; buyer and seller told."
              + (" It was paid: refund it." if done.refund_due else ""), "ok")
    elif done.error == "not_found":
        flash(f"No order {code}.", "error")
    else:
        flash(f"Order {code} is {done.status} and cannot be cancelled.", "error")
    return redirect(url_for("admin.order", code=code))


@bp.get("/payments")
def payments():
    s = soko()
    try:
        params.paging_only(request.args)
        page = params.page(request.args)
    except ParamError as exc:
        return _bad("admin/payments.html", exc, payments=[], meta=None)
    items, total = reports.payments(s.db, page)
    return render_template("admin/payments.html", payments=items, meta=page.meta(total))


@bp.get("/sellers")
def sellers():
    s = soko()
    try:
        q, page = params.people_filter(request.args), params.page(request.args)
    except ParamError as exc:
        return _bad("admin/sellers.html", exc, sellers=[], meta=None, q="")
    items, total = reports.sellers(s.db, q, page)
    return render_template("admin/sellers.html", sellers=items, meta=page.meta(total), q=q or "")


@bp.get("/agents")
def agents():
    s = soko()
    try:
        q, page = params.people_filter(request.args), params.page(request.args)
    except ParamError as exc:
        return _bad("admin/agents.html", exc, agents=[], meta=None, q="")
    items, total = reports.agents(s.db, q, page)
    return render_template("admin/agents.html", agents=items, meta=page.meta(total), q=q or "")


# What each refusal of commerce.admin.register_agent says here (the field that was wrong).
AGENT_REFUSALS = {
    "phone": "That phone number is not valid; write it like +254712345678.",
    "name": "Give the agent's name and village (1 to 60 characters each).",
    "village": "Give the agent's name and village (1 to 60 characters each).",
    "pin": "The PIN must be 4 to 8 digits, or left empty.",
}


@bp.post("/agents")
def add_agent():
    s = soko()
    form = request.form
    try:
        added = actions.register_agent(s.db, form.get("phone"), form.get("name"), form.get("village"),
                                       form.get("pin"), region=s.settings.default_region, actor=ACTOR)
    except actions.AgentRefused as refused:
        flash(AGENT_REFUSALS[refused.field], "error")
    else:
        flash(f"Agent {added.id}: {added.name} at {added.village} is a pickup point now.", "ok")
    return redirect(url_for("admin.agents"))


@bp.get("/agents/<int:agent_id>")
def agent_statement(agent_id: int):
    found = agent_money.statement(soko().db, agent_id)
    if found is None:
        return render_template("admin/error.html", message=f"No agent {agent_id}."), 404
    return render_template("admin/agent.html", st=found)


@bp.post("/agents/<int:agent_id>/settle")
def agent_settle(agent_id: int):
    """The operator marks cash handed over or commission paid (SPEC §13), with a reference; audited."""
    form = request.form
    done = agent_money.settle(soko().db, agent_id, form.get("kind", ""), form.get("amount", ""),
                              form.get("currency", ""), form.get("reference", ""), ACTOR)
    if done.ok:
        what = "cash handed over" if form.get("kind") == "cash" else "commission paid"
        flash(f"Recorded {money.format_money(done.amount)} {what}.", "ok")
    else:
        flash(SETTLE_REFUSALS[done.error].format(
            detail=done.detail, agent_id=agent_id, amount=done.amount and money.format_money(done.amount),
            most=done.most and money.format_money(done.most)), "error")
    return redirect(url_for("admin.agent_statement", agent_id=agent_id))


def _suspend(kind: str, target_id: int, suspended: bool):
    s = soko()
    change = actions.set_agent_suspended if kind == "agent" else actions.set_seller_suspended
    reason = " ".join(request.form.get("reason", "").split()) or None
    changed = change(s.db, target_id, suspended, reason, actor=ACTOR)
    if changed is None:
        flash(f"No {kind} {target_id}.", "error")
    else:
        flash(f"{kind.capitalize()} {target_id} {'suspended' if suspended else 'reinstated'}.", "ok")
    return redirect(url_for(f"admin.{kind}s"))


@bp.post("/agents/<int:agent_id>/<any(suspend, reinstate):act>")
def agent_suspend(agent_id: int, act: str):
    return _suspend("agent", agent_id, act == "suspend")


@bp.post("/sellers/<int:seller_id>/<any(suspend, reinstate):act>")
def seller_suspend(seller_id: int, act: str):
    return _suspend("seller", seller_id, act == "suspend")


@bp.get("/messages")
def messages():
    s = soko()
    try:
        to, status = params.message_filter(request.args, s.settings.default_region)
        page = params.page(request.args)
    except ParamError as exc:
        return _bad("admin/messages.html", exc, messages=[], meta=None, args=request.args)
    items, total = reports.messages(s.db, to, status, page)
    return render_template("admin/messages.html", messages=items, meta=page.meta(total), args=request.args)


@bp.post("/messages/<int:message_id>/resend")
def resend_message(message_id: int):
    s = soko()
    refused = actions.resend_message(s.db, message_id, actor=ACTOR)
    if refused is None:
        s.jobs.notify([message_id])
        flash(f"Message {message_id} is queued again; it may reach the recipient twice.", "ok")
    elif refused == "not_found":
        flash(f"No message {message_id}.", "error")
    else:
        flash(f"Message {message_id} is {refused}; only an unconfirmed message can be resent.", "error")
    return redirect(url_for("admin.messages", status="unconfirmed"))


@bp.get("/jobs")
def failed_jobs():
    try:
        failed, queues = jobs.failed(soko().jobs), jobs.depths(soko().jobs)
    except redis.RedisError:
        return render_template("admin/error.html", message="Redis is not answering; the job queues live there."), 503
    return render_template("admin/jobs.html", jobs=failed, queues=queues)


@bp.post("/jobs/<queue>/<job_id>/requeue")
def requeue(queue: str, job_id: str):
    s = soko()
    if jobs.requeue(s.jobs, queue, job_id):
        actions.record(s.db, ACTOR, "requeue_job", f"job:{queue}:{job_id}"[:60])
        flash(f"Job {job_id} is back on the {queue} queue.", "ok")
    else:
        flash(f"Job {job_id} is no longer in the failed list.", "error")
    return redirect(url_for("admin.failed_jobs"))


# -- refunds owed (issue 15) --------------------------------------------------------------------
@bp.get("/refunds")
def refunds():
    s = soko()
    try:
        status, page = params.refund_filter(request.args), params.page(request.args)
    except ParamError as exc:
        return _bad("admin/refunds.html", exc, refunds=[], meta=None, owed={}, status=None)
    items, total, owed = reports.refunds_owed(s.db, status, page)
    return render_template("admin/refunds.html", refunds=items, meta=page.meta(total), owed=owed, status=status)


@bp.post("/refunds/<int:refund_id>/paid")
def refund_paid(refund_id: int):
    s = soko()
    done = actions.mark_refund_paid_out(s.db, refund_id, request.form.get("reference"), actor=ACTOR)
    if done.ok:
        flash(f"Refund {refund_id} marked paid out ({done.refund['paid_out_reference']}).", "ok")
    elif done.error == "no_reference":
        flash("Give the reference you paid it back under (the M-Pesa reversal, the MoMo transfer, a receipt).",
              "error")
    elif done.error == "already_paid_out":
        flash(f"Refund {refund_id} was already paid out.", "error")
    else:
        flash(f"No refund {refund_id}.", "error")
    return redirect(url_for("admin.refunds", status="owed"))


@bp.get("/audit")
def audit():
    s = soko()
    try:
        params.paging_only(request.args)
        page = params.page(request.args)
    except ParamError as exc:
        return _bad("admin/audit.html", exc, entries=[], meta=None)
    items, total = reports.audit_log(s.db, page)
    return render_template("admin/audit.html", entries=items, meta=page.meta(total))
