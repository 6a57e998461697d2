"""A seller's news to their followers (SPEC §14): preview, confirmation, fan-out, sending, report.

    NEWS <text>   -> a draft: the body (text + stop footer, at most 2 segments), followers, segments,
                     the cost in the seller's currency, and a code.      `To 412,308 followers, ...`
    YES <code>    -> `sending`, if the day's limit allows (BROADCASTS_PER_DAY, the seller's own day).
    the worker    -> fans the followers out into broadcast_recipients in chunks (INSERT ... SELECT
                     between two follower ids, with the broadcast's cursor moved in the same
                     transaction: nothing is loaded into memory, and a killed worker resumes at the
                     cursor), then claims due recipients a provider call at a time and records
                     what the provider said (workers/broadcasts.py).
    REPORT <code> -> sent, delivered, failed, opted out, waiting.

Every state is in the database: Redis holds only the worker's lease and pace, which may be lost.
At most once: a recipient row is unique per (broadcast, person), is claimed (`sending`, committed)
before the provider call and never claimed again; a worker killed during a call leaves that
call's rows `sending`, which the sweep marks `unconfirmed` (not resent).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from babel.numbers import format_decimal
from sqlalchemy import DateTime, and_, bindparam, case, exists, func, insert, literal, select, tuple_, update
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from commerce import codes, followers, gsm, money, quiet_hours, rates
from commerce.models import (
    Broadcast,
    BroadcastRecipient,
    BulkOptout,
    Follower,
    Person,
    Seller,
    utcnow,
)
from commerce.texts import t

log = logging.getLogger("soko.broadcasts")
B, R, F, PE, S, BO = (Broadcast.__table__, BroadcastRecipient.__table__, Follower.__table__, Person.__table__,
                      Seller.__table__, BulkOptout.__table__)

SEGMENTS = 2  # SPEC §14: a broadcast is at most 2 segments, its stop footer included
MAX_TEXT = 480  # what NEWS keeps of a text before measuring it
DRAFT_TTL = timedelta(hours=1)  # a preview's YES must come within this
FANOUT_CHUNK = 5000  # followers a fan-out transaction inserts: short write locks on SQLite
LEASE = timedelta(seconds=60)  # a claimed row older than this belongs to a worker that died mid-call
MAX_ATTEMPTS = 4
RETRY_AFTER = (60, 300, 1800)  # seconds before a passing failure (provider 5xx, 429, balance) is tried again
WAITING = ("pending", "sending")


# -- preview and confirmation (NEWS, YES) ------------------------------------------------------------

@dataclass(frozen=True)
class Owner:
    """The seller sending news, as the SMS handler knows them."""

    id: int
    shop_name: str
    currency: str
    phone: str


def _n(n: int, lang: str) -> str:
    return format_decimal(n, locale=lang if lang in ("en", "sw", "zh") else "en").replace("\u00a0", " ")


def footer(shop_name: str, seller_id: int, lang: str) -> str:
    return t("news_footer", lang, shop=shop_name, code=codes.shop_code(seller_id))


def compose(text: str, shop_name: str, seller_id: int, lang: str) -> str:
    """What followers receive: the seller's words and how to stop them."""
    return gsm.fold(text.strip()) + footer(shop_name, seller_id, lang)


def estimate(conn: Connection, recipients: int, segments: int, price: tuple[str, Decimal],
             currency: str) -> money.Money:
    """The cost: recipients x segments x SMS_PRICE, in the seller's currency at the operator's rate
    (in SMS_PRICE's own currency when there is none)."""
    cost = money.from_decimal(Decimal(recipients) * segments * price[1], price[0])
    rate = rates.get(conn, price[0], currency)
    return money.convert(cost, currency, rate) if rate is not None else cost


def _local_day_start(phone: str, now: datetime, default_region: str) -> datetime:
    """00:00 of the seller's own day, as naive UTC."""
    zone = quiet_hours.zone(quiet_hours.zones_of(phone, default_region).split()[0])
    local = quiet_hours.aware(now).astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return quiet_hours.naive_utc(midnight)


