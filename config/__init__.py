"""Settings read from the environment (12-factor), with defaults that run on one machine.

`load_settings()` is the only place that reads `os.environ`. A missing or malformed setting raises
`SettingsError` whose message is one line naming the setting, so start-up stops with that line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
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
    # Issue 13/20 (workers that keep pace and survive): worker processes `flask --app gateway worker`
    # runs under one supervisor (workers/run.py; 1: the worker itself, no supervisor).
    worker_processes: int = 1

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
    if service_code is not None and not re.fullmatch(r"\*[0-9*]+#", service_code):
        raise SettingsError(f"USSD_SERVICE_CODE must look like *384*123#, got {service_code!r}")

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
        worker_processes=_int(env, "WORKER_PROCESSES", 1, 1, 64),  # issue 13/20
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
    return settings
