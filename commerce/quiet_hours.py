"""Quiet hours (SPEC §14): a broadcast reaches a number only inside the sending window in the
number's own time zone (BROADCAST_HOURS, default 08:00-19:00), and not on a Sunday unless
BROADCAST_SUNDAYS. Pure functions of a clock passed in, so tests move time at will.

A number's time zones come from phonenumbers (its `timezone` module, from the number's prefix). A
country spanning several zones gives several; the window must then be open in every one of them,
the strictest reading (PROVIDERS.md §12: "hold to the strictest"). Where no common window exists
(Russia's mobile prefixes span eleven zones), the first zone listed decides. A number with no known
zone uses the zone of DEFAULT_REGION's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as pn_timezone

SUNDAY = 6
MAX_ZONES_TEXT = 200  # followers.tz
_SEARCH_DAYS = 9  # a window opens within a week and a day whatever the rules (a Sunday, a DST day)


@dataclass(frozen=True, slots=True)
class Window:
    start: int = 8 * 60  # minutes after local midnight, inclusive
    end: int = 19 * 60  # exclusive
    sundays: bool = False

    @classmethod
    def of(cls, settings) -> Window:
        start, end = settings.broadcast_hours
        return cls(start, end, settings.broadcast_sundays)


@lru_cache(maxsize=4096)
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zones_of(e164: str, default_region: str = "KE") -> str:
    """The number's time zones, space-separated (as stored on a follower)."""
    names: tuple[str, ...] = ()
    try:
        names = pn_timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        pass
    names = tuple(n for n in names if zone(n) is not None)
    if not names:
        names = _region_zones(default_region)
    out: list[str] = []
    for name in names:  # whole names only, within the column
        if len(" ".join([*out, name])) > MAX_ZONES_TEXT:
            break
        out.append(name)
    return " ".join(out)


@lru_cache(maxsize=256)
def _region_zones(region: str) -> tuple[str, ...]:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    names = pn_timezone.time_zones_for_number(example) if example is not None else ()
    names = tuple(n for n in names if zone(n) is not None)
    return names or ("UTC",)


def aware(now: datetime) -> datetime:
    """Naive datetimes are UTC (as the database stores them)."""
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _open_in(zone: ZoneInfo, now: datetime, w: Window) -> bool:
    local = now.astimezone(zone)
    if local.weekday() == SUNDAY and not w.sundays:
        return False
    minute = local.hour * 60 + local.minute
    return w.start <= minute < w.end


def is_open(zones: str, now: datetime, w: Window) -> bool:
    """True when a broadcast may reach a number with these zones at `now`."""
    now = aware(now)
    found = [z for z in (zone(n) for n in zones.split()) if z is not None] or [ZoneInfo("UTC")]
    return all(_open_in(z, now, w) for z in found)


def _starts(zone: ZoneInfo, now: datetime, w: Window) -> list[datetime]:
    """The instants (UTC) at which the window opens in `zone` over the next days."""
    today = now.astimezone(zone).date()
    out = []
    for d in range(_SEARCH_DAYS):
        day = today + timedelta(days=d)
        local = datetime(day.year, day.month, day.day, w.start // 60, w.start % 60, tzinfo=zone)
        out.append(local.astimezone(UTC))
    return out


def next_open(zones: str, now: datetime, w: Window) -> datetime:
    """The earliest instant at or after `now` when the window is open for these zones (aware UTC).
    An intersection of windows opens where one of them opens (or now), so those are the candidates."""
    now = aware(now)
    found = [z for z in (zone(n) for n in zones.split()) if z is not None] or [ZoneInfo("UTC")]
    if all(_open_in(z, now, w) for z in found):
        return now
    candidates = sorted({s for z in found for s in _starts(z, now, w) if s > now})
    for at in candidates:
        if all(_open_in(z, at, w) for z in found):
            return at
    first = found[0]  # no common window: the first zone decides
    return next(at for at in _starts(first, now, w) if at > now and _open_in(first, at, w))


def naive_utc(at: datetime) -> datetime:
    """As the database stores times."""
    return aware(at).replace(tzinfo=None)
