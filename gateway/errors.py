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
        # Keep the exception's own headers (Allow on a 405, Retry-After on a 429).
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        if request.path.startswith("/admin/api") or request.is_json:
            return jsonify(error=reason), exc.code, headers
        return reason + "\n", exc.code, {**headers, "Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return "Internal error\n", 500, {"Content-Type": "text/plain; charset=utf-8"}
