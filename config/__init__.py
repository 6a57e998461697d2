"""Settings read from the environment (12-factor), with defaults that run on one machine.

`load_settings()` is the only place that reads `os.environ`. A missing or malformed setting raises
`SettingsError` whose message is one line naming the setting, so start-up stops with that line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT / "instance"

SMS_BACKENDS = ("africastalking", "twilio", "outbox")
LANGUAGES = ("en", "sw", "zh")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'soko.db'}"
    redis_url: str | None = None  # None: start the embedded Valkey (development and tests only)
    shop_name: str = "Soko"
    default_region: str = "KE"
    ussd_service_code: str | None = None
    ussd_max_chars: int = 160
    sms_backend: str = "outbox"
    at_username: str | None = None
    at_api_key: str | None = None
    at_sender_id: str | None = None
    at_payment_product: str | None = None
    at_api_url: str | None = None
    at_payments_url: str | None = None
    at_webhook_token: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_api_url: str | None = None
    public_url: str | None = None
    admin_token: str | None = None
    payment_window_minutes: int = 1440
    simulator_enabled: bool = True
    session_ttl_seconds: int = 300  # how long a dropped USSD session can be resumed
    # USSD aggregators other than Africa's Talking (issue 14): each off until switched on, each
    # with its own `?token=`; USSD_SERVICE_CODE (above) may list several codes for all of them.
    hubtel_enabled: bool = False
    arkesel_enabled: bool = False
    nalo_enabled: bool = False
    beem_enabled: bool = False
    hubtel_webhook_token: str | None = None
    arkesel_webhook_token: str | None = None
    nalo_webhook_token: str | None = None
    beem_webhook_token: str | None = None

    @cached_property  # read on every hop
    def ussd_service_codes(self) -> tuple[str, ...]:
        """The short codes answered (USSD_SERVICE_CODE, comma-separated); () = any."""
        return tuple(c.strip() for c in (self.ussd_service_code or "").split(",") if c.strip())

    def aggregator_enabled(self, name: str) -> bool:
        return name == "africastalking" or getattr(self, f"{name}_enabled", False)

    def aggregator_token(self, name: str) -> str | None:
        return self.at_webhook_token if name == "africastalking" else getattr(self, f"{name}_webhook_token")

    # -- issue 15: mobile-money rails (SPEC §12). A rail without credentials is off. ---------------
    mobile_money_routes: tuple[tuple[str, str], ...] = (("KE", "mpesa"), ("GH", "momo"), ("UG", "momo"),
                                                        ("*", "africastalking"))
    mpesa_consumer_key: str | None = None
    mpesa_consumer_secret: str | None = None
    mpesa_shortcode: str | None = None
    mpesa_passkey: str | None = None
    mpesa_till_number: str | None = None  # Buy Goods: the till paid instead of the shortcode
    mpesa_api_url: str | None = None
    mpesa_webhook_token: str | None = None
    momo_subscription_key: str | None = None
    momo_api_user: str | None = None
    momo_api_key: str | None = None
    momo_target_environments: tuple[tuple[str, str], ...] = ()  # (country or "*", X-Target-Environment)
    momo_api_url: str | None = None
    momo_webhook_token: str | None = None

    @property
    def mpesa_configured(self) -> bool:
        return bool(self.mpesa_consumer_key and self.mpesa_consumer_secret and self.mpesa_shortcode
                    and self.mpesa_passkey)

    @property
    def momo_configured(self) -> bool:
        return bool(self.momo_subscription_key and self.momo_api_user and self.momo_api_key)

    # Issue 16, village service points: the agent's commission, a percentage of each delivered
    # order's total (exact: "2.5" is 2.5%).
    agent_commission_percent: Decimal = Decimal(5)

    # Issue 18, credit (SPEC §15): a lay-by's weeks to pay up; the delivered, fully paid orders a
    # buyer needs before pay later (one in a group); the first pay-later limit, converted to the
    # buyer's currency at the operator's rates.
    layby_weeks: int = 8
    credit_min_orders: int = 2
    credit_first_limit: tuple[str, Decimal] = ("KES", Decimal(2000))

    # Issue 13/20 (workers that keep pace and survive): worker processes `flask --app gateway worker`
    # runs under one supervisor (workers/run.py; 1: the worker itself, no supervisor).
    worker_processes: int = 1

    # Issue 17, seller reach (SPEC §14): broadcasts a seller may confirm a day; the hours (in each
    # recipient's own time zone) and whether Sundays are open; the most SMS a second a broadcast
    # sends; the price of one segment, for the estimate (converted to the seller's currency).
    broadcasts_per_day: int = 1
    broadcast_hours: tuple[int, int] = (8 * 60, 19 * 60)  # minutes after local midnight: [start, end)
    broadcast_sundays: bool = False
    sms_rate_per_second: int = 50
    sms_price: tuple[str, Decimal] = ("KES", Decimal("0.80"))

    @property
    def production(self) -> bool:
        return self.env == "production"


def _int(env, name, default, lo, hi):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _bool(env, name, default):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _str(env, name, default=None):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip()


def _url(env, name, schemes, default=None):
    value = _str(env, name, default)
    if value is not None and not any(value.startswith(s) for s in schemes):
        raise SettingsError(f"{name} must start with one of {', '.join(schemes)}, got {value!r}")
    return value


# -- issue 15: mobile-money rails ------------------------------------------------------------------
RAILS = ("africastalking", "mpesa", "momo")
_ROUTE = re.compile(r"(?P<country>[A-Z]{2}|\*):(?P<rail>[a-z]+)")
_PAIR = re.compile(r"(?P<country>[A-Z]{2}|\*):(?P<env>[a-z0-9]+)")


def _pairs(env, name, pattern, example):
    raw = _str(env, name)
    if raw is None:
        return None
    pairs = []
    for part in raw.split(","):
        match = pattern.fullmatch(part.strip())
        if not match:
            raise SettingsError(f"{name} must look like {example}; {part.strip()!r} does not")
        pairs.append((match[1], match[2]))
    return tuple(pairs)


def _rail_settings(env) -> dict:
    """The rails' settings; a rail half-configured, or one that cannot be called back, stops start-up."""
    routes = _pairs(env, "MOBILE_MONEY_ROUTES", _ROUTE, "KE:mpesa,GH:momo,UG:momo,*:africastalking")
    for _, rail in routes or ():
        if rail not in RAILS:
            raise SettingsError(f"MOBILE_MONEY_ROUTES names {rail!r}; rails are {', '.join(RAILS)}")
    mpesa = {k: _str(env, k.upper()) for k in ("mpesa_consumer_key", "mpesa_consumer_secret", "mpesa_shortcode",
                                               "mpesa_passkey")}
    if any(mpesa.values()) and not all(mpesa.values()):
        missing = ", ".join(k.upper() for k, v in mpesa.items() if not v)
        raise SettingsError(f"M-Pesa is half configured: set {missing} too (or none of the MPESA_* settings)")
    till = _str(env, "MPESA_TILL_NUMBER")
    for name, value in (("MPESA_SHORTCODE", mpesa["mpesa_shortcode"]), ("MPESA_TILL_NUMBER", till)):
        if value is not None and not re.fullmatch(r"[0-9]{5,8}", value):
            raise SettingsError(f"{name} must be 5 to 8 digits, got {value!r}")
    if all(mpesa.values()) and not _str(env, "PUBLIC_URL"):
        raise SettingsError("PUBLIC_URL is required when M-Pesa is configured: Daraja posts each result to "
                            "<PUBLIC_URL>/payments/mpesa")
    momo = {k: _str(env, k.upper()) for k in ("momo_subscription_key", "momo_api_user", "momo_api_key")}
    if any(momo.values()) and not all(momo.values()):
        missing = ", ".join(k.upper() for k, v in momo.items() if not v)
        raise SettingsError(f"MoMo is half configured: set {missing} too (or none of the MOMO_* settings)")
    environments = _pairs(env, "MOMO_TARGET_ENVIRONMENT", _PAIR, "GH:mtnghana,UG:mtnuganda (or *:sandbox)")
    if environments is None and _str(env, "MOMO_TARGET_ENVIRONMENT") is None and all(momo.values()):
        raise SettingsError("MOMO_TARGET_ENVIRONMENT is required when MoMo is configured: *:sandbox, or per "
                            "country GH:mtnghana,UG:mtnuganda")
    return {
        **({"mobile_money_routes": routes} if routes else {}),
        **mpesa, "mpesa_till_number": till,
        "mpesa_api_url": _url(env, "MPESA_API_URL", ("http://", "https://")),
        "mpesa_webhook_token": _str(env, "MPESA_WEBHOOK_TOKEN"),
        **momo, "momo_target_environments": environments or (),
        "momo_api_url": _url(env, "MOMO_API_URL", ("http://", "https://")),
        "momo_webhook_token": _str(env, "MOMO_WEBHOOK_TOKEN"),
    }
