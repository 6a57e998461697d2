"""An agent's commands: PAID (cash received), ARRIVED (goods at the point), DELIVERED (goods handed
over), BALANCE (the agent's money) and GROUP (buyers who vouch for each other), PIN-checked.

The order code's check digit is checked first (a typo is not a wrong PIN), then the PIN, then the
lifecycle service does the change and writes the notifications in its transaction.
"""

from __future__ import annotations

import re

from commerce import agent_money, agents, codes, groups, lifecycle, money
from commerce.texts import t

_PIN = re.compile(r"[0-9]{4,8}")  # what `add-agent --pin` accepts


def split_paid(rest: tuple[str, ...]) -> tuple[str, str | None]:
    """(amount as typed, PIN or None) from the words after the order code. A PIN is 4-8 digits
    ending the message after the amount; an amount grouped with spaces ends in 3-digit groups, so
    "1 600" is an amount and "1600 1234" an amount and a PIN."""
    if len(rest) >= 2 and _PIN.fullmatch(rest[-1]):
        return " ".join(rest[:-1]), rest[-1]
    return " ".join(rest), None


def _pin_refusal(engine, sender, cmd, pin) -> str | None:
    check = agents.check_pin(engine, sender.agent.id, pin)
    if check.result is agents.Pin.OK:
        return None
    if check.result is agents.Pin.MISSING:
        return t("pin_missing", sender.lang, usage=t(f"usage_{cmd.name}", sender.lang))
    if check.result is agents.Pin.LOCKED:
        return t("pin_locked", sender.lang, minutes=check.locked_minutes)
    return t("pin_wrong", sender.lang, tries=check.tries_left)


def do_paid(engine, sender, cmd) -> tuple[str, list[int]]:
    code, rest = cmd.args
    if not codes.is_valid(code):
        return t("bad_order_code", sender.lang, code=code[:12]), []
    amount, pin = split_paid(rest)
    refusal = _pin_refusal(engine, sender, cmd, pin)
    if refusal:
        return refusal, []
    outcome = lifecycle.record_cash_payment(engine, sender.agent.id, code, amount)
    return outcome.reply, list(outcome.message_ids)


def do_delivered(engine, sender, cmd) -> tuple[str, list[int]]:
    code, pin = cmd.args
    if not codes.is_valid(code):
        return t("bad_order_code", sender.lang, code=code[:12]), []
    refusal = _pin_refusal(engine, sender, cmd, pin)
    if refusal:
        return refusal, []
    outcome = lifecycle.confirm_delivery(engine, sender.agent.id, code, sender.commission_percent)
    return outcome.reply, list(outcome.message_ids)


def do_arrived(engine, sender, cmd) -> tuple[str, list[int]]:
    code, pin = cmd.args
    if not codes.is_valid(code):
        return t("bad_order_code", sender.lang, code=code[:12]), []
    refusal = _pin_refusal(engine, sender, cmd, pin)
    if refusal:
        return refusal, []
    outcome = lifecycle.confirm_arrival(engine, sender.agent.id, code)
    return outcome.reply, list(outcome.message_ids)


def do_balance(engine, sender, cmd) -> tuple[str, list[int]]:
    (pin,) = cmd.args
    refusal = _pin_refusal(engine, sender, cmd, pin)
    if refusal:
        return refusal, []
    with engine.connect() as conn:
        return agent_money.balance_reply(conn, sender.agent.id, sender.lang,
                                         money.currency_for_phone(sender.phone)), []


def do_group(engine, sender, cmd) -> tuple[str, list[int]]:
    """GROUP <name> <phone> … [<pin>]: register buyers who vouch for each other (SPEC §15)."""
    name, numbers, pin = cmd.args
    refusal = _pin_refusal(engine, sender, cmd, pin)
    if refusal:
        return refusal, []
    outcome = groups.register(engine, sender.agent.id, name, list(numbers), t("usage_GROUP", sender.lang))
    return outcome.reply, list(outcome.message_ids)
