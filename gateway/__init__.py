"""Soko's web side: `create_app()` builds the Flask app from settings (no app at import time)."""

from __future__ import annotations

import logging
import sys

from flask import Flask, current_app

import bootstrap
from config import INSTANCE_DIR, Settings, SettingsError, load_settings


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
    # What a request needs (settings, engine, Redis, queues, the USSD engine), each part built on
    # first use: the CLI commands run through this app too and need only some of them.
    app.extensions["soko"] = bootstrap.build(settings, role="web")

    errors.init_app(app)
    for blueprint in (ussd.bp, sms.bp, payments.bp, health.bp):
        app.register_blueprint(blueprint)
    admin.init_app(app)
    simulator.init_app(app)
    cli.init_app(app)
    metrics.init_app(app)  # last: it hooks into every blueprint registered before it
    # Africa's Talking's hops go round Flask, to the same checks and answers (gateway/ussd.py).
    app.wsgi_app = ussd.hops_first(app, app.extensions["soko"])
    return app


def soko(app: Flask | None = None) -> bootstrap.Runtime:
    return (app or current_app).extensions["soko"]
