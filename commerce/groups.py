"""Groups that vouch for each other (SPEC §15, as Grameen's): an agent registers 2 to 5 buyers with
`GROUP <name> <phone> … [<pin>]` [KIKUNDI]; each is told and may decline with `NO`. A member
qualifies for pay later after one delivered, fully paid order of their own, and while any member is
in arrears no member gets new credit (commerce.credit.offer). Nobody is ever told about another
person's dues: the agent learns only how many members a group has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from commerce import outbox, people, phones
from commerce.credit import CP, DECLINED, GM, GROUP_SIZE, MEMBER, OPEN, G, members
from commerce.models import Agent, Person, utcnow
from commerce.texts import t

A, PE = Agent.__table__, Person.__table__
MAX_NAME = 40


@dataclass
class Outcome:
    ok: bool
    reply: str
    message_ids: list[int] = field(default_factory=list)


def _agent(conn, agent_id: int):
    return conn.execute(select(A.c.name, A.c.village, PE.c.phone, PE.c.language).join(PE, PE.c.id == A.c.person_id)
                        .where(A.c.id == agent_id)).one()


def register(engine: Engine, agent_id: int, name: str, numbers: list[str], usage: str) -> Outcome:
    """Register the group if every number is a phone, 2 to 5 distinct buyers, none the agent and
    none in another group; else nothing is written and the reply says what to fix."""
    name = " ".join(name.split())[:MAX_NAME]
    with engine.begin() as conn:
        agent = _agent(conn, agent_id)
        lang = agent.language
        region = phones.region_of(agent.phone)
        found: list[str] = []
        for raw in numbers:
            try:
                phone = phones.normalize(raw, region)
            except ValueError:
                return Outcome(False, t("group_bad_phone", lang, phone=raw[:20], usage=usage))
            if phone not in found:
                found.append(phone)
        if agent.phone in found:
            return Outcome(False, t("group_not_agent_self", lang))
        if not GROUP_SIZE[0] <= len(found) <= GROUP_SIZE[1]:
            return Outcome(False, t("group_size", lang, n=len(found)))
        people_ids = []
        for phone in found:
            person = people.get_or_create(conn, phone)
            busy = conn.execute(select(GM.c.group_id).where(GM.c.person_id == person.id, GM.c.status == MEMBER)).scalars()
            if any(len(members(conn, g)) >= GROUP_SIZE[0] for g in busy):
                return Outcome(False, t("group_taken", lang, phone=phones.mask(phone)))
            people_ids.append(person)
        now = utcnow()
        group_id = conn.execute(insert(G).values(name=name, agent_id=agent_id, created_at=now)).inserted_primary_key[0]
        ids = []
        for person in people_ids:
            conn.execute(insert(GM).values(group_id=group_id, person_id=person.id, status=MEMBER, joined_at=now))
            body = t("group_member_told", person.language, agent=agent.name, village=agent.village, name=name,
                     n=len(people_ids))
            mid = outbox.add(conn, person.phone, body, kind="group_joined")
            if mid:
                ids.append(mid)
        return Outcome(True, t("group_registered", lang, name=name, n=len(people_ids)), ids)


def decline(engine: Engine, phone: str) -> Outcome:
    """NO with no order code: the buyer leaves their newest group, unless they have pay-later credit
    open that they took as its member (joint liability stands until it is repaid). The agent is told
    how many members remain, not who left."""
    with engine.begin() as conn:
        person = people.find(conn, phone)
        lang = person.language if person else "en"
        row = None if person is None else conn.execute(
            select(GM.c.id, GM.c.group_id, G.c.name, G.c.agent_id).join(G, G.c.id == GM.c.group_id)
            .where(GM.c.person_id == person.id, GM.c.status == MEMBER).order_by(GM.c.id.desc())).first()
        if row is None:
            return Outcome(False, t("group_none", lang))
        owing = conn.execute(select(CP.c.id).where(CP.c.buyer_id == person.id, CP.c.group_id == row.group_id,
                                                   CP.c.status == OPEN)).first()
        if owing:
            return Outcome(False, t("group_decline_owing", lang, name=row.name))
        conn.execute(update(GM).where(GM.c.id == row.id).values(status=DECLINED, left_at=utcnow()))
        agent = _agent(conn, row.agent_id)
        left = len(members(conn, row.group_id))
        mid = outbox.add(conn, agent.phone, t("group_declined_agent", agent.language, name=row.name, n=left),
                         kind="group_declined")
        return Outcome(True, t("group_declined", lang, name=row.name), [mid] if mid else [])


__all__ = ["register", "decline", "Outcome"]
