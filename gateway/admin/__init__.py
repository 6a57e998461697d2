"""The operator's side: the admin JSON API (/admin/api) and pages (/admin), closed without ADMIN_TOKEN."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from gateway.admin import api, auth, pages, reach  # noqa: F401  (reach adds its routes to both blueprints)

    auth.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