def sent_today(conn: Connection, seller: Owner, now: datetime, default_region: str) -> int:
    since = _local_day_start(seller.phone, now, default_region)
    return conn.execute(select(func.count()).select_from(B).where(
        B.c.seller_id == seller.id, B.c.confirmed_at >= since, B.c.status.in_(("sending", "done")))).scalar()


def _new_code(conn: Connection, seller_id: int) -> str:
    taken = set(conn.execute(select(B.c.code).where(B.c.seller_id == seller_id)).scalars())
    for attempt in range(40):
        code = codes.new_broadcast_code(width=3 if attempt < 20 else 4)
        if code not in taken:
            return code
    raise RuntimeError("no free broadcast code")  # 40 misses in a row: not a real seller's history


def preview(conn: Connection, seller: Owner, text: str, lang: str, settings, now: datetime | None = None) -> str:
    """NEWS <text>: the draft and its preview, or why not."""
    now = now or utcnow()
    shop = codes.shop_code(seller.id)
    limit = settings.broadcasts_per_day
    if sent_today(conn, seller, now, settings.default_region) >= limit:
        return t("news_limit", lang, n=limit)
    body = compose(text[:MAX_TEXT], seller.shop_name, seller.id, lang)
    segments = gsm.segments(body)
    if segments > SEGMENTS:
        over = gsm.units(body) - gsm.capacity(body, SEGMENTS)
        return t("news_too_long", lang, over=over)
    n = followers.count(conn, seller.id)
    if n == 0:
        return t("news_no_followers", lang, shop=shop)
    cost = estimate(conn, n, segments, settings.sms_price, seller.currency)
    code = _new_code(conn, seller.id)
    conn.execute(insert(B).values(seller_id=seller.id, code=code, text=text[:MAX_TEXT], body=body, segments=segments,
                                  followers=n, zones="|".join(followers.zones(conn, seller.id)), status="draft",
                                  cursor=0, recipients=0, created_at=now))
    return t("news_preview", lang, followers=_n(n, lang), segments=segments, cost=money.format_money(cost, lang),
             code=code)


def _when(settings, lang: str) -> str:
    start, end = settings.broadcast_hours
    hours = {"start": f"{start // 60:02d}:{start % 60:02d}", "end": f"{end // 60:02d}:{end % 60:02d}"}
    return t("news_when_sundays" if settings.broadcast_sundays else "news_when", lang, **hours)


def confirm(conn: Connection, seller: Owner, code: str, lang: str, settings, now: datetime | None = None) -> str:
    """YES <code>: the draft starts sending (the worker fans it out within seconds)."""
    now = now or utcnow()
    # The seller's row locked (PostgreSQL), so two YES at once cannot both pass the day's limit.
    conn.execute(select(S.c.id).where(S.c.id == seller.id).with_for_update())
    row = conn.execute(select(B.c.id, B.c.status, B.c.created_at, B.c.followers)
                       .where(B.c.seller_id == seller.id, B.c.code == code)).first()
    if row is None:
        return t("news_unknown", lang, code=code)
    if row.status in ("sending", "done"):
        return t("news_already", lang, code=code)
    if row.status != "draft" or row.created_at < now - DRAFT_TTL:
        return t("news_expired", lang, code=code)
    limit = settings.broadcasts_per_day
    if sent_today(conn, seller, now, settings.default_region) >= limit:
        return t("news_limit", lang, n=limit)
    done = conn.execute(update(B).where(B.c.id == row.id, B.c.status == "draft")
                        .values(status="sending", confirmed_at=now)).rowcount
    if not done:
        return t("news_already", lang, code=code)
    return t("news_confirmed", lang, code=code, followers=_n(row.followers, lang), when=_when(settings, lang))


# -- the report (REPORT) ---------------------------------------------------------------------------------

def counts(conn: Connection, broadcast_id: int) -> dict[str, int]:
    """Recipients by what became of them; `sent` counts every one the provider took."""
    out = dict.fromkeys(("recipients", "sent", "delivered", "failed", "opted_out", "waiting", "unconfirmed"), 0)
    for status, n, taken in conn.execute(select(R.c.status, func.count(), func.count(R.c.provider_id))
                                         .where(R.c.broadcast_id == broadcast_id).group_by(R.c.status)):
        out["recipients"] += n
        out["sent"] += taken  # sent, then delivered or failed: the provider took it
        if status in WAITING:
            out["waiting"] += n
        elif status == "recorded":  # SMS_BACKEND=outbox: as good as sent
            out["sent"] += n
        elif status in out and status != "sent":
            out[status] += n
    return out


