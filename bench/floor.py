"""The floor: the least a USSD hop can cost on this stack, to measure Soko against.

A bare Flask route that reads the form, does two Redis round trips (read the caller's session,
write it back with a TTL) and answers a fixed `CON` screen. Served by the same web server, with
the same number of workers and the same Redis client options as Soko, in the same bench run.
"""

from __future__ import annotations

import os

import redis
from flask import Flask, Response, request

SCREEN = "CON Welcome to Soko\n1. Shop\n2. Search\n3. My orders\n4. Language"


def create_app() -> Flask:
    from bootstrap.redis_client import CLIENT_OPTIONS

    app = Flask(__name__)
    r = redis.Redis.from_url(os.environ["REDIS_URL"], **CLIENT_OPTIONS)

    @app.post("/ussd/africastalking")
    def hop():
        key = "floor:" + request.form["phoneNumber"]
        state = r.get(key) or b""
        r.set(key, state[:40] + b"x", ex=300)
        return Response(SCREEN, content_type="text/plain; charset=utf-8")

    return app
