"""Every error answer is plain text or JSON, never an HTML page: providers read our bodies."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("soko.errors")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        reason = exc.description if exc.code != 404 else "Not found"
        if request.path.startswith("/admin/api") or request.is_json:
            return jsonify(error=reason), exc.code
        return reason + "\n", exc.code, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return "Internal error\n", 500, {"Content-Type": "text/plain; charset=utf-8"}
