"""The buyer's USSD screens: Shop, Search, product, quantity, pickup, payment, summary, My orders,
Language. Each screen renders a frame and handles one input; the engine does the rest."""

from __future__ import annotations

from commerce import catalog, checkouts, codes, followers, money, orders, people
from commerce import credit as seller_credit
from commerce.models import CREDIT_METHODS, LAYBY, MOBILE_MONEY, PAY_LATER, PAYMENT_METHODS, PLACED, utcnow
from commerce.texts import LANGUAGES, t
from menus.engine import PAGE_SIZE, Outcome, Screen, View, window

HOME = ["H"]
RESUME = ["R"]


def _just_placed(ctx) -> list[str]:
    """A new session's first screen starts with the buyer's order of the last few minutes, so a
    buyer who saw the apology of a hop whose order had committed (or lost the Confirm answer) finds
    it. Asked only when the last session may have ended that way: it stopped at the summary or
    on the placed screen, or Redis kept nothing of it."""
    if not getattr(ctx, "new_session", False):
        return []
    before = ctx.before
    if before is not None and before.frames[-1][0] not in ("Y", "D"):
        return []  # the last session stopped elsewhere: it placed nothing unseen
    # With nothing kept in Redis, the read that found the caller's language found it too.
    code = ctx.on_record()[1] if before is None else orders.just_placed(ctx.reads, ctx.phone)
    return [t("just_placed", ctx.lang, code=code)] if code else []


def _home(ctx, f):
    labels = [t(k, ctx.lang) for k in ("shop", "search", "my_orders", "language")]
    return View(_just_placed(ctx) + [t("welcome", ctx.lang, shop=ctx.services.shop_name)], labels,
                ["C", "S", "O", "G"])


def _home_go(ctx, f, choice, view):
    target = view.chosen(choice)
    if target is None:
        if len(choice) >= 5 and choice.isascii() and choice.isdigit():  # a product code (*384*123*100014#)
            return _open_code(ctx, choice)
        return Outcome(invalid="invalid")
    return Outcome(push=[target, 0] if target in ("C", "O") else [target])


def _resume(ctx, f):
    return View(_just_placed(ctx) + [t("resume", ctx.lang)], [t("continue", ctx.lang), t("start_again", ctx.lang)],
                [1, 2])


def _resume_go(ctx, f, choice, view):
    picked = view.chosen(choice)
    if picked == 1:
        return Outcome(pop=1)
    if picked == 2:
        return Outcome(home=True)
    return Outcome(invalid="invalid")


def _categories(ctx, f):
    cats = ctx.categories()
    if not cats:
        return View([t("no_categories", ctx.lang)])
    part, more = window(cats, f[-1])
    return View([t("categories", ctx.lang)], [n for _, n in part], [i for i, _ in part], more)


def _categories_go(ctx, f, choice, view):
    cid = view.chosen(choice)
    return Outcome(push=["L", cid, 0]) if cid is not None else Outcome(invalid="invalid")


def _product_list(ctx, header: str, rows) -> View:
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    labels = [f"{r.name} {ctx.price(r.price_minor, r.currency)}" for r in rows]
    return View([header], labels, [r.id for r in rows], more)


def _listing(ctx, f):
    _, cid, offset = f
    rows = ctx.listing(cid, offset, PAGE_SIZE + 1)
    name = ctx.category_name(cid) or ""
    if not rows:
        return View([t("empty_category", ctx.lang, name=name)])
    return _product_list(ctx, name + ":", rows)


def _pick_product(ctx, f, choice, view):
    pid = view.chosen(choice)
    return Outcome(push=["P", pid]) if pid is not None else Outcome(invalid="invalid")


def _search(ctx, f):
    return View([t("search_prompt", ctx.lang)], free_text=True)


def _search_go(ctx, f, choice, view):
    query = choice.strip()
    compact = query.replace(" ", "")
    if compact.isdigit() and compact.isascii():
        return _open_code(ctx, compact)
    if not catalog.words(query):
        return Outcome(invalid="search_short")
    if not catalog.search(ctx.db, query, 0, 1):
        return Outcome(invalid="no_results_hint")
    return Outcome(push=["T", query[:40], 0])


