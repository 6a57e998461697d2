"""Everything each provider speaks, one folder per provider: its webhooks parsed into plain values,
its answers, its outbound calls. Nothing outside a provider's folder names its fields."""

from providers.base import CheckoutResult, ProviderError, SendResult, SmsProvider

__all__ = ["CheckoutResult", "ProviderError", "SendResult", "SmsProvider"]
