"""The provider clients the settings choose: one SMS provider, and the mobile money checkout."""

from __future__ import annotations

from urllib.parse import urlencode

from commerce import checkouts
from config import Settings
from providers.africastalking.payments import AfricasTalkingPayments
from providers.africastalking.sms import AfricasTalkingSms
from providers.base import SmsProvider
from providers.momo.collection import MomoCollection
from providers.mpesa.stk import DarajaClient
from providers.twilio.client import TwilioSms


def sms_provider(settings: Settings) -> SmsProvider | None:
    """The SMS provider SMS_BACKEND names; None for `outbox` (record only)."""
    if settings.sms_backend == "africastalking":
        return AfricasTalkingSms(settings.at_username, settings.at_api_key, sender_id=settings.at_sender_id,
                                 base_url=settings.at_api_url)
    if settings.sms_backend == "twilio":
        callback = settings.public_url.rstrip("/") + "/sms/twilio/status" if settings.public_url else None
        return TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from_number,
                         base_url=settings.twilio_api_url, status_callback=callback)
    return None


def payments_client(settings: Settings) -> AfricasTalkingPayments | None:
    if not (settings.at_username and settings.at_api_key and settings.at_payment_product):
        return None
    return AfricasTalkingPayments(settings.at_username, settings.at_api_key, settings.at_payment_product,
                                  base_url=settings.at_payments_url)


# -- issue 15: the mobile-money rails, and which one asks each buyer ---------------------------------

class Rails:
    """The configured rails' clients by name (africastalking, mpesa, momo) and MOBILE_MONEY_ROUTES."""

    def __init__(self, clients: dict, routes):
        self.clients = {name: c for name, c in clients.items() if c is not None}
        self.routes = routes

    def route(self, phone: str) -> str | None:
        """The rail for this buyer's number; None when no rail is configured."""
        return checkouts.route(self.routes, self.clients, phone)

    def client(self, rail: str):
        return self.clients.get(rail)


def callback_url(settings: Settings, path: str, token: str | None) -> str | None:
    if not settings.public_url:
        return None
    return settings.public_url.rstrip("/") + path + (f"?{urlencode({'token': token})}" if token else "")


def rails(settings: Settings, africastalking) -> Rails:
    mpesa = momo = None
    if settings.mpesa_configured:
        mpesa = DarajaClient(settings.mpesa_consumer_key, settings.mpesa_consumer_secret, settings.mpesa_shortcode,
                             settings.mpesa_passkey, callback_url(settings, "/payments/mpesa", settings.mpesa_webhook_token),
                             base_url=settings.mpesa_api_url, till_number=settings.mpesa_till_number)
    if settings.momo_configured:
        momo = MomoCollection(settings.momo_subscription_key, settings.momo_api_user, settings.momo_api_key,
                              dict(settings.momo_target_environments),
                              callback_url=callback_url(settings, "/payments/momo", settings.momo_webhook_token),
                              base_url=settings.momo_api_url)
    return Rails({checkouts.AT: africastalking, checkouts.MPESA: mpesa, checkouts.MOMO: momo},
                 settings.mobile_money_routes)