def _open_code(ctx, code: str) -> Outcome:
    """The product with this code (its check digit refuses a mistyped one, never another product)."""
    pid = codes.product_id_from_code(code)
    if pid is None or ctx.product(pid) is None:
        return Outcome(invalid="bad_code_hint")
    return Outcome(push=["P", pid])


def _results(ctx, f):
    _, query, offset = f
    rows = catalog.search(ctx.db, query, offset, PAGE_SIZE + 1)
    if not rows:
        return View([t("no_results", ctx.lang, q=query)])
    return _product_list(ctx, t("results", ctx.lang, q=query), rows)


def _product(ctx, f):
    p = ctx.product(f[1])
    if p is None or p.stock <= 0:
        return View([t("product_gone", ctx.lang)])
    shop = codes.shop_code(p.seller_id)
    header = t("product", ctx.lang, name=p.name, price=ctx.price(p.price_minor, p.currency), seller=p.shop_name,
               stock=p.stock, shop=shop)
    # The Buy option's key is the most one may buy, from the stock just shown: the quantity screen
    # and its check use it without reading the product again (placing the order checks the stock).
    # Follow <shop> (SPEC §14) is keyed by the shop code as a string, never a quantity.
    return View([f"{header}\n#{p.code}"], [t("buy", ctx.lang), t("follow_option", ctx.lang, shop=_short_shop(p.shop_name))],
                [min(p.stock, orders.MAX_QUANTITY), shop])


def _short_shop(name: str) -> str:
    return name if len(name) <= 20 else name[:18] + ".."


def _product_go(ctx, f, choice, view):
    most = view.chosen(choice)
    if most is None:
        return Outcome(invalid="invalid")
    if isinstance(most, str):  # Follow <shop>
        return _follow(ctx, most)
    return Outcome(push=["Q", f[1], most])


def _follow(ctx, shop_code: str) -> Outcome:
    """The buyer asked to follow the shop (opt-in): one write, then an end screen saying how to stop."""
    with ctx.services.engine.begin() as conn:
        shop = followers.shop_by_code(conn, shop_code)
        if shop is None or shop.suspended:
            return Outcome(end=["Z", "product_gone"])
        followers.follow(conn, ctx.phone, shop.id, "ussd", ctx.services.default_region, ctx.lang)
    return Outcome(end=["F", shop.name, shop.code])


def _quantity(ctx, f):
    most = f[2]
    if most <= 0:
        return View([t("product_gone", ctx.lang)])
    return View([t("quantity", ctx.lang, max=most)], free_text=True)


def _quantity_go(ctx, f, choice, view):
    most = f[2]
    if choice.isascii() and choice.isdigit() and 1 <= int(choice) <= most:
        helping = assisting(ctx)
        if helping is not None:  # an agent ordering for a customer: the pickup is the agent's own point
            return Outcome(push=["M", f[1], int(choice), helping[1]])
        return Outcome(push=["V", f[1], int(choice), 0])
    return Outcome(invalid="bad_quantity_hint")


def _pickup(ctx, f):
    offset = f[-1]
    points = ctx.pickup_points()[offset:offset + PAGE_SIZE + 1]
    if not points:
        return View([t("no_pickup", ctx.lang)])
    more = len(points) > PAGE_SIZE
    points = points[:PAGE_SIZE]
    return View([t("pickup", ctx.lang)], [f"{v} ({n})" for _, v, n in points], [a for a, _, _ in points], more)


def _pickup_go(ctx, f, choice, view):
    aid = view.chosen(choice)
    return Outcome(push=["M", f[1], f[2], aid]) if aid is not None else Outcome(invalid="invalid")


def _credit_buyer(ctx) -> str | None:
    """Whose credit an order would be: the caller, or the customer an agent orders for (None for a
    customer with no phone: no credit without a number to remind)."""
    helping = assisting(ctx)
    return ctx.phone if helping is None else (helping[2] or None)


