"""Fixtures for the rails' end-to-end tests: an app whose M-Pesa and MoMo clients go to the local
fake Daraja and MoMo (tests/fake_rails.py) and whose Africa's Talking checkout goes to the fake AT;
callbacks delivered to the app as the rails would send them; the ledger checked after each test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from commerce import demo, rates
from commerce.models import Checkout
from tests import fake_rails as fr
from tests.orderkit import assert_ledger
from tests.payflow import Jobs
from workers import runtime

CO = Checkout.__table__
KE_BUYER, UG_BUYER, GH_BUYER, TZ_BUYER = "+254712345678", "+256772123456", "+233241234567", "+255754123456"
MPESA_TOKEN, MOMO_TOKEN = "mpesa-callback-token", "momo-callback-token"
PUBLIC_URL = "https://soko.example"


def rail_settings(fake_rails, fake_providers) -> dict:
    return dict(
        at_username=fake_providers.at_username, at_api_key=fake_providers.at_api_key,
        at_payment_product="Soko Market", at_payments_url=fake_providers.url, public_url=PUBLIC_URL,
        mpesa_consumer_key=fr.MPESA_KEY, mpesa_consumer_secret=fr.MPESA_SECRET, mpesa_shortcode=fr.MPESA_SHORTCODE,
        mpesa_passkey=fr.MPESA_PASSKEY, mpesa_api_url=fake_rails.url, mpesa_webhook_token=MPESA_TOKEN,
        momo_subscription_key=fr.MOMO_SUBSCRIPTION_KEY, momo_api_user=fr.MOMO_API_USER, momo_api_key=fr.MOMO_API_KEY,
        momo_target_environments=(("GH", "mtnghana"), ("UG", "mtnuganda")), momo_api_url=fake_rails.url,
        momo_webhook_token=MOMO_TOKEN)


@pytest.fixture
def rails_app(make_app, fake_providers, fake_rails):
    app = make_app(**rail_settings(fake_rails, fake_providers))
    s = app.extensions["soko"]
    with s.db.begin() as conn:
        demo.seed(conn)
        rates.set_rate(conn, "KES", "GHS", Decimal("0.1"))  # Ghanaian buyers (MoMo) of Kenyan goods
    runtime.use(s)
    yield app
    runtime.use(None)
    assert_ledger(s.db)  # payments in = paid amounts + refunds owed, after every test


@pytest.fixture
def rail_jobs(rails_app):
    return Jobs(rails_app)


def checkouts(db) -> list:
    with db.connect() as conn:
        return conn.execute(select(CO).order_by(CO.c.id)).all()
