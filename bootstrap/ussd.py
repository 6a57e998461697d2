"""The buyer's USSD engine (menus/), wired to a runtime's database, Redis and queues."""

from __future__ import annotations

from bootstrap import redis_client
from commerce import credit
from menus import buyer, service_point
from menus.context import Context, Services
from menus.engine import Engine


def engine(rt) -> Engine:
    settings = rt.settings
    services = Services(engine=rt.db, jobs=rt.jobs, shop_name=settings.shop_name,
                        payment_window_minutes=settings.payment_window_minutes, rail_for=rt.rails.route,
                        credit_terms=credit.terms_of(settings), default_region=settings.default_region)
    return Engine(
        rt.redis, {**buyer.SCREENS, **service_point.SCREENS}, buyer.HOME, max_chars=settings.ussd_max_chars,
        ttl_seconds=settings.session_ttl_seconds, resume_frame=buyer.RESUME,
        context_factory=lambda phone, lang, hop: Context(services, phone, lang, hop.session_id),
        initial_language=lambda ctx: ctx.on_record()[0] or "en",
        version_key=redis_client.CATALOG_TOKEN_KEY,
        home_for=service_point.home_for,  # an agent who dials gets the agent's menu first
    )