def _percent(env, name, default: Decimal) -> Decimal:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise SettingsError(f"{name} must be a number of percent like 5 or 2.5, got {raw!r}") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100) or value.as_tuple().exponent < -2:
        raise SettingsError(f"{name} must be between 0 and 100 with at most 2 decimals, got {raw!r}")
    return value


# -- issue 18: credit --------------------------------------------------------------------------------
_LIMIT = re.compile(r"(?P<currency>[A-Z]{3}) +(?P<amount>[0-9]+(\.[0-9]{1,3})?)")


def _credit_settings(env) -> dict:
    raw = _str(env, "CREDIT_FIRST_LIMIT", "KES 2000")
    match = _LIMIT.fullmatch(raw.upper())
    if not match:
        raise SettingsError(f"CREDIT_FIRST_LIMIT must be a currency code and an amount like KES 2000, got {raw!r}")
    from babel.numbers import list_currencies

    if match["currency"] not in list_currencies():
        raise SettingsError(f"CREDIT_FIRST_LIMIT names {match['currency']!r}, which is not an ISO 4217 currency")
    return {"layby_weeks": _int(env, "LAYBY_WEEKS", 8, 1, 52),
            "credit_min_orders": _int(env, "CREDIT_MIN_ORDERS", 2, 0, 100),
            "credit_first_limit": (match["currency"], Decimal(match["amount"]))}