def report(conn: Connection, seller: Owner, code: str, lang: str) -> str:
    row = conn.execute(select(B.c.id, B.c.status, B.c.created_at, B.c.followers, B.c.recipients, B.c.fanned_out_at)
                       .where(B.c.seller_id == seller.id, B.c.code == code)).first()
    if row is None:
        return t("news_unknown", lang, code=code)
    if row.status in ("draft", "expired"):
        return t("news_not_sent", lang, code=code)
    c = counts(conn, row.id)
    # Still fanning out: the followers not yet in the outbox are waiting too.
    waiting = c["waiting"] + (max(row.followers - row.recipients, 0) if row.fanned_out_at is None else 0)
    return t("news_report", lang, code=code, day=row.created_at.strftime("%d %b"),
             recipients=_n(max(c["recipients"], row.followers if row.fanned_out_at is None else 0), lang),
             sent=_n(c["sent"], lang), delivered=_n(c["delivered"], lang), failed=_n(c["failed"], lang),
             opted_out=_n(c["opted_out"], lang), waiting=_n(waiting, lang))


# -- fan-out ---------------------------------------------------------------------------------------------

def fan_out_step(engine: Engine, window: quiet_hours.Window, now: datetime | None = None,
                 chunk: int = FANOUT_CHUNK) -> int | None:
    """One chunk of the oldest broadcast still fanning out: its next `chunk` followers (by id) who
    still follow, have not stopped everything and are not refused by the provider, inserted as
    recipients due when their window opens. The rows owed and the cursor move in one transaction.
    Returns the rows inserted, or None when no broadcast is fanning out."""
    now = now or utcnow()
    with engine.begin() as conn:
        b = conn.execute(select(B.c.id, B.c.seller_id, B.c.cursor, B.c.zones)
                         .where(B.c.status == "sending", B.c.fanned_out_at.is_(None)).order_by(B.c.id).limit(1)).first()
        if b is None:
            return None
        ids = select(F.c.id).where(F.c.seller_id == b.seller_id, F.c.id > b.cursor).order_by(F.c.id).limit(chunk)
        hi = conn.execute(select(func.max(ids.subquery().c.id))).scalar()
        if hi is None:
            conn.execute(update(B).where(B.c.id == b.id, B.c.cursor == b.cursor).values(fanned_out_at=now))
            return 0
        window_of = {z: quiet_hours.naive_utc(quiet_hours.next_open(z, now, window))
                     for z in (b.zones.split("|") if b.zones else [])}
        due = (case({z: literal(at, DateTime) for z, at in window_of.items()}, value=F.c.tz,
                    else_=literal(now, DateTime)) if window_of else literal(now, DateTime))
        rows = (select(literal(b.id), F.c.person_id, literal("pending"), due, literal(0))
                .select_from(F.join(PE, PE.c.id == F.c.person_id))
                .where(F.c.seller_id == b.seller_id, F.c.id > b.cursor, F.c.id <= hi, F.c.unfollowed_at.is_(None),
                       PE.c.opted_out.is_(False), ~exists().where(BO.c.phone == PE.c.phone)))
        # Counted from RETURNING: psycopg reports no rowcount (-1) for INSERT ... SELECT here.
        n = len(conn.execute(insert(R).from_select(["broadcast_id", "person_id", "status", "due_at", "attempts"],
                                                   rows).returning(R.c.id)).all())
        moved = conn.execute(update(B).where(B.c.id == b.id, B.c.cursor == b.cursor)
                             .values(cursor=hi, recipients=B.c.recipients + n)).rowcount
        if moved != 1:
            raise IntegrityError("fan-out cursor moved by someone else", None, Exception("cursor"))
    if b.cursor == 0 and engine.dialect.name == "postgresql":
        _analyze(engine)
    return n


