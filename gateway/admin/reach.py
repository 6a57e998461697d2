"""/admin/broadcasts and GET /admin/api/broadcasts (issue 17, SPEC §14): sellers' broadcasts with
what became of their recipients, the shops with the most followers, and a follower-growth chart per
seller. Routes added to the pages' and the API's blueprints (their sign-in guards apply)."""

from __future__ import annotations

from flask import jsonify, render_template, request

from commerce import broadcasts, codes, followers
from gateway import soko
from gateway.admin import api, chart, params
from gateway.admin.pages import _bad, bp
from gateway.admin.params import ParamError


def _seller(args, shops: list[dict]) -> int | None:
    """`seller` (a seller id or a shop code), or the shop with the most followers."""
    raw = (args.get("seller") or "").strip()
    if not raw:
        return shops[0]["id"] if shops else None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise ParamError("seller must be a seller id or a shop code")
    return codes.seller_id_from_code(raw) or int(raw)


@bp.get("/broadcasts", endpoint="broadcasts")
def broadcasts_page():
    s = soko()
    args = request.args
    try:
        params._known(args, {"days", "seller"})
        days = params._int(args, "days", 30, 1, params.MAX_DAYS)
        shops = followers.sellers_with_followers(s.db)
        seller_id = _seller(args, shops)
    except ParamError as exc:
        return _bad("admin/error.html", exc, message=str(exc))
    growth = followers.growth(s.db, seller_id, days) if seller_id else []
    shown = next((sh for sh in shops if sh["id"] == seller_id), None)
    svg = chart.sales_svg(growth, "", title="Followers at the end of each day", label=lambda v: f"{v:,}") \
        if seller_id else None
    return render_template("admin/broadcasts.html", rows=broadcasts.recent(s.db), shops=shops, days=days,
                           seller_id=seller_id, shown=shown, svg=svg)


@api.bp.get("/broadcasts")
def broadcasts_api():
    """The latest broadcasts with their counts; `?seller=<id or shop code>&days=30` adds that seller's
    followers at the end of each day."""
    s = soko()
    params._known(request.args, {"days", "seller"})
    out = {"broadcasts": broadcasts.recent(s.db), "sellers": followers.sellers_with_followers(s.db)}
    if request.args.get("seller"):
        seller_id = _seller(request.args, [])
        out["followers_per_day"] = followers.growth(s.db, seller_id, params._int(request.args, "days", 30, 1,
                                                                                 params.MAX_DAYS))
    return jsonify(out)
