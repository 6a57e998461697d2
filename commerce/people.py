"""Buyers, sellers and agents: everyone is a person (a phone number) first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from commerce import money
from commerce.models import Agent, Person, Seller

PE, S, A = Person.__table__, Seller.__table__, Agent.__table__


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    phone: str
    language: str
    currency: str
    opted_out: bool


def find(conn: Connection, phone: str) -> PersonRow | None:
    row = conn.execute(select(PE.c.id, PE.c.phone, PE.c.language, PE.c.currency, PE.c.opted_out)
                       .where(PE.c.phone == phone)).first()
    return PersonRow(*row) if row else None


def language_of(conn: Connection, phone: str) -> str | None:
    return conn.execute(select(PE.c.language).where(PE.c.phone == phone)).scalar()


def get_or_create(conn: Connection, phone: str, language: str | None = None) -> PersonRow:
    """The person with this E.164 number, created on first use (safe against a concurrent insert)."""
    found = find(conn, phone)
    if found:
        return found
    try:
        with conn.begin_nested():
            conn.execute(insert(PE).values(phone=phone, language=language or "en",
                                           currency=money.currency_for_phone(phone), opted_out=False))
    except IntegrityError:
        pass  # someone else created it between our read and our insert
    return find(conn, phone)


def set_language(conn: Connection, phone: str, language: str) -> None:
    person = get_or_create(conn, phone, language)
    if person.language != language:
        conn.execute(update(PE).where(PE.c.id == person.id).values(language=language))


def add_seller(conn: Connection, phone: str, shop_name: str) -> int:
    person = get_or_create(conn, phone)
    existing = conn.execute(select(S.c.id).where(S.c.person_id == person.id)).scalar()
    if existing:
        conn.execute(update(S).where(S.c.id == existing).values(shop_name=shop_name))
        return existing
    return conn.execute(insert(S).values(person_id=person.id, shop_name=shop_name,
                                         suspended=False)).inserted_primary_key[0]


def hash_pin(pin: str) -> str:
    return generate_password_hash(pin)


def pin_matches(pin_hash: str, pin: str) -> bool:
    return check_password_hash(pin_hash, pin)


def add_agent(conn: Connection, phone: str, name: str, village: str, pin: str | None = None,
              pin_hash: str | None = None) -> int:
    """Register (or update) the agent at this number; the PIN is stored only as a salted hash
    (`pin_hash` lets a caller that registers many agents with one PIN hash it once)."""
    person = get_or_create(conn, phone)
    values = {"name": name, "village": village, "pin_hash": pin_hash or (hash_pin(pin) if pin else None)}
    existing = conn.execute(select(A.c.id).where(A.c.person_id == person.id)).scalar()
    if existing:
        conn.execute(update(A).where(A.c.id == existing).values(**values))
        return existing
    return conn.execute(insert(A).values(person_id=person.id, failed_pins=0, suspended=False,
                                         **values)).inserted_primary_key[0]