def _analyze(engine: Engine) -> None:
    """Fresh statistics once a broadcast's first rows are in. Without them PostgreSQL takes the
    outbox for nearly empty (or nearly all sent) and plans the claim as a sort of every pending row
    per provider call (measured: 100 ms a call at 400,000 followers instead of 25, and falling
    behind). A hint only: autovacuum would get there, later."""
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE broadcast_recipients")
    except SQLAlchemyError as exc:
        log.warning("ANALYZE broadcast_recipients failed (%s); the claims may be slower", type(exc).__name__)


# -- claiming and recording --------------------------------------------------------------------------------

@dataclass
class Claimed:
    broadcast_id: int
    body: str
    rows: list  # (recipient id, phone, attempts)


_CANDIDATES = (
    select(R.c.id, R.c.broadcast_id, R.c.attempts, R.c.due_at, PE.c.phone, PE.c.opted_out, F.c.tz, F.c.unfollowed_at,
           BO.c.phone.label("refused"))
    .select_from(R.join(B, B.c.id == R.c.broadcast_id).join(PE, PE.c.id == R.c.person_id)
                 .outerjoin(F, and_(F.c.seller_id == B.c.seller_id, F.c.person_id == R.c.person_id))
                 .outerjoin(BO, BO.c.phone == PE.c.phone))
)


Cursor = tuple[datetime, int]  # the (due_at, id) of the last row a claim looked at


def claim(engine: Engine, window: quiet_hours.Window, limit: int, now: datetime | None = None,
          after: Cursor | None = None) -> tuple[list[Claimed], int, Cursor | None]:
    """Take up to `limit` due recipients for sending (committed before any provider call). Those
    who stopped since the fan-out are marked opted_out; those whose window has closed meanwhile are
    put back to their next window. Returns (claimed, rows looked at, the cursor for the next claim).

    `after` (the previous claim's cursor) starts the index scan past the rows already taken: on
    PostgreSQL the (status, due_at, id) index keeps an entry for every row just moved from pending
    to sending until vacuum, so a scan from the start steps over all of them, ever more as a
    broadcast goes on. The cursor is only a hint: when nothing is found past it, the scan starts
    again from the beginning, so a row it skipped (put back for a retry or behind a racing
    fan-out) is never missed."""
    now = now or utcnow()
    rows = _due(engine, limit, now, after)
    if not rows and after is not None:
        rows = _due(engine, limit, now, None)
    if not rows:
        return [], 0, None
    cursor = (rows[-1].due_at, rows[-1].id)
    with engine.begin() as conn:
        stopped, later, go = [], defaultdict(list), []
        opens: dict[str, bool] = {}
        for r in rows:
            if r.opted_out or r.unfollowed_at is not None or r.tz is None or r.refused is not None:
                stopped.append(r.id)
                continue
            if r.tz not in opens:
                opens[r.tz] = quiet_hours.is_open(r.tz, now, window)
            if opens[r.tz]:
                go.append(r)
            else:
                later[quiet_hours.naive_utc(quiet_hours.next_open(r.tz, now, window))].append(r.id)
        if stopped:
            conn.execute(update(R).where(R.c.id.in_(stopped), R.c.status == "pending")
                         .values(status="opted_out", error="stopped since the fan-out"))
        for at, ids in later.items():
            conn.execute(update(R).where(R.c.id.in_(ids), R.c.status == "pending").values(due_at=at))
        claimed_ids = set()
        if go:
            claimed_ids = set(conn.execute(
                update(R).where(R.c.id.in_([r.id for r in go]), R.c.status == "pending")
                .values(status="sending", due_at=now, attempts=R.c.attempts + 1).returning(R.c.id)).scalars())
        bodies = dict(conn.execute(select(B.c.id, B.c.body).where(B.c.id.in_({r.broadcast_id for r in go}))).all()) \
            if go else {}
    out: dict[int, Claimed] = {}
    for r in go:
        if r.id in claimed_ids:
            out.setdefault(r.broadcast_id, Claimed(r.broadcast_id, bodies[r.broadcast_id], [])).rows.append(
                (r.id, r.phone, r.attempts + 1))
    return list(out.values()), len(rows), cursor


