"""Soko's web side: `create_app()` builds the Flask app from settings (no app at import time)."""

from __future__ import annotations

import logging
import sys

from flask import Flask, current_app

from config import INSTANCE_DIR, Settings, SettingsError, load_settings


class Soko:
    """What a request needs, built once per app: settings, database engine, Redis, the USSD engine."""

    def __init__(self, settings: Settings):
        from bootstrap import redis_client
        from commerce.db import make_engine
        from menus import buyer
        from menus.context import Context, Services
        from menus.engine import Engine
        from workers.queues import RQJobs

        self.settings = settings
        self.db = make_engine(settings.database_url)
        self.redis_url = settings.redis_url or redis_client.embedded_url(INSTANCE_DIR)
        self.redis = redis_client.connect(self.redis_url)
        self.jobs = RQJobs(self.redis)
        redis_client.publish_catalog_changes(self.redis_url, self.redis)
        services = Services(engine=self.db, jobs=self.jobs, shop_name=settings.shop_name,
                            payment_window_minutes=settings.payment_window_minutes)
        self.ussd = Engine(
            self.redis, buyer.SCREENS, buyer.HOME, max_chars=settings.ussd_max_chars,
            ttl_seconds=settings.session_ttl_seconds, resume_frame=buyer.RESUME,
            context_factory=lambda phone, lang, hop: Context(services, phone, lang, hop.session_id),
            initial_language=self._language_of, version_key=redis_client.CATALOG_TOKEN_KEY,
        )

    def _language_of(self, phone: str) -> str:
        from menus.context import language_on_record

        return language_on_record(self.db, phone) or "en"


def create_app(settings: Settings | None = None) -> Flask:
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError as exc:
            print(f"soko: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    from gateway import admin, cli, errors, health, logs, metrics, payments, simulator, sms, ussd, webhook

    logs.configure(settings.production)  # before anything logs: masked numbers, JSON in production
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config["MAX_CONTENT_LENGTH"] = webhook.MAX_BODY  # webhooks are small; refuse anything bigger
    app.extensions["soko"] = Soko(settings)

    errors.init_app(app)
    for blueprint in (ussd.bp, sms.bp, payments.bp, health.bp):
        app.register_blueprint(blueprint)
    admin.init_app(app)
    simulator.init_app(app)
    cli.init_app(app)
    metrics.init_app(app)  # last: it hooks into every blueprint registered before it
    return app


def soko(app: Flask | None = None) -> Soko:
    return (app or current_app).extensions["soko"]
