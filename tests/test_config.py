"""Settings from the environment: defaults that run on one machine, and one clear line naming any
setting that is missing or malformed, at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_run_on_one_machine():
    s = load_settings({})
    assert s.env == "development" and not s.production
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("instance/soko.db")
    assert s.redis_url is None  # the embedded server
    assert (s.shop_name, s.default_region, s.ussd_max_chars, s.sms_backend) == ("Soko", "KE", 160, "outbox")
    assert s.ussd_service_code is None and s.at_webhook_token is None and s.admin_token is None
    assert s.payment_window_minutes == 1440 and s.simulator_enabled is True


def test_settings_are_read_and_normalised():
    s = load_settings({
        "DATABASE_URL": "postgres://u:p@db/soko", "REDIS_URL": "redis://cache:6379/2", "SHOP_NAME": " Duka ",
        "DEFAULT_REGION": "tz", "USSD_SERVICE_CODE": "*384*123#", "USSD_MAX_CHARS": "182",
        "SMS_BACKEND": "TWILIO", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM_NUMBER": "+1500",
        "PAYMENT_WINDOW_MINUTES": "60", "SIMULATOR_ENABLED": "off",
    })
    assert s.database_url == "postgresql+psycopg://u:p@db/soko"
    assert (s.shop_name, s.default_region, s.ussd_max_chars, s.sms_backend) == ("Duka", "TZ", 182, "twilio")
    assert s.payment_window_minutes == 60 and s.simulator_enabled is False
    assert load_settings({}).agent_commission_percent == 5
    assert str(load_settings({"AGENT_COMMISSION_PERCENT": " 2.5 "}).agent_commission_percent) == "2.5"


BAD = [
    ({"SOKO_ENV": "staging"}, "SOKO_ENV"),
    ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ({"DEFAULT_REGION": "Kenya"}, "DEFAULT_REGION"),
    ({"USSD_SERVICE_CODE": "384123"}, "USSD_SERVICE_CODE"),
    ({"USSD_MAX_CHARS": "lots"}, "USSD_MAX_CHARS"),
    ({"USSD_MAX_CHARS": "500"}, "USSD_MAX_CHARS"),
    ({"USSD_MAX_CHARS": "20"}, "USSD_MAX_CHARS"),
    ({"SMS_BACKEND": "pigeon"}, "SMS_BACKEND"),
    ({"SMS_BACKEND": "africastalking"}, "AT_USERNAME"),
    ({"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"),
    ({"AT_API_URL": "ftp://x"}, "AT_API_URL"),
    ({"AT_PAYMENTS_URL": "example.com"}, "AT_PAYMENTS_URL"),
    ({"TWILIO_API_URL": "nowhere"}, "TWILIO_API_URL"),
    ({"PUBLIC_URL": "soko.example"}, "PUBLIC_URL"),
    ({"PAYMENT_WINDOW_MINUTES": "0"}, "PAYMENT_WINDOW_MINUTES"),
    ({"PAYMENT_WINDOW_MINUTES": "1.5"}, "PAYMENT_WINDOW_MINUTES"),
    ({"SIMULATOR_ENABLED": "maybe"}, "SIMULATOR_ENABLED"),
    ({"USSD_SESSION_TTL": "5"}, "USSD_SESSION_TTL"),
    ({"AGENT_COMMISSION_PERCENT": "five"}, "AGENT_COMMISSION_PERCENT"),
    ({"AGENT_COMMISSION_PERCENT": "101"}, "AGENT_COMMISSION_PERCENT"),
    ({"AGENT_COMMISSION_PERCENT": "2.555"}, "AGENT_COMMISSION_PERCENT"),
]


@pytest.mark.parametrize(("env", "name"), BAD, ids=[f"{n}={list(e.values())[-1]}" for e, n in BAD])
def test_a_malformed_setting_raises_one_line_naming_it(env, name):
    with pytest.raises(SettingsError) as err:
        load_settings(env)
    message = str(err.value)
    assert name in message and "\n" not in message


PROD = {"SOKO_ENV": "production", "DATABASE_URL": "postgresql://soko@db/soko", "REDIS_URL": "redis://cache:6379/0",
        "AT_WEBHOOK_TOKEN": "a-long-random-callback-token"}


def test_production_runs_on_postgresql_and_redis():
    s = load_settings(PROD)
    assert s.production and s.simulator_enabled is False


@pytest.mark.parametrize(("change", "name"), [
    ({"REDIS_URL": None}, "REDIS_URL"),  # the embedded Valkey is refused
    ({"DATABASE_URL": None}, "DATABASE_URL"),  # the default SQLite is refused
    ({"DATABASE_URL": "sqlite:///instance/soko.db"}, "DATABASE_URL"),
    ({"ADMIN_TOKEN": "short"}, "ADMIN_TOKEN"),
    ({"AT_WEBHOOK_TOKEN": None}, "AT_WEBHOOK_TOKEN"),  # Africa's Talking signs nothing
    ({"SIMULATOR_ENABLED": "1"}, "SIMULATOR_ENABLED"),  # it acts as any phone number
    ({"HUBTEL_ENABLED": "1"}, "HUBTEL_WEBHOOK_TOKEN"),  # an aggregator switched on signs nothing either
    ({"BEEM_ENABLED": "1"}, "BEEM_WEBHOOK_TOKEN"),
])
def test_production_refuses_the_development_defaults(change, name):
    env = {k: v for k, v in {**PROD, **change}.items() if v is not None}
    with pytest.raises(SettingsError) as err:
        load_settings(env)
    assert name in str(err.value) and "\n" not in str(err.value)


def test_every_switched_on_provider_that_signs_nothing_needs_its_token_in_production(monkeypatch):
    """The table round-two providers add their row to: one switched on without its token stops
    start-up with a line naming the token setting; switched off, it needs none."""
    import config

    monkeypatch.setattr(config, "UNSIGNED_WEBHOOKS", config.UNSIGNED_WEBHOOKS + [
        ("Shop Payments", "shoppay", "SMS_BACKEND", "ADMIN_TOKEN")])  # stand-ins: any two settings
    with pytest.raises(SettingsError) as err:
        load_settings({**PROD, "SMS_BACKEND": "outbox"})
    assert str(err.value).startswith("ADMIN_TOKEN is required when SOKO_ENV=production: Shop Payments signs nothing")
    prod = load_settings({**PROD, "ADMIN_TOKEN": "x" * 16})
    assert config.webhook_token(prod, "/ussd/africastalking/events") == "a-long-random-callback-token"
    assert config.webhook_token(prod, "/payments/shoppay") == "x" * 16
    assert config.webhook_token(prod, "/sms/twilio") is None  # Twilio signs its requests
    assert load_settings({"SOKO_ENV": "development"}).at_webhook_token is None  # development starts without


def test_empty_values_count_as_unset():
    assert load_settings({"REDIS_URL": "", "USSD_MAX_CHARS": " ", "SHOP_NAME": ""}) == Settings()


def _start(env_changes: dict[str, str]):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "SOKO_ENV")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-c", "from gateway import create_app; create_app()"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("env", "name"), [
    ({"USSD_MAX_CHARS": "lots"}, "USSD_MAX_CHARS"),
    ({"SOKO_ENV": "production", "DATABASE_URL": "postgresql://soko@db/soko"}, "REDIS_URL"),
    ({"SOKO_ENV": "production", "DATABASE_URL": "postgresql://soko@db/soko", "REDIS_URL": "redis://cache:6379/0"},
     "AT_WEBHOOK_TOKEN"),
    ({**PROD, "SIMULATOR_ENABLED": "1"}, "SIMULATOR_ENABLED"),
    ({"SMS_BACKEND": "twilio"}, "TWILIO_ACCOUNT_SID"),
])
def test_start_up_with_a_bad_setting_exits_with_one_line_naming_it(env, name):
    done = _start(env)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # no traceback
    assert name in lines[0] and lines[0].startswith("soko: ")


def test_ussd_aggregators_are_off_until_switched_on_and_service_codes_may_be_a_list():
    s = load_settings({})
    assert not any((s.hubtel_enabled, s.arkesel_enabled, s.nalo_enabled, s.beem_enabled))
    assert s.aggregator_enabled("africastalking") and not s.aggregator_enabled("hubtel")
    s = load_settings({"HUBTEL_ENABLED": "1", "BEEM_ENABLED": "true", "HUBTEL_WEBHOOK_TOKEN": "hub",
                       "USSD_SERVICE_CODE": " *384*123# , *713*4#"})
    assert s.aggregator_enabled("hubtel") and s.aggregator_enabled("beem") and not s.aggregator_enabled("nalo")
    assert s.aggregator_token("hubtel") == "hub" and s.aggregator_token("beem") is None
    assert s.ussd_service_codes == ("*384*123#", "*713*4#")
    with pytest.raises(SettingsError) as err:
        load_settings({"USSD_SERVICE_CODE": "*384*123#,713"})
    assert str(err.value) == "USSD_SERVICE_CODE must look like *384*123# (several: *384*123#,*713#), got '713'"
    with pytest.raises(SettingsError) as err:
        load_settings({"NALO_ENABLED": "maybe"})
    assert str(err.value) == "NALO_ENABLED must be true or false, got 'maybe'"