# -- issue 17: seller reach -----------------------------------------------------------------------------
_HOURS = re.compile(r"(?P<h1>[0-9]{1,2}):(?P<m1>[0-9]{2}) *- *(?P<h2>[0-9]{1,2}):(?P<m2>[0-9]{2})")
_PRICE = re.compile(r"(?P<currency>[A-Z]{3}) +(?P<amount>[0-9]+(\.[0-9]{1,4})?)")


def _reach_settings(env) -> dict:
    raw = _str(env, "BROADCAST_HOURS", "08:00-19:00")
    match = _HOURS.fullmatch(raw)
    start = end = -1
    if match:
        start = int(match["h1"]) * 60 + int(match["m1"])
        end = int(match["h2"]) * 60 + int(match["m2"])
    if not match or int(match["m1"]) > 59 or int(match["m2"]) > 59 or not 0 <= start < end <= 24 * 60:
        raise SettingsError(f"BROADCAST_HOURS must be a daytime window like 08:00-19:00 (start before end), got {raw!r}")
    price = _str(env, "SMS_PRICE", "KES 0.80")
    found = _PRICE.fullmatch(price.upper())
    if not found:
        raise SettingsError(f"SMS_PRICE must be a currency code and the price of one segment like KES 0.80, got {price!r}")
    from babel.numbers import list_currencies

    if found["currency"] not in list_currencies():
        raise SettingsError(f"SMS_PRICE names {found['currency']!r}, which is not an ISO 4217 currency")
    return {"broadcasts_per_day": _int(env, "BROADCASTS_PER_DAY", 1, 0, 24),
            "broadcast_hours": (start, end),
            "broadcast_sundays": _bool(env, "BROADCAST_SUNDAYS", False),
            "sms_rate_per_second": _int(env, "SMS_RATE_PER_SECOND", 50, 1, 100_000),
            "sms_price": (found["currency"], Decimal(found["amount"]))}


