"""Who may use /admin: the holder of ADMIN_TOKEN. Without the setting, admin is closed.

The API takes the token as `Authorization: Bearer <token>`. A browser signs in once with the token
and gets a signed session cookie; its key is derived from the token, so changing ADMIN_TOKEN signs
every browser out. Forms carry a per-session CSRF token. Tokens are compared in constant time.

The cookie names a session that lives in Redis (`admin:session:<hash of its id>`, 12 hours):
signing out deletes it, so a copied cookie stops working at once, POSTs included. Without Redis
no browser session can be checked, so the pages ask to sign in again (the API still works).

Wrong tokens are counted per client address: past LOGIN_FAILURES_ALLOWED in LOGIN_WINDOW_SECONDS a
wrong token gets 429, but the right one is still let in, so nobody can lock the operator out by
guessing from the operator's address (or a shared one). ADMIN_TOKEN is 16+ characters in
production: guessing it is hopeless at any rate; the limit keeps the noise down and visible.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

import redis
from flask import Flask, current_app, jsonify, request, session

from gateway import soko

LOGIN_FAILURES_ALLOWED = 10  # wrong tokens per client address in LOGIN_WINDOW; then 429 for wrong ones
LOGIN_WINDOW_SECONDS = 300
SESSION_LIFETIME = timedelta(hours=12)

log = logging.getLogger("soko.admin")


def init_app(app: Flask) -> None:
    token = soko(app).settings.admin_token
    if token and not app.secret_key:
        app.secret_key = hashlib.sha256(b"soko-admin-session\0" + token.encode()).hexdigest()
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = soko(app).settings.production
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME


def _token() -> str | None:
    return soko().settings.admin_token


def token_matches(given: str) -> bool:
    expected = _token()
    if not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def _fingerprint() -> str:
    return hmac.new(current_app.secret_key.encode(), b"admin", hashlib.sha256).hexdigest()


def api_guard():
    """`before_request` of the API: None to go on, or a 401 JSON answer."""
    if not _token():
        return _unauthorized("The admin API is closed: set ADMIN_TOKEN to open it")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return _unauthorized("Send the admin token as: Authorization: Bearer <ADMIN_TOKEN>")
    if not token_matches(given.strip()):
        return _unauthorized("The admin token is wrong")
    return None


def _unauthorized(reason: str):
    res = jsonify(error=reason)
    res.status_code = 401
    res.headers["WWW-Authenticate"] = 'Bearer realm="soko-admin"'
    return res


# -- browser sessions -----------------------------------------------------------------------------
def _session_key(sid: str) -> str:
    return "admin:session:" + hashlib.sha256(sid.encode("utf-8", "replace")).hexdigest()


def signed_in() -> bool:
    if not (_token() and hmac.compare_digest(session.get("admin", ""), _fingerprint())):
        return False
    sid = session.get("sid")
    if not isinstance(sid, str) or not sid:
        return False
    try:
        return bool(soko().redis.exists(_session_key(sid)))
    except redis.RedisError:  # cannot tell whether it was signed out: closed
        return False


def sign_in() -> None:
    """Start a session in Redis and give the browser its id. Raises redis.RedisError."""
    sid = secrets.token_urlsafe(32)
    soko().redis.set(_session_key(sid), "1", ex=int(SESSION_LIFETIME.total_seconds()))
    session.clear()
    session.permanent = True
    session["admin"] = _fingerprint()
    session["sid"] = sid
    session["csrf"] = secrets.token_urlsafe(24)


def sign_out() -> None:
    sid = session.get("sid")
    session.clear()
    if isinstance(sid, str) and sid:
        try:
            soko().redis.delete(_session_key(sid))
        except redis.RedisError:
            log.warning("admin sign-out: Redis did not answer; that session ends when its key expires")


def csrf_token() -> str:
    return session.get("csrf", "")


def csrf_ok() -> bool:
    given, expected = request.form.get("csrf", ""), session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _failures_key() -> str:
    return f"admin:login:fail:{request.remote_addr or '-'}"


def login_blocked() -> bool:
    try:
        return int(soko().redis.get(_failures_key()) or 0) >= LOGIN_FAILURES_ALLOWED
    except redis.RedisError:  # Redis away: signing in still needs the token
        return False


def note_failure() -> None:
    try:
        r = soko().redis
        key = _failures_key()
        if r.incr(key) == 1:
            r.expire(key, LOGIN_WINDOW_SECONDS)
    except redis.RedisError:  # a lost count is not worth failing the answer
        pass
