"""What a job needs (settings, database engine, Redis), built once per process.

Jobs are plain functions taking ids; they call `runtime()` rather than receiving objects, so they
run the same in a forking RQ worker, a SimpleWorker or a test that calls them directly. Tests
install their own runtime with `use()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis
from sqlalchemy.engine import Engine

from config import INSTANCE_DIR, Settings, load_settings


@dataclass
class Runtime:
    settings: Settings
    db: Engine
    redis: redis.Redis
    pid: int


_current: Runtime | None = None


def build(settings: Settings) -> Runtime:
    from bootstrap import redis_client
    from commerce.db import make_engine

    url = settings.redis_url or redis_client.embedded_url(INSTANCE_DIR)
    return Runtime(settings, make_engine(settings.database_url),
                   redis_client.connect(url, redis_client.WORKER_OPTIONS), os.getpid())


def use(rt: Runtime | None) -> None:
    global _current
    _current = rt


def runtime() -> Runtime:
    global _current
    if _current is None:
        _current = build(load_settings())
    elif _current.pid != os.getpid():
        # A forked work horse must not share the parent's database connections.
        _current.db.dispose(close=False)
        _current.pid = os.getpid()
    return _current
