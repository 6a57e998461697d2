"""Query parameters of the admin API and pages, read strictly: a bad one is a 400 that names it."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from commerce import phones
from commerce.models import PAYMENT_METHODS
from commerce.reports import STATUSES, OrderFilter, Page

MAX_PER_PAGE = 100
MAX_DAYS = 366
FIRST_YEAR, LAST_YEAR = 2000, 2999  # dates an order can have, with room; outside them a 400


class ParamError(ValueError):
    """The message is what the client sees, e.g. "status must be one of placed, paid, …; got 'x'"."""


def _known(args, allowed: set[str]) -> None:
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise ParamError(f"unknown parameter {unknown[0]!r}; use {', '.join(sorted(allowed))}")


def _int(args, name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = args.get(name, "").strip()
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not lo <= int(raw) <= hi:
        raise ParamError(f"{name} must be a whole number from {lo} to {hi}; got {raw[:40]!r}")
    return int(raw)


def _date(args, name: str) -> date | None:
    raw = args.get(name, "").strip()
    if raw == "":
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else _bad_date(name, raw)
    except ValueError:
        return _bad_date(name, raw)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # 9999-12-31 + 1 day would overflow `until`
        raise ParamError(f"{name} must be a date from {FIRST_YEAR} to {LAST_YEAR}; got {raw[:40]!r}")
    return day


def _bad_date(name: str, raw: str):
    raise ParamError(f"{name} must be a date like 2026-03-31; got {raw[:40]!r}")


def _choice(args, name: str, allowed) -> str | None:
    raw = args.get(name, "").strip().lower()
    if raw == "":
        return None
    if raw not in allowed:
        raise ParamError(f"{name} must be one of {', '.join(allowed)}; got {raw[:40]!r}")
    return raw


def _phone(args, name: str, region: str) -> str | None:
    raw = args.get(name, "").strip()
    if raw == "":
        return None
    try:
        return phones.normalize(raw, region)
    except ValueError:
        raise ParamError(f"{name} must be a phone number like +254712345678; got {raw[:40]!r}") from None


def page(args) -> Page:
    return Page(_int(args, "page", 1, 1, 1_000_000), _int(args, "per_page", 20, 1, MAX_PER_PAGE))


def _text(args, name: str, longest: int = 60) -> str | None:
    raw = " ".join(args.get(name, "").split())
    if len(raw) > longest:
        raise ParamError(f"{name} must be at most {longest} characters")
    return raw or None


def order_filter(args, region: str) -> OrderFilter:
    _known(args, {"status", "seller", "agent", "method", "date", "from", "to", "q", "flagged", "page",
                  "per_page"})
    day, start, end = _date(args, "date"), _date(args, "from"), _date(args, "to")
    if day and (start or end):
        raise ParamError("give either date, or from and to, not both")
    if day:
        start = end = day
    if start and end and end < start:
        raise ParamError("to must not be before from")
    q = _text(args, "q", 32)
    if q and not (q.isascii() and q.isdigit() and len(q) <= 8):
        q = _phone({"q": q}, "q", region)  # not an order code: a buyer's number, in any form
    return OrderFilter(
        status=_choice(args, "status", STATUSES),
        seller=_int(args, "seller", None, 1, 2**31 - 1),
        agent=_int(args, "agent", None, 1, 2**31 - 1),
        method=_choice(args, "method", PAYMENT_METHODS),
        since=datetime.combine(start, datetime.min.time()) if start else None,
        until=datetime.combine(end + timedelta(days=1), datetime.min.time()) if end else None,
        q=q,
        flagged=_choice(args, "flagged", ("1", "0", "true", "false")) in ("1", "true"),
    )


def message_filter(args, region: str) -> tuple[str | None, str | None]:
    _known(args, {"to", "status", "page", "per_page"})
    status = args.get("status", "").strip().lower() or None
    if status is not None and not re.fullmatch(r"[a-z_]{1,16}", status):
        raise ParamError(f"status must be a word like pending, sent or failed; got {status[:40]!r}")
    return _phone(args, "to", region), status


def people_filter(args) -> str | None:
    _known(args, {"q", "page", "per_page"})
    return _text(args, "q")


def paging_only(args) -> None:
    _known(args, {"page", "per_page"})


def stats_days(args) -> int:
    _known(args, {"days"})
    return _int(args, "days", 30, 1, MAX_DAYS)


def refund_filter(args) -> str | None:
    """`status` (owed or paid_out) and paging (issue 15)."""
    from commerce.refunds import STATUSES

    _known(args, {"status", "page", "per_page"})
    return _choice(args, "status", STATUSES)