def _pay_later(ctx, pid, qty) -> seller_credit.Offer | None:
    """Pay later for this product and quantity, when the seller offers it and the buyer qualifies."""
    phone, seller_id = _credit_buyer(ctx), ctx.credit_seller(pid)
    if phone is None or seller_id is None:
        return None
    p = ctx.listed(pid)
    q = ctx.quote(p.price_minor, p.currency, qty) if p is not None else None
    if q is None or q.total is None:
        return None
    offer = seller_credit.offer(ctx.db, buyer_phone=phone, seller_id=seller_id, total=q.total,
                                terms=ctx.services.credit_terms, now=utcnow())
    return offer if offer.ok else None


def _method(ctx, f):
    # Keys index PAYMENT_METHODS; pay later is offered only to a buyer who qualifies (SPEC §15).
    keys = [0, 1, 2, PAYMENT_METHODS.index(LAYBY)]
    if _pay_later(ctx, f[1], f[2]) is not None:
        keys.append(PAYMENT_METHODS.index(PAY_LATER))
    return View([t("payment", ctx.lang)], [t(PAYMENT_METHODS[k], ctx.lang) for k in keys], keys)


def _method_go(ctx, f, choice, view):
    m = view.chosen(choice)
    return Outcome(push=["Y", f[1], f[2], f[3], m]) if m is not None else Outcome(invalid="invalid")


def _summary(ctx, f):
    _, pid, qty, aid, m = f
    p = ctx.listed(pid)  # name and price: the stock is checked when the order is placed
    point = ctx.pickup_point(aid)
    if p is None or point is None:
        return View([t("product_gone", ctx.lang)])
    q = ctx.quote(p.price_minor, p.currency, qty)
    if q.total is None:
        return View([t("no_rate", ctx.lang, cur=p.currency, mine=ctx.currency)])
    lines = [t("summary", ctx.lang, qty=qty, name=p.name, total=ctx.fmt(q.total), village=point[1],
               method=t(PAYMENT_METHODS[m], ctx.lang))]
    helping = assisting(ctx)
    if helping is not None:
        lines.append(t("assist_summary_for", ctx.lang, customer=helping[2] or helping[3]))
    if PAYMENT_METHODS[m] == LAYBY:
        weeks = ctx.services.credit_terms.layby_weeks
        lines.append(t("summary_layby", ctx.lang, day=seller_credit.day(utcnow() + seller_credit.schedule.WEEK * weeks,
                                                                         ctx.lang)))
    elif PAYMENT_METHODS[m] == PAY_LATER:
        offer = _pay_later(ctx, pid, qty)
        if offer is None:
            return View([t("credit_unavailable", ctx.lang)])
        lines.append(t("summary_pay_later", ctx.lang, weeks=offer.weeks, amount=ctx.fmt(money.Money(
            offer.amounts[0], q.total.currency)), day=seller_credit.day(offer.due_at[0], ctx.lang)))
    if q.total.currency != p.currency:
        lines.append(t("rate_note", ctx.lang, seller_total=ctx.fmt(q.seller_total)))
    # Confirm's key holds the total shown: the order is placed at that total or not at all.
    return View(lines, [t("confirm", ctx.lang), t("cancel", ctx.lang)], [f"yes:{q.total.amount_minor}", "no"])


def _summary_go(ctx, f, choice, view):
    picked = view.chosen(choice)  # "yes:<total shown>" or "no"
    if picked == "no":
        return Outcome(end=["Z", "cancelled_choice"])
    if picked is None:
        return Outcome(invalid="invalid")
    _, pid, qty, aid, m = f
    shown = int(picked.removeprefix("yes:"))
    helping = assisting(ctx)  # an agent's order for a customer: the customer's orders, if known
    # The same order placed lately (most likely the first Confirm's answer never reached the buyer)
    # is asked about first, not doubled: place_order looks in the same read.
    return _place(ctx, pid, qty, aid, m, shown, ask_first=bool(helping[2] if helping else ctx.phone))


