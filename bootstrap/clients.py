"""The provider clients the settings choose: one SMS provider, and the mobile money checkout."""

from __future__ import annotations

from config import Settings
from providers.africastalking.payments import AfricasTalkingPayments
from providers.africastalking.sms import AfricasTalkingSms
from providers.base import SmsProvider
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
