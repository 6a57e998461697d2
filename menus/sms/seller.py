"""A seller's commands: SELL, PRICE, STOCK, REMOVE, ITEMS, ORDERS, CREDIT (SENT, NEWS, SALES: menus/sms/reach.py)."""

from __future__ import annotations

from commerce import catalog, codes, listings, money
from commerce import credit as seller_credit
from commerce.gsm import REPLY_SEGMENTS, fit, segments
from commerce.texts import t

PAGE = 5  # listings per ITEMS / ORDERS reply: five lines fit two segments with ordinary names
NAME_IN_LIST = 22


def _price(sender, cmd, text):
    """(Money, None) or (None, reply) for a typed price in the seller's currency."""
    currency = sender.seller.currency
    try:
        price = money.parse_amount(text, currency)
    except ValueError:
        example = "1200 or 1,200.50" if money.display_digits(currency) else "1200 or 1,200"
        return None, t("bad_price", sender.lang, example=example, currency=currency,
                       usage=t(f"usage_{cmd.name}", sender.lang))
    return price, None


def _quantity_error(sender, cmd) -> str:
    return t("bad_quantity", sender.lang, most=f"{listings.MAX_STOCK:,}", usage=t(f"usage_{cmd.name}", sender.lang))


def _product_id(cmd) -> int | None:
    return codes.product_id_from_code(cmd.args[0])


def do_sell(conn, sender, cmd) -> str:
    name, price_text, quantity, category_hint = cmd.args
    price, error = _price(sender, cmd, price_text)
    if error:
        return error
    quantity = 1 if quantity is None else quantity
    if quantity > listings.MAX_STOCK:
        return _quantity_error(sender, cmd)
    category_id, _ = listings.category_for(conn, category_hint)
    pid = listings.sell(conn, sender.seller, name, price.amount_minor, quantity, category_id)
    return t("sold", sender.lang, name=name[:listings.MAX_NAME], price=money.format_money(price, sender.lang),
             qty=quantity, category=catalog.category_name(conn, category_id, sender.lang),
             code=codes.product_code(pid))


def _bad_code(sender, cmd) -> str:
    return t("bad_product_code", sender.lang, code=cmd.args[0][:12])


def do_price(conn, sender, cmd) -> str:
    pid = _product_id(cmd)
    if pid is None:
        return _bad_code(sender, cmd)
    price, error = _price(sender, cmd, cmd.args[1])
    if error:
        return error
    row = listings.set_price(conn, sender.seller.id, pid, price.amount_minor)
    if row is None:
        return _bad_code(sender, cmd)
    return t("priced", sender.lang, name=row.name, code=row.code, price=money.format_money(price, sender.lang))


def do_stock(conn, sender, cmd) -> str:
    pid = _product_id(cmd)
    if pid is None:
        return _bad_code(sender, cmd)
    quantity = int(cmd.args[1])
    if quantity > listings.MAX_STOCK:
        return _quantity_error(sender, cmd)
    row = listings.set_stock(conn, sender.seller.id, pid, quantity)
    if row is None:
        return _bad_code(sender, cmd)
    return t("stocked", sender.lang, name=row.name, code=row.code, qty=quantity)


def do_remove(conn, sender, cmd) -> str:
    pid = _product_id(cmd)
    row = listings.remove(conn, sender.seller.id, pid) if pid is not None else None
    if row is None:
        return _bad_code(sender, cmd)
    return t("removed", sender.lang, name=row.name, code=row.code)


def _page(sender, cmd, head_key, more_key, empty_key, lines_and_more) -> str:
    page = cmd.args[0]
    lines, more = lines_and_more
    if not lines:
        if page > 1:
            return t("page_empty", sender.lang, page=page, keyword=cmd.name)
        return t(empty_key, sender.lang)
    footer = t(more_key, sender.lang, page=page + 1) if more else ""
    # Names are shortened so PAGE lines fit; fit() is only the last guard (a page is never cut
    # short by dropping lines, or the next page would skip them).
    text = "\n".join([t(head_key, sender.lang), *lines] + ([footer] if footer else []))
    return text if segments(text) <= REPLY_SEGMENTS else fit(text, REPLY_SEGMENTS)


def _short(name: str) -> str:
    return name if len(name) <= NAME_IN_LIST else name[:NAME_IN_LIST - 2] + ".."


def do_items(conn, sender, cmd) -> str:
    page = cmd.args[0]
    rows = listings.items(conn, sender.seller.id, (page - 1) * PAGE, PAGE + 1)
    lines = [f"{r.code} {_short(r.name)} {money.format_money(money.Money(r.price_minor, r.currency), sender.lang)}"
             f" x{r.stock}" for r in rows[:PAGE]]
    return _page(sender, cmd, "items", "items_more", "no_items", (lines, len(rows) > PAGE))


def do_orders(conn, sender, cmd) -> str:
    page = cmd.args[0]
    rows = listings.open_orders(conn, sender.seller.id, (page - 1) * PAGE, PAGE + 1)
    lines = [f"{o.code} {o.quantity}x {_short(o.name)}: {t('st_' + o.status, sender.lang)}"
             for o in rows[:PAGE]]
    return _page(sender, cmd, "open_orders", "orders_more", "no_open_orders", (lines, len(rows) > PAGE))


def do_credit(conn, sender, cmd) -> str:
    """CREDIT ON <max> <weeks> offers pay later (SPEC §15), CREDIT OFF stops it for new orders, and
    CREDIT alone reports the credit given and outstanding (totals only: no buyer is named)."""
    action = cmd.args[0]
    seller_id = sender.seller.id
    if action == "ON":
        price, error = _price(sender, cmd, cmd.args[1])
        if error:
            return error
        weeks = cmd.args[2]
        if not 1 <= weeks <= seller_credit.MAX_WEEKS or price.amount_minor <= 0:
            return t("credit_bad_weeks", sender.lang, most=seller_credit.MAX_WEEKS,
                     usage=t("usage_CREDIT", sender.lang))
        seller_credit.set_offer(conn, seller_id, price.amount_minor, weeks)
        return t("credit_on_reply", sender.lang, max=money.format_money(price, sender.lang), weeks=weeks)
    if action == "OFF":
        seller_credit.set_offer(conn, seller_id, None, None)
        return t("credit_off_reply", sender.lang)
    offer = seller_credit.seller_offer(conn, seller_id)
    state = (t("credit_state_on", sender.lang, max=money.format_money(offer.max, sender.lang), weeks=offer.weeks)
             if offer else t("credit_state_off", sender.lang))
    lines = [t("credit_report", sender.lang, state=state)]
    rows = seller_credit.seller_report(conn, seller_id)
    for cur, r in rows.items():
        def fmt(minor, cur=cur):
            return money.format_money(money.Money(minor, cur), sender.lang)
        lines.append(t("credit_report_line", sender.lang, currency=cur, given=fmt(r["given"]), orders=r["orders"],
                       outstanding=fmt(r["outstanding"]), arrears=fmt(r["arrears"])))
    if not rows:
        lines.append(t("credit_report_none", sender.lang))
    return fit("\n".join(lines), REPLY_SEGMENTS)