def _again(ctx, f):
    return View([t("order_again", ctx.lang, code=f[-1])], [t("order_again_yes", ctx.lang), t("no", ctx.lang)],
                ["yes", "no"])


def _again_go(ctx, f, choice, view):
    picked = view.chosen(choice)
    if picked == "no":
        return Outcome(end=["K", f[-1]])
    if picked != "yes":
        return Outcome(invalid="invalid")
    _, pid, qty, aid, m, shown, _earlier = f
    return _place(ctx, pid, qty, aid, m, shown)


def _kept(ctx, f):
    return View([t("order_kept", ctx.lang, code=f[1])], end=True)


def _place(ctx, pid, qty, aid, m, shown, ask_first=False):
    method = PAYMENT_METHODS[m]
    s = ctx.services
    helping = assisting(ctx)  # ["AF", agent id, customer phone or "", name or ""]
    plan = None
    if method == LAYBY:
        plan = seller_credit.PlanTerms(LAYBY, s.credit_terms.layby_weeks)
    elif method == PAY_LATER:  # asked again: the buyer may have fallen into arrears meanwhile
        offer = _pay_later(ctx, pid, qty)
        if offer is None:
            return Outcome(invalid="credit_unavailable")
        plan = seller_credit.PlanTerms(PAY_LATER, offer.weeks, offer.group_id, offer.limit.amount_minor)
    placed = orders.place_order(
        s.engine, phone=(helping[2] or ctx.phone) if helping else ctx.phone, product_id=pid, quantity=qty,
        agent_id=aid, method=method,
        # One order per USSD session and summary: a redelivered Confirm finds it again.
        request_key=f"ussd:{ctx.session_id}:{pid}:{qty}:{aid}:{m}"[:80],
        payment_window_minutes=s.payment_window_minutes, language=ctx.lang,
        expected_total_minor=shown,
        placed_by=helping[1] if helping else None, customer_name=(helping[3] or None) if helping else None,
        plan=plan, ask_if_ordered_lately=ask_first)
    if placed.error == "ordered_lately":
        return Outcome(push=["AG", pid, qty, aid, m, shown, placed.code])
    if not placed.ok:
        if placed.error == "price_changed":
            ctx.forget_cached()  # the summary is drawn again with the price the order would take
        hints = {"out_of_stock": "out_of_stock", "no_rate": "no_rate_hint", "unavailable": "product_gone",
                 "price_changed": "price_changed", "over_limit": "credit_unavailable"}
        return Outcome(invalid=hints.get(placed.error, "order_failed"))
    if placed.created:  # its notices and first checkout: the worker's dispatcher (workers/dispatch.py)
        ctx.placed[placed.order_id] = placed
    return Outcome(end=["D", placed.order_id])


def _done(ctx, f):
    helping = assisting(ctx)
    buyer = (helping[2] or ctx.phone) if helping else ctx.phone
    o = ctx.placed.get(f[1]) or orders.buyer_order(ctx.db, buyer, f[1])
    if o is None:
        return View([t("order_failed", ctx.lang)], end=True)
    if helping is not None:
        if o.payment_method == MOBILE_MONEY:
            following = t("assisted_next_mm_customer" if helping[2] else "assisted_next_mm_you", ctx.lang)
        else:
            following = t(f"assisted_next_{o.payment_method}", ctx.lang, code=o.code)
        return View([t("assisted_placed", ctx.lang, code=o.code, customer=helping[2] or helping[3],
                       total=ctx.fmt(o.total), next=following)], end=True)
    if o.payment_method in CREDIT_METHODS:
        d = seller_credit.dues(ctx.db, f[1])
        if d is not None:
            key = "placed_layby" if o.payment_method == LAYBY else "placed_pay_later"
            return View([t(key, ctx.lang, code=o.code, total=ctx.fmt(o.total), village=o.village,
                           day=seller_credit.day(d.next_at, ctx.lang),
                           amount=ctx.fmt(d.next_amount) if d.next_amount else "")], end=True)
    rail = _rail(ctx) if o.payment_method == MOBILE_MONEY else None
    if rail:
        return View([t("placed_mobile_money_rail", ctx.lang, code=o.code, total=ctx.fmt(o.total), rail=rail)],
                    end=True)
    return View([t(f"placed_{o.payment_method}", ctx.lang, code=o.code, total=ctx.fmt(o.total),
                   village=o.village)], end=True)


