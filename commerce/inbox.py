"""Inbound SMS and their replies: the `inbound_messages` table, unique on (provider, provider_id),
so a redelivered message is stored once and answered once (menus.sms.Inbox)."""

from __future__ import annotations

from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from commerce import outbox
from commerce.models import InboundMessage, Message, utcnow

IN, M = InboundMessage.__table__, Message.__table__


class Inbox:
    """One inbound message: where menus.sms stores it and records its reply."""

    def __init__(self, provider: str, provider_id: str, phone: str, to: str | None, link_id: str | None,
                 reply_in_response: bool):
        """`link_id`: a premium (on-demand) message, whose reply must go back with it from `to`.
        `reply_in_response`: the provider sends the reply from the webhook's answer (Twilio's
        TwiML), so it is recorded as sent, not queued."""
        self.provider, self.provider_id, self.phone = provider, provider_id, phone
        self.to, self.link_id = to, link_id
        self.reply_in_response = reply_in_response

    def claim(self, conn: Connection, body: str) -> bool:
        try:
            with conn.begin_nested():
                conn.execute(insert(IN).values(provider=self.provider, provider_id=self.provider_id,
                                               from_phone=self.phone, to=self.to, body=body,
                                               link_id=self.link_id, received_at=utcnow()))
        except IntegrityError:
            return False
        return True

    def release(self, engine: Engine) -> None:
        with engine.begin() as conn:
            conn.execute(delete(IN).where(IN.c.provider == self.provider, IN.c.provider_id == self.provider_id))

    def reply(self, conn: Connection, text: str) -> list[int]:
        conn.execute(update(IN).where(IN.c.provider == self.provider, IN.c.provider_id == self.provider_id)
                     .values(reply=text))
        # A reply to a message the person just sent goes out even after STOP (carriers allow it).
        mid = outbox.add(conn, self.phone, text, kind="reply", force=True)
        if self.link_id:
            # A premium (on-demand) message: the reply goes back with its link id, from its short code.
            conn.execute(update(M).where(M.c.id == mid).values(link_id=self.link_id, short_code=self.to))
        if self.reply_in_response:
            # The provider sends it from the webhook's answer; the row is the record of it (the
            # sweep leaves it alone).
            conn.execute(update(M).where(M.c.id == mid).values(status="sent", provider=self.provider,
                                                               sent_at=utcnow()))
            return []
        return [mid]