def _due(engine: Engine, limit: int, now: datetime, after: Cursor | None) -> list:
    """The next `limit` due pending rows with what the claim needs to know of them."""
    where = [R.c.status == "pending", R.c.due_at <= now]
    if after is not None:
        where.append(tuple_(R.c.due_at, R.c.id) > tuple_(literal(after[0], DateTime), literal(after[1])))
    # The due rows first, alone, from the (status, due_at, id) index, then their joins: joined
    # first, a planner with stale statistics (a fresh broadcast's rows) joins and sorts them all.
    due = select(R.c.id).where(*where).order_by(R.c.due_at, R.c.id).limit(limit).subquery()
    with engine.connect() as conn:
        return conn.execute(_CANDIDATES.join(due, due.c.id == R.c.id).where(B.c.status == "sending")
                            .order_by(R.c.due_at, R.c.id)).all()


# Outcome kinds: sent (with the provider's id), opted_out (the provider refuses the number for bulk
# SMS), retry (a passing failure), unconfirmed (the provider may have it), failed.
@dataclass(frozen=True)
class Outcome:
    recipient_id: int
    phone: str
    kind: str
    attempts: int = 1
    provider_id: str | None = None
    error: str | None = None


# What a provider call did, one statement for all its rows (only rows still `sending` change; due_at
# only for a retry). PostgreSQL: one UPDATE joined to the rows' values as arrays; executemany would
# be a statement per row. SQLite: executemany, which is a loop in the same process.
_RECORD_PG = sql_text(
    "UPDATE broadcast_recipients AS r SET status = v.status, provider_id = v.provider_id, error = v.error,"
    " due_at = COALESCE(v.due_at, r.due_at)"
    " FROM unnest(CAST(:ids AS integer[]), CAST(:statuses AS varchar[]), CAST(:provider_ids AS varchar[]),"
    " CAST(:errors AS varchar[]), CAST(:dues AS timestamp[])) AS v(id, status, provider_id, error, due_at)"
    " WHERE r.id = v.id AND r.status = 'sending'")
_RECORD_EACH = (update(R).where(R.c.id == bindparam("rid"), R.c.status == "sending")
                .values(status=bindparam("st"), provider_id=bindparam("pid"), error=bindparam("err"),
                        due_at=func.coalesce(bindparam("due", type_=DateTime), R.c.due_at)))


def record(engine: Engine, outcomes: list[Outcome], provider: str, now: datetime | None = None) -> None:
    """What a provider call did to each claimed row: sent (with the provider's id), failed,
    unconfirmed, opted_out (and the number refused from now on), recorded, or pending again later
    (a retry, until MAX_ATTEMPTS)."""
    if not outcomes:
        return
    now = now or utcnow()
    rows = []  # (id, status, provider id, error, due_at)
    for o in outcomes:
        if o.kind == "sent":
            rows.append((o.recipient_id, "sent", o.provider_id, None, None))
        elif o.kind == "retry" and o.attempts < MAX_ATTEMPTS:
            wait = RETRY_AFTER[min(o.attempts - 1, len(RETRY_AFTER) - 1)]
            rows.append((o.recipient_id, "pending", None, (o.error or "")[:120], now + timedelta(seconds=wait)))
        else:
            kind = "failed" if o.kind == "retry" else o.kind
            rows.append((o.recipient_id, kind, None, (o.error or kind)[:120], None))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            ids, statuses, provider_ids, errors, dues = (list(column) for column in zip(*rows, strict=True))
            conn.execute(_RECORD_PG, {"ids": ids, "statuses": statuses, "provider_ids": provider_ids,
                                      "errors": errors, "dues": dues})
        else:
            conn.execute(_RECORD_EACH, [{"rid": i, "st": st, "pid": pid, "err": err, "due": due}
                                        for i, st, pid, err, due in rows])
        refuse_numbers(conn, {o.phone for o in outcomes if o.kind == "opted_out"}, provider, now)


def refuse_numbers(conn: Connection, phones, source: str, now: datetime | None = None) -> set[str]:
    """The provider refuses these numbers bulk SMS (a UserInBlacklist, a 21610, an opt-out notice):
    no more broadcasts to them. Returns the numbers not refused before; safe against a racing insert."""
    if not phones:
        return set()
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    rows = [{"phone": p, "source": source[:40], "at": now or utcnow()} for p in sorted(set(phones))]
    return set(conn.execute(dialect_insert(BO).values(rows).on_conflict_do_nothing(index_elements=[BO.c.phone])
                            .returning(BO.c.phone)).scalars())


