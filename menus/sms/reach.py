"""Seller reach by SMS (SPEC §14): FOLLOW / UNFOLLOW / STOP <shop> for anyone; NEWS, YES, REPORT
and SALES for a seller; SENT of several orders at once."""

from __future__ import annotations

from commerce import broadcasts, codes, followers, lifecycle, money, sales
from commerce import credit as seller_credit
from commerce.gsm import REPLY_SEGMENTS, fit
from commerce.texts import t
from menus.sms import common


def _shop(conn, sender, code: str):
    """(shop, None) for a typed shop code, or (None, the reply saying what is wrong)."""
    shop = followers.shop_by_code(conn, code)
    if shop is None:
        return None, t("bad_shop_code", sender.lang, code=code[:12])
    return shop, None


def do_follow(conn, sender, cmd) -> str:
    shop, error = _shop(conn, sender, cmd.args[0])
    if error:
        return error
    if shop.suspended:
        return t("follow_closed", sender.lang, shop=shop.name)
    new = followers.follow(conn, sender.phone, shop.id, "sms", sender.settings.default_region, sender.lang)
    return t("followed" if new else "already_following", sender.lang, shop=shop.name, code=shop.code)


def do_unfollow(conn, sender, cmd) -> str:
    shop, error = _shop(conn, sender, cmd.args[0])
    if error:
        return error
    if not followers.unfollow(conn, sender.phone, shop.id):
        return t("not_following", sender.lang, shop=shop.name)
    return t("unfollowed", sender.lang, shop=shop.name)


def do_stop(conn, sender, cmd) -> str:
    """STOP <shop> [ACHA <shop>] unfollows that shop; STOP alone, or with anything that is not a shop
    code, stops every message (and every follow): an opt-out is never lost to a typo."""
    if cmd.args:
        shop = followers.shop_by_code(conn, cmd.args[0])
        if shop is not None:
            followers.unfollow(conn, sender.phone, shop.id)
            return t("unfollowed", sender.lang, shop=shop.name)
    return common.do_stop(conn, sender, cmd)  # commerce.optout ends every follow too


def _owner(sender) -> broadcasts.Owner:
    s = sender.seller
    return broadcasts.Owner(s.id, s.shop_name, s.currency, sender.phone)


def do_news(conn, sender, cmd) -> str:
    return broadcasts.preview(conn, _owner(sender), cmd.args[0], sender.lang, sender.settings)


def do_yes(conn, sender, cmd) -> str:
    return broadcasts.confirm(conn, _owner(sender), cmd.args[0], sender.lang, sender.settings)


def do_report(conn, sender, cmd) -> str:
    return broadcasts.report(conn, _owner(sender), cmd.args[0], sender.lang)


def do_sales(conn, sender, cmd) -> str:
    """SALES [MAUZO]: today's and this week's orders, items and money (the seller's own day and
    week), then the pay-later credit given and outstanding (as CREDIT reports it)."""
    lang = sender.lang
    day, week = sales.day_and_week(conn, sender.seller.id, sender.phone, sender.settings.default_region)

    def amount(totals: dict[str, int]) -> str:
        shown = [money.format_money(money.Money(v, cur), lang) for cur, v in sorted(totals.items())]
        return " + ".join(shown) or money.format_money(money.Money(0, sender.seller.currency), lang)

    lines = [t("sales_report", lang, orders=day.orders, units=day.units, amount=amount(day.money),
               w_orders=week.orders, w_units=week.units, w_amount=amount(week.money))]
    for cur, r in seller_credit.seller_report(conn, sender.seller.id).items():
        def fmt(minor, cur=cur):
            return money.format_money(money.Money(minor, cur), lang)
        lines.append(t("sales_credit", lang, given=fmt(r["given"]), orders=r["orders"],
                       outstanding=fmt(r["outstanding"]), arrears=fmt(r["arrears"])))
    return fit("\n".join(lines), REPLY_SEGMENTS)


def do_sent(engine, sender, cmd) -> tuple[str, list[int]]:
    """SENT <order> [<order> ...]: each order marked sent in its own transaction (one refused does
    not hold the others back); the reply names those marked and says why any other was not. One
    order gets the reply it always had."""
    done, refused, ids = [], [], []
    for code in dict.fromkeys(cmd.args):  # the same code twice is one order
        if not codes.is_valid(code):
            reply = t("bad_order_code", sender.lang, code=code[:12])
            refused.append(reply)
            continue
        outcome = lifecycle.mark_sent(engine, sender.seller.id, code)
        ids.extend(outcome.message_ids)
        reply = outcome.reply
        (done if outcome.ok else refused).append(code if outcome.ok else reply)
    if len(done) + len(refused) == 1:
        return reply, ids
    parts = ([t("sent_many_ok", sender.lang, codes=", ".join(done))] if done else []) + refused
    return fit(" ".join(parts), REPLY_SEGMENTS), ids
