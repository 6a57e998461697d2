"""Who follows which shop (SPEC §14): opt-in only. A person follows a shop by asking (FOLLOW <shop>
by SMS, or Follow on a product screen) and by nothing else: ordering from a shop only brings the
invitation on the receipt. UNFOLLOW <shop> or STOP <shop> ends one follow; a global STOP ends all of
them (START afterwards restores notifications, not news: following again takes a FOLLOW).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from commerce import codes, people, quiet_hours
from commerce.models import Follower, Order, Person, Seller, utcnow

F, S, PE, ORD = Follower.__table__, Seller.__table__, Person.__table__, Order.__table__


@dataclass(frozen=True, slots=True)
class Shop:
    id: int
    name: str
    code: str
    suspended: bool


def shop_by_code(conn: Connection, code: str) -> Shop | None:
    """The shop a typed shop code names (its check digit refuses a mistyped one)."""
    seller_id = codes.seller_id_from_code(code)
    if seller_id is None:
        return None
    row = conn.execute(select(S.c.id, S.c.shop_name, S.c.suspended).where(S.c.id == seller_id)).first()
    return Shop(row.id, row.shop_name, codes.shop_code(row.id), row.suspended) if row else None


def follow(conn: Connection, phone: str, seller_id: int, source: str = "sms", default_region: str = "KE",
           language: str | None = None) -> bool:
    """`phone` follows the shop (again); True when it was not following it before."""
    person = people.get_or_create(conn, phone, language)
    row = conn.execute(select(F.c.id, F.c.unfollowed_at).where(F.c.seller_id == seller_id,
                                                                F.c.person_id == person.id)).first()
    if row is not None:
        if row.unfollowed_at is None:
            return False
        conn.execute(update(F).where(F.c.id == row.id).values(unfollowed_at=None, followed_at=utcnow(),
                                                              source=source))
        return True
    try:
        with conn.begin_nested():
            conn.execute(insert(F).values(seller_id=seller_id, person_id=person.id, source=source,
                                          tz=quiet_hours.zones_of(phone, default_region), followed_at=utcnow()))
    except IntegrityError:
        return False  # the same follow, a moment ago (two hops or messages racing)
    return True


def unfollow(conn: Connection, phone: str, seller_id: int) -> bool:
    """True when `phone` was following the shop."""
    person = people.find(conn, phone)
    if person is None:
        return False
    return conn.execute(update(F).where(F.c.seller_id == seller_id, F.c.person_id == person.id,
                                        F.c.unfollowed_at.is_(None)).values(unfollowed_at=utcnow())).rowcount > 0


def end_all(conn: Connection, person_id: int) -> int:
    """A global STOP: every follow of this person ends."""
    return conn.execute(update(F).where(F.c.person_id == person_id, F.c.unfollowed_at.is_(None))
                        .values(unfollowed_at=utcnow())).rowcount


def is_following(conn: Connection, phone: str, seller_id: int) -> bool:
    return conn.execute(select(F.c.id).join(PE, PE.c.id == F.c.person_id)
                        .where(PE.c.phone == phone, F.c.seller_id == seller_id,
                               F.c.unfollowed_at.is_(None))).first() is not None


def invitation(conn: Connection, order_id: int, lang: str) -> str:
    """What a buyer's receipt ends with: `Reply FOLLOW <shop> for news.`, unless the buyer already
    follows the shop (or has stopped all messages: they get no receipt either)."""
    from commerce.texts import t

    row = conn.execute(
        select(ORD.c.seller_id, F.c.id.label("following"))
        .select_from(ORD.outerjoin(F, and_(F.c.seller_id == ORD.c.seller_id, F.c.person_id == ORD.c.buyer_id,
                                           F.c.unfollowed_at.is_(None))))
        .where(ORD.c.id == order_id)).first()
    if row is None or row.following is not None:
        return ""
    return ("" if lang == "zh" else " ") + t("follow_invite", lang, shop=codes.shop_code(row.seller_id))


def count(conn: Connection, seller_id: int) -> int:
    return conn.execute(select(func.count()).select_from(F).where(F.c.seller_id == seller_id,
                                                                  F.c.unfollowed_at.is_(None))).scalar()


def zones(conn: Connection, seller_id: int) -> list[str]:
    """The distinct time-zone sets of a shop's followers (a few, whatever the count)."""
    return sorted(conn.execute(select(F.c.tz).where(F.c.seller_id == seller_id, F.c.unfollowed_at.is_(None))
                               .distinct()).scalars())


def growth(engine: Engine, seller_id: int, days: int, today: date | None = None) -> list[dict]:
    """Followers at the end of each of the last `days` days (UTC), oldest first: for the admin's
    chart. Two grouped reads, whatever the number of followers."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day)
    day_of = func.date(F.c.followed_at)
    gone_day = func.date(F.c.unfollowed_at)
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(F).where(
            F.c.seller_id == seller_id, F.c.followed_at < start,
            (F.c.unfollowed_at.is_(None)) | (F.c.unfollowed_at >= start))).scalar()
        joined = dict(conn.execute(select(day_of, func.count()).where(F.c.seller_id == seller_id,
                                                                       F.c.followed_at >= start).group_by(day_of)).all())
        left = dict(conn.execute(select(gone_day, func.count()).where(F.c.seller_id == seller_id,
                                                                       F.c.unfollowed_at >= start,
                                                                       F.c.followed_at < F.c.unfollowed_at)
                                 .group_by(gone_day)).all())
    points, n = [], before
    for i in range(days):
        day = first + timedelta(days=i)
        key = day.isoformat()
        n += int(joined.get(key, 0) or joined.get(day, 0)) - int(left.get(key, 0) or left.get(day, 0))
        points.append({"date": key, "amount_minor": n})
    return points


def sellers_with_followers(engine: Engine, limit: int = 50) -> list[dict]:
    """Shops with the most followers, for /admin."""
    n = func.count().label("n")
    with engine.connect() as conn:
        rows = conn.execute(select(S.c.id, S.c.shop_name, n).join(F, F.c.seller_id == S.c.id)
                            .where(F.c.unfollowed_at.is_(None)).group_by(S.c.id, S.c.shop_name)
                            .order_by(n.desc(), S.c.id).limit(limit)).all()
    return [{"id": r.id, "shop": r.shop_name, "code": codes.shop_code(r.id), "followers": r.n} for r in rows]