def refuse_number(engine: Engine, phone: str, source: str) -> bool:
    """An opt-out notice for one number; False when it was refused already (a redelivery)."""
    with engine.begin() as conn:
        return bool(refuse_numbers(conn, [phone], source))


def delivery(conn: Connection, provider_id: str, status: str, detail: str) -> bool:
    """A delivery report for a broadcast recipient; False when no recipient has this id."""
    row = conn.execute(select(R.c.id, R.c.status).where(R.c.provider_id == provider_id)).first()
    if row is None:
        return False
    if status in ("delivered", "failed") and row.status == "sent":
        values = {"status": status}
        if status == "failed":
            values["error"] = detail[:120]
        conn.execute(update(R).where(R.c.id == row.id, R.c.status == "sent").values(**values))
    return True


# -- the sweep ---------------------------------------------------------------------------------------------

def sweep(engine: Engine, now: datetime | None = None) -> dict:
    """Rows left `sending` past LEASE become `unconfirmed` (never resent); sending broadcasts with
    nothing left become `done`; drafts past DRAFT_TTL `expired`. Returns what there is to do."""
    now = now or utcnow()
    with engine.begin() as conn:
        stale = conn.execute(update(R).where(R.c.status == "sending", R.c.due_at < now - LEASE)
                             .values(status="unconfirmed",
                                     error="worker stopped during the provider call; not resent")).rowcount
        conn.execute(update(B).where(B.c.status == "draft", B.c.created_at < now - DRAFT_TTL).values(status="expired"))
        finished = conn.execute(select(B.c.id).where(
            B.c.status == "sending", B.c.fanned_out_at.is_not(None),
            ~exists().where(R.c.broadcast_id == B.c.id, R.c.status.in_(WAITING)))).scalars().all()
        if finished:
            conn.execute(update(B).where(B.c.id.in_(finished), B.c.status == "sending").values(status="done", done_at=now))
    return {"unconfirmed": stale, "done": len(finished), **work(engine, now)}


def work(engine: Engine, now: datetime | None = None) -> dict:
    """Is there a fan-out to do, or a recipient due now? (Two index probes.)"""
    now = now or utcnow()
    with engine.connect() as conn:
        fanning = conn.execute(select(B.c.id).where(B.c.status == "sending", B.c.fanned_out_at.is_(None))
                               .limit(1)).first() is not None
        due = conn.execute(select(R.c.id).join(B, B.c.id == R.c.broadcast_id)
                           .where(R.c.status == "pending", R.c.due_at <= now, B.c.status == "sending")
                           .limit(1)).first() is not None
    return {"fanning": fanning, "due": due}


# -- the operator's view -------------------------------------------------------------------------------

def recent(engine: Engine, limit: int = 50) -> list[dict]:
    """The latest broadcasts with their counts (/admin/broadcasts, GET /admin/api/broadcasts)."""
    with engine.connect() as conn:
        rows = conn.execute(select(B.c.id, B.c.code, B.c.seller_id, S.c.shop_name, B.c.text, B.c.segments,
                                   B.c.followers, B.c.recipients, B.c.status, B.c.created_at, B.c.confirmed_at,
                                   B.c.fanned_out_at, B.c.done_at)
                            .join(S, S.c.id == B.c.seller_id).order_by(B.c.id.desc()).limit(limit)).all()
        out = []
        for r in rows:
            c = counts(conn, r.id) if r.status in ("sending", "done") else {}
            out.append({"id": r.id, "code": r.code, "seller_id": r.seller_id, "shop": r.shop_name,
                        "shop_code": codes.shop_code(r.seller_id), "text": r.text, "segments": r.segments,
                        "followers": r.followers, "recipients": r.recipients, "status": r.status,
                        "created_at": _iso(r.created_at), "confirmed_at": _iso(r.confirmed_at),
                        "fanned_out_at": _iso(r.fanned_out_at), "done_at": _iso(r.done_at), "counts": c})
    return out


def _iso(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") + "Z" if at else None
