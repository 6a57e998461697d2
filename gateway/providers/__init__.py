"""Outbound provider clients (SMS, mobile checkout) behind a small interface; see base.py."""

from gateway.providers.base import (
    CheckoutResult,
    ProviderError,
    SendResult,
    SmsProvider,
)

__all__ = ["CheckoutResult", "ProviderError", "SendResult", "SmsProvider"]
