"""SMS commands for sellers, agents and buyers (SPEC §5): grammar, handlers, replies.

`answer()` is what a provider webhook calls with the sender's number and text. The inbound message
is stored through the caller's `Inbox` in the same transaction as the change it asks for and the
reply, so a redelivered message (the provider's id is unique) changes nothing and gets no second
reply. SENT / PAID / DELIVERED / RECEIVED call the lifecycle services, which run their own
transaction (with the notifications they cause): for those the message is stored first and
forgotten again if the service fails, so the provider's retry is not lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from sqlalchemy.engine import Connection, Engine

from commerce import agent_money, agents, listings, people, phones
from commerce.gsm import REPLY_SEGMENTS, fit
from commerce.texts import t
from config import Settings
from menus.sms import agent, common, reach, seller
from menus.sms.grammar import Command, parse

log = logging.getLogger("soko.sms")


class Inbox(Protocol):
    """Where the gateway keeps inbound messages and sends replies (one per provider)."""

    def claim(self, conn: Connection, body: str) -> bool:
        """Store the inbound message; False when this provider id was stored before."""

    def release(self, engine: Engine) -> None:
        """Forget the stored message: handling it failed, and the provider should be free to retry."""

    def reply(self, conn: Connection, text: str) -> list[int]:
        """Record the reply; returns outbox ids to send once the transaction commits."""


@dataclass
class Sender:
    phone: str
    lang: str
    seller: listings.SellerRow | None
    agent: agents.AgentRow | None
    commission_percent: Decimal = agent_money.DEFAULT_PERCENT  # AGENT_COMMISSION_PERCENT, for DELIVERED
    settings: Settings = field(default_factory=Settings)  # the deployment's (seller reach reads its limits)


@dataclass
class Answer:
    command: str
    reply: str
    message_ids: list[int] = field(default_factory=list)  # enqueue after commit (notify)


def load_sender(conn: Connection, phone: str, cmd: Command,
                commission_percent: Decimal = agent_money.DEFAULT_PERCENT, settings: Settings | None = None) -> Sender:
    lang = people.language_of(conn, phone) or ("sw" if cmd.swahili else "en")
    return Sender(phone, lang, listings.seller_of(conn, phone), agents.find(conn, phone), commission_percent,
                  settings or Settings())


SELLER_ONLY = {"SELL": seller.do_sell, "PRICE": seller.do_price, "STOCK": seller.do_stock,
               "REMOVE": seller.do_remove, "ITEMS": seller.do_items, "ORDERS": seller.do_orders,
               "CREDIT": seller.do_credit,
               # Seller reach (issue 17)
               "NEWS": reach.do_news, "YES": reach.do_yes, "REPORT": reach.do_report, "SALES": reach.do_sales}
ANYONE = {"HELP": common.do_help, "JOIN": common.do_join, "LANG": common.do_lang,
          "STOP": reach.do_stop, "START": common.do_start, "UNKNOWN": common.do_unknown,
          "FOLLOW": reach.do_follow, "UNFOLLOW": reach.do_unfollow}
# Commands whose change is a lifecycle service's own transaction: (who may send it, handler).
SERVICES = {"SENT": ("seller", reach.do_sent), "PAID": ("agent", agent.do_paid),
            "DELIVERED": ("agent", agent.do_delivered), "RECEIVED": (None, common.do_received),
            "ARRIVED": ("agent", agent.do_arrived), "BALANCE": ("agent", agent.do_balance),
            "NO": (None, common.do_no), "GROUP": ("agent", agent.do_group)}
# An agent's PAID, DELIVERED or ARRIVED records money or goods changing hands: never dropped by the
# rate limit (BALANCE only reads).
AGENT_COMMANDS = frozenset(name for name, (role, _) in SERVICES.items() if role == "agent") - {"BALANCE"}


def _refusal(sender: Sender, cmd: Command, role: str | None) -> str | None:
    """Why this sender may not run this command now, or None."""
    if role == "seller":
        if sender.seller is None:
            return t("not_seller", sender.lang)
        if sender.seller.suspended:
            return t("seller_suspended", sender.lang)
    if role == "agent":
        if sender.agent is None:
            return t("not_agent", sender.lang)
        if sender.agent.suspended:
            return t("agent_suspended", sender.lang)
    if cmd.usage:
        return t(f"usage_{cmd.name}", sender.lang)
    return None


def answer(engine: Engine, phone: str, text: str, inbox: Inbox,
           commission_percent: Decimal = agent_money.DEFAULT_PERCENT, settings: Settings | None = None) -> Answer | None:
    """Handle one inbound SMS from `phone` (E.164). None when it was handled before (redelivery).
    `commission_percent`: AGENT_COMMISSION_PERCENT, earned by an agent on each delivery; `settings`:
    the deployment's (BROADCASTS_PER_DAY, SMS_PRICE, ... for a seller's news)."""
    cmd = parse(text)
    if cmd.name in SERVICES:
        return _answer_service(engine, phone, cmd, inbox, commission_percent)
    with engine.begin() as conn:
        if not inbox.claim(conn, cmd.redacted):
            return None
        sender = load_sender(conn, phone, cmd, settings=settings)
        role = "seller" if cmd.name in SELLER_ONLY else None
        reply = _refusal(sender, cmd, role)
        if reply is None:
            handler = SELLER_ONLY.get(cmd.name) or ANYONE[cmd.name]
            reply = handler(conn, sender, cmd)
        reply = fit(reply, REPLY_SEGMENTS)
        ids = inbox.reply(conn, reply)
    log.info("sms %s from %s", cmd.name, phones.mask(phone))
    return Answer(cmd.name, reply, ids)


def _answer_service(engine: Engine, phone: str, cmd: Command, inbox: Inbox,
                    commission_percent: Decimal = agent_money.DEFAULT_PERCENT) -> Answer | None:
    role, handler = SERVICES[cmd.name]
    with engine.begin() as conn:
        if not inbox.claim(conn, cmd.redacted):
            return None
        sender = load_sender(conn, phone, cmd, commission_percent)
    try:
        reply = _refusal(sender, cmd, role)
        ids: list[int] = []
        if reply is None:
            reply, ids = handler(engine, sender, cmd)
    except Exception:
        inbox.release(engine)
        raise
    reply = fit(reply, REPLY_SEGMENTS)
    with engine.begin() as conn:
        ids = list(ids) + inbox.reply(conn, reply)
    log.info("sms %s from %s", cmd.name, phones.mask(phone))
    return Answer(cmd.name, reply, ids)


def never_limited(engine: Engine, phone: str, text: str) -> bool:
    """True for an agent's command about money or goods (PAID, DELIVERED), answered however many
    messages the agent sent this minute: a busy market day is not an auto-responder loop. Asked
    only of a number over the limit, so it costs nothing otherwise."""
    if parse(text).name not in AGENT_COMMANDS:
        return False
    with engine.connect() as conn:
        found = agents.find(conn, phone)
    return found is not None and not found.suspended


def too_many(engine: Engine, phone: str, text: str, inbox: Inbox) -> Answer | None:
    """The one answer to a number over the limit this minute: `Too many messages, wait a minute`,
    in its language. None when this message was handled before (redelivery)."""
    cmd = parse(text)
    with engine.begin() as conn:
        if not inbox.claim(conn, cmd.redacted):
            return None
        lang = people.language_of(conn, phone) or ("sw" if cmd.swahili else "en")
        reply = t("too_many", lang)
        ids = inbox.reply(conn, reply)
    log.info("sms from %s over the limit: told once", phones.mask(phone))
    return Answer("TOO_MANY", reply, ids)