def load_settings(environ: dict | None = None) -> Settings:
    env = os.environ if environ is None else environ
    soko_env = _str(env, "SOKO_ENV", "development")
    if soko_env not in ("development", "production"):
        raise SettingsError(f"SOKO_ENV must be development or production, got {soko_env!r}")
    production = soko_env == "production"

    database_url = _url(env, "DATABASE_URL", ("sqlite:", "postgresql:", "postgresql+", "postgres:"))
    redis_url = _url(env, "REDIS_URL", ("redis://", "rediss://", "unix://", "redis+sentinel://"))
    if production and database_url is None:
        raise SettingsError("DATABASE_URL is required when SOKO_ENV=production (a postgresql:// URL)")
    if production and database_url.startswith("sqlite"):
        raise SettingsError("DATABASE_URL must not be SQLite when SOKO_ENV=production; use postgresql://")
    if production and redis_url is None:
        raise SettingsError("REDIS_URL is required when SOKO_ENV=production (the embedded server is for development)")
    if database_url and database_url.startswith("postgres:"):
        database_url = "postgresql:" + database_url[len("postgres:"):]
    if database_url and database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship.
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    region = _str(env, "DEFAULT_REGION", "KE").upper()
    if not re.fullmatch(r"[A-Z]{2}", region):
        raise SettingsError(f"DEFAULT_REGION must be a two-letter ISO country code like KE, got {region!r}")

    service_code = _str(env, "USSD_SERVICE_CODE")
    if service_code is not None:  # one code or several, comma-separated (issue 14)
        codes = [c.strip() for c in service_code.split(",")]
        bad = next((c for c in codes if not re.fullmatch(r"\*[0-9]+(\*[0-9]+)*#", c)), None)
        if bad is not None:
            raise SettingsError(f"USSD_SERVICE_CODE must look like *384*123# (several: *384*123#,*713#), got {bad!r}")
        service_code = ",".join(codes)

    sms_backend = _str(env, "SMS_BACKEND", "outbox").lower()
    if sms_backend not in SMS_BACKENDS:
        raise SettingsError(f"SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)}, got {sms_backend!r}")

    settings = Settings(
        env=soko_env,
        database_url=database_url or Settings.database_url,
        redis_url=redis_url,
        shop_name=_str(env, "SHOP_NAME", "Soko"),
        default_region=region,
        ussd_service_code=service_code,
        ussd_max_chars=_int(env, "USSD_MAX_CHARS", 160, 60, 182),
        sms_backend=sms_backend,
        at_username=_str(env, "AT_USERNAME"),
        at_api_key=_str(env, "AT_API_KEY"),
        at_sender_id=_str(env, "AT_SENDER_ID"),
        at_payment_product=_str(env, "AT_PAYMENT_PRODUCT"),
        at_api_url=_url(env, "AT_API_URL", ("http://", "https://")),
        at_payments_url=_url(env, "AT_PAYMENTS_URL", ("http://", "https://")),
        at_webhook_token=_str(env, "AT_WEBHOOK_TOKEN"),
        twilio_account_sid=_str(env, "TWILIO_ACCOUNT_SID"),
        twilio_auth_token=_str(env, "TWILIO_AUTH_TOKEN"),
        twilio_from_number=_str(env, "TWILIO_FROM_NUMBER"),
        twilio_api_url=_url(env, "TWILIO_API_URL", ("http://", "https://")),
        public_url=_url(env, "PUBLIC_URL", ("http://", "https://")),
        admin_token=_str(env, "ADMIN_TOKEN"),
        payment_window_minutes=_int(env, "PAYMENT_WINDOW_MINUTES", 1440, 1, 60 * 24 * 30),
        simulator_enabled=_bool(env, "SIMULATOR_ENABLED", not production),
        session_ttl_seconds=_int(env, "USSD_SESSION_TTL", 300, 30, 3600),
        # USSD aggregators (issue 14)
        hubtel_enabled=_bool(env, "HUBTEL_ENABLED", False),
        arkesel_enabled=_bool(env, "ARKESEL_ENABLED", False),
        nalo_enabled=_bool(env, "NALO_ENABLED", False),
        beem_enabled=_bool(env, "BEEM_ENABLED", False),
        hubtel_webhook_token=_str(env, "HUBTEL_WEBHOOK_TOKEN"),
        arkesel_webhook_token=_str(env, "ARKESEL_WEBHOOK_TOKEN"),
        nalo_webhook_token=_str(env, "NALO_WEBHOOK_TOKEN"),
        beem_webhook_token=_str(env, "BEEM_WEBHOOK_TOKEN"),
        **_rail_settings(env),  # issue 15
        agent_commission_percent=_percent(env, "AGENT_COMMISSION_PERCENT", Decimal(5)),  # issue 16
        **_credit_settings(env),  # issue 18
        worker_processes=_int(env, "WORKER_PROCESSES", 1, 1, 64),  # issue 13/20
        **_reach_settings(env),  # issue 17
    )
    if sms_backend == "africastalking" and not (settings.at_username and settings.at_api_key):
        raise SettingsError("AT_USERNAME and AT_API_KEY are required when SMS_BACKEND=africastalking")
    if sms_backend == "twilio" and not (
        settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number
    ):
        raise SettingsError(
            "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are required when SMS_BACKEND=twilio"
        )
    if production and settings.admin_token is not None and len(settings.admin_token) < 16:
        raise SettingsError("ADMIN_TOKEN must be at least 16 characters in production")
    if production:
        _refuse_forgeable(settings)
    return settings


