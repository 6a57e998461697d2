"""Commands anyone may send: HELP, JOIN, LANG, STOP/START, and RECEIVED and NO from a buyer."""

from __future__ import annotations

from commerce import codes, groups, lifecycle, listings, optout, people
from commerce.gsm import REPLY_SEGMENTS, fit
from commerce.texts import t


def help_text(sender) -> str:
    if sender.seller and sender.agent:
        key = "help_both"
    elif sender.seller:
        key = "help_seller"
    elif sender.agent:
        key = "help_agent"
    else:
        key = "help_anyone"
    return t(key, sender.lang)


def do_help(conn, sender, cmd) -> str:
    return help_text(sender)


def do_unknown(conn, sender, cmd) -> str:
    return fit(t("not_understood", sender.lang) + " " + help_text(sender), REPLY_SEGMENTS)


def do_join(conn, sender, cmd) -> str:
    shop = cmd.args[0][:listings.MAX_NAME].strip()
    seller, new = listings.join(conn, sender.phone, shop, sender.lang)
    return t("joined" if new else "renamed", sender.lang, shop=seller.shop_name, code=codes.shop_code(seller.id))


def do_lang(conn, sender, cmd) -> str:
    lang = cmd.args[0]
    people.set_language(conn, sender.phone, lang)
    return t("lang_set", lang)


def do_stop(conn, sender, cmd) -> str:
    optout.set_opted_out(conn, sender.phone, True, sender.lang)
    return t("stopped", sender.lang)


def do_start(conn, sender, cmd) -> str:
    optout.set_opted_out(conn, sender.phone, False, sender.lang)
    return t("started", sender.lang)


def do_received(engine, sender, cmd) -> tuple[str, list[int]]:
    code = cmd.args[0]
    if not codes.is_valid(code):
        return t("bad_order_code", sender.lang, code=code[:12]), []
    outcome = lifecycle.confirm_receipt(engine, sender.phone, code, sender.commission_percent)
    return outcome.reply, list(outcome.message_ids)


def do_no(engine, sender, cmd) -> tuple[str, list[int]]:
    """NO <order>: a customer refuses an order an agent placed for them (SPEC §13); NO alone: a buyer
    declines the group an agent put them in (SPEC §15)."""
    if not cmd.args:
        outcome = groups.decline(engine, sender.phone)
        return outcome.reply, list(outcome.message_ids)
    code = cmd.args[0]
    if not codes.is_valid(code):
        return t("bad_order_code", sender.lang, code=code[:12]), []
    outcome = lifecycle.cancel_by_customer(engine, sender.phone, code)
    return outcome.reply, list(outcome.message_ids)