def _rail(ctx) -> str | None:
    """The brand that will ask for the PIN (M-Pesa, MTN MoMo), when the buyer's rail has one."""
    rail = ctx.services.rail_for(ctx.phone)
    return checkouts.RAIL_NAMES[rail] if rail in checkouts.QUERYABLE else None


def assisting(ctx) -> list | None:
    """The agent's "Order for a customer" frame under this screen (["AF", agent id, customer phone
    or "", name or ""], menus/service_point.py), or None: the buyer's journey ordering for oneself."""
    for frame in getattr(ctx, "frames", ()):
        if frame[0] == "AF":
            return frame
    return None


def _my_orders(ctx, f):
    rows = orders.buyer_orders(ctx.db, ctx.phone, f[-1], PAGE_SIZE + 1)
    if not rows:
        return View([t("no_orders", ctx.lang)])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return View([t("orders", ctx.lang)], [f"{o.code} {t('st_' + o.status, ctx.lang)}" for o in rows],
                [o.id for o in rows], more)


def _my_orders_go(ctx, f, choice, view):
    oid = view.chosen(choice)
    return Outcome(push=["OD", oid]) if oid is not None else Outcome(invalid="invalid")


def _order(ctx, f):
    o = orders.buyer_order(ctx.db, ctx.phone, f[1])
    if o is None:
        return View([t("no_orders", ctx.lang)])
    header = t("order_detail", ctx.lang, code=o.code, status=t("st_" + o.status, ctx.lang), qty=o.quantity,
               name=o.name, total=ctx.fmt(o.total), village=o.village)
    labels, keys = [], []
    lines = [header]
    dues = seller_credit.dues(ctx.db, o.id) if o.payment_method in CREDIT_METHODS else None
    if dues is not None:  # SPEC §15: what is due and when (second, so a tight screen cuts the pickup
        # line, not this); any part of it can be paid now
        first, _, rest = header.partition("\n")
        lines = [first, seller_credit.dues_text(dues, ctx.lang), rest]
        labels.append(t("pay_amount", ctx.lang))
        keys.append("part")
    if orders.can_cancel(o):
        labels.append(t("cancel_order", ctx.lang))
        keys.append("cancel")
    if o.payment_method == MOBILE_MONEY and o.status == PLACED and o.paid_minor == 0:
        labels.append(t("pay_now", ctx.lang))
        keys.append("pay")
    return View(lines, labels, keys)


def _order_go(ctx, f, choice, view):
    picked = view.chosen(choice)
    if picked == "cancel":
        return Outcome(push=["OC", f[1]])
    if picked == "pay":
        ctx.services.jobs.start_checkout(f[1])
        return Outcome(end=["PP", f[1]])
    if picked == "part":
        return Outcome(push=["PA", f[1]])
    return Outcome(invalid="invalid")


def _part_amount(ctx, f):
    d = seller_credit.dues(ctx.db, f[1])
    if d is None or orders.buyer_order(ctx.db, ctx.phone, f[1]) is None:
        return View([t("no_orders", ctx.lang)])
    return View([t("pay_amount_prompt", ctx.lang, most=ctx.fmt(d.left))], free_text=True)


def _part_amount_go(ctx, f, choice, view):
    """An amount of a lay-by or pay-later order's balance, asked of the buyer's rail now."""
    d = seller_credit.dues(ctx.db, f[1])
    if d is None or orders.buyer_order(ctx.db, ctx.phone, f[1]) is None:
        return Outcome(invalid="invalid")
    try:
        amount = money.parse_amount(choice, d.left.currency)
    except ValueError:
        return Outcome(invalid="pay_amount_bad")
    if not 0 < amount.amount_minor <= d.left.amount_minor:
        return Outcome(invalid="pay_amount_bad")
    ctx.services.jobs.start_checkout(f[1], amount.amount_minor)
    return Outcome(end=["PP", f[1]])


