"""What a job needs (settings, database engine, Redis, providers): the process's bootstrap runtime.

Jobs are plain functions taking ids; they call `runtime()` rather than receiving objects, so they
run the same in a forking RQ worker, a SimpleWorker or a test that calls them directly. The worker's
entry point installs one with `use(build(settings))`; tests install an app's (`use(soko(app))`).
"""

from __future__ import annotations

import os

import bootstrap
from config import Settings, load_settings

_current: bootstrap.Runtime | None = None


def build(settings: Settings) -> bootstrap.Runtime:
    """The worker's runtime: blocking Redis reads (RQ's dequeue waits for minutes)."""
    return bootstrap.build(settings, role="worker")


def use(rt: bootstrap.Runtime | None) -> None:
    global _current
    _current = rt


def runtime() -> bootstrap.Runtime:
    global _current
    if _current is None:
        _current = build(load_settings())
    elif _current.pid != os.getpid():
        # A forked work horse must not share the parent's database connections.
        _current.db.dispose(close=False)
        _current.pid = os.getpid()
    return _current