# -- Issue 13 item 5: nothing forged gets in ----------------------------------------------------------
# Providers that sign nothing: a callback is theirs only if it carries `?token=<their token>`, so
# production does not start while one of them is switched on without its token. One row each:
# (who, the path segment of their webhooks (`/ussd/<slug>`, `/sms/<slug>`, `/payments/<slug>`), the
# setting that switches them on (None: always served; or a Settings property such as
# MPESA_CONFIGURED), their token setting). Names are as in the environment; the Settings field is
# the lower-case name. A new provider that signs nothing adds its row.
UNSIGNED_WEBHOOKS: list[tuple[str, str, str | None, str]] = [
    ("Africa's Talking", "africastalking", None, "AT_WEBHOOK_TOKEN"),  # its routes are always served
    ("Hubtel", "hubtel", "HUBTEL_ENABLED", "HUBTEL_WEBHOOK_TOKEN"),
    ("Arkesel", "arkesel", "ARKESEL_ENABLED", "ARKESEL_WEBHOOK_TOKEN"),
    ("Nalo", "nalo", "NALO_ENABLED", "NALO_WEBHOOK_TOKEN"),
    ("Beem", "beem", "BEEM_ENABLED", "BEEM_WEBHOOK_TOKEN"),
    # The rails' callbacks are only hints checked by the status query, but a forged one still costs
    # a query and an operator's look: they carry a token too.
    ("M-Pesa", "mpesa", "MPESA_CONFIGURED", "MPESA_WEBHOOK_TOKEN"),
    ("MTN MoMo", "momo", "MOMO_CONFIGURED", "MOMO_WEBHOOK_TOKEN"),
]


def _setting(settings: Settings, name: str):
    return getattr(settings, name.lower(), None)


def missing_webhook_tokens(settings: Settings) -> list[tuple[str, str]]:
    """(provider, token setting) of every switched-on provider that signs nothing and has no token."""
    return [(who, token) for who, _, enabled, token in UNSIGNED_WEBHOOKS
            if (enabled is None or _setting(settings, enabled)) and not _setting(settings, token)]


def webhook_token(settings: Settings, path: str) -> str | None:
    """The `?token=` the webhook at `path` (`/ussd/africastalking`) requires, if any."""
    parts = path.split("/")
    slug = parts[2] if len(parts) > 2 else ""
    return next((_setting(settings, token) for _, s, _, token in UNSIGNED_WEBHOOKS if s == slug), None)


def _refuse_forgeable(settings: Settings) -> None:
    for who, token in missing_webhook_tokens(settings):
        raise SettingsError(
            f"{token} is required when SOKO_ENV=production: {who} signs nothing, so anyone could post "
            f"its callbacks; set it to a long random value and add ?token=<value> to {who}'s callback URLs")
    if settings.simulator_enabled:
        raise SettingsError("SIMULATOR_ENABLED must be off when SOKO_ENV=production: the simulator acts as "
                            "any phone number; remove the setting")