def _cancel_ask(ctx, f):
    o = orders.buyer_order(ctx.db, ctx.phone, f[1])
    if o is None:
        return View([t("no_orders", ctx.lang)])
    return View([t("cancel_confirm", ctx.lang, code=o.code)], [t("yes", ctx.lang), t("no", ctx.lang)],
                ["yes", "no"])


def _cancel_go(ctx, f, choice, view):
    picked = view.chosen(choice)
    if picked == "no":
        return Outcome(pop=1)
    if picked != "yes":
        return Outcome(invalid="invalid")
    done, _code, ids = orders.cancel_by_buyer(ctx.services.engine, ctx.phone, f[1])
    if done:
        ctx.services.jobs.notify(ids)
    return Outcome(end=["X", f[1]])


def _cancelled(ctx, f):
    o = orders.buyer_order(ctx.db, ctx.phone, f[1])
    key = "order_cancelled" if o is not None and o.status == "cancelled" else "cannot_cancel"
    return View([t(key, ctx.lang, code=o.code if o else "")], end=True)


def _pay_prompt(ctx, f):
    o = orders.buyer_order(ctx.db, ctx.phone, f[1])
    rail = _rail(ctx)
    if rail:
        return View([t("pay_prompt_rail", ctx.lang, code=o.code if o else "", rail=rail)], end=True)
    return View([t("pay_prompt", ctx.lang, code=o.code if o else "")], end=True)


def _language(ctx, f):
    return View([t("choose_language", ctx.lang)], list(LANGUAGES.values()), list(LANGUAGES))


def _language_go(ctx, f, choice, view):
    lang = view.chosen(choice)
    if lang is None:
        return Outcome(invalid="invalid")
    with ctx.services.engine.begin() as conn:
        people.set_language(conn, ctx.phone, lang)
    ctx.lang = lang
    return Outcome(home=True)


def _message(ctx, f):
    return View([t(f[1], ctx.lang)], end=True)


def _followed(ctx, f):
    return View([t("followed_ussd", ctx.lang, shop=f[1], code=f[2])], end=True)


SCREENS: dict[str, Screen] = {
    "H": Screen(_home, _home_go),
    "R": Screen(_resume, _resume_go),
    "C": Screen(_categories, _categories_go, paged=True),
    "L": Screen(_listing, _pick_product, paged=True),
    "S": Screen(_search, _search_go),
    "T": Screen(_results, _pick_product, paged=True),
    "P": Screen(_product, _product_go),
    "Q": Screen(_quantity, _quantity_go),
    "V": Screen(_pickup, _pickup_go, paged=True),
    "M": Screen(_method, _method_go),
    "Y": Screen(_summary, _summary_go),
    "AG": Screen(_again, _again_go),
    "K": Screen(_kept),
    "D": Screen(_done),
    "O": Screen(_my_orders, _my_orders_go, paged=True),
    "OD": Screen(_order, _order_go),
    "OC": Screen(_cancel_ask, _cancel_go),
    "X": Screen(_cancelled),
    "PP": Screen(_pay_prompt),
    "PA": Screen(_part_amount, _part_amount_go),
    "G": Screen(_language, _language_go),
    "Z": Screen(_message),
    "F": Screen(_followed),
}

# What each screen is called where people read about it (the admin's drop-off per screen).
SCREEN_NAMES = {"H": "Home", "R": "Continue offer", "C": "Categories", "L": "Product list", "S": "Search",
                "T": "Search results", "P": "Product", "Q": "Quantity", "V": "Pickup point", "M": "Payment method",
                "Y": "Summary", "D": "Order placed", "O": "My orders", "OD": "Order detail", "OC": "Cancel order?",
                "X": "Order cancelled", "PP": "Pay prompt", "PA": "Amount to pay", "G": "Language", "Z": "Message",
                "F": "Followed"}
