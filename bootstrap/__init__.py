"""One place that builds what every entry point needs: engine, Redis, queues, caches, providers.

    rt = bootstrap.build(settings, role="web")  # "web", "worker" or "cli"
    rt.db  rt.redis  rt.jobs  rt.ussd  rt.sms_limit  rt.sms_provider  rt.payments_client  rt.rails  rt.settings

The web app (gateway.create_app), the worker (workers.runtime), the CLI commands (through the app,
and `worker` through workers.run), `make run` (gateway/dev.py) and the tests all build through this.
The role picks the Redis options: fail-fast for web and cli (a USSD hop answers its apology in well
under a second), blocking for the worker (RQ's dequeue waits for minutes).

Each part is built on its first use, once, under the runtime's lock: a CLI command that only touches
the database starts no Redis, and `flask --app gateway worker` builds the worker's engine without
building the web app's too. The web server builds every part up front (`warm()`, gateway/wsgi.py).
"""

from __future__ import annotations

import os
import threading

from bootstrap import clients, redis_client
from config import INSTANCE_DIR, Settings

REDIS_OPTIONS = {"web": redis_client.CLIENT_OPTIONS, "cli": redis_client.CLIENT_OPTIONS,
                 "worker": redis_client.WORKER_OPTIONS}
# Seconds one PostgreSQL round trip may take on the client's clock (commerce.db.make_engine): a hung
# database makes a USSD hop apologise within 2 s; a worker's sweep gets longer; the CLI (migrations)
# is bounded by the server's statement timeout only.
DB_DEADLINE = {"web": 1.5, "worker": 10.0, "cli": None}


class part:  # noqa: N801 - used as a decorator, like functools.cached_property
    """A part built on first use, once per runtime. The result lands in the instance's __dict__,
    which this non-data descriptor then never shadows: later reads are plain attribute reads (the
    USSD hop reads `soko().db` and `.ussd` on every request)."""

    def __init__(self, build):
        self.build = build
        self.__doc__ = build.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, rt, owner=None):
        if rt is None:
            return self
        with rt._lock:  # two threads' first requests must not build two engines
            if self.name not in rt.__dict__:
                rt.__dict__[self.name] = self.build(rt)
        return rt.__dict__[self.name]


class Runtime:
    """What a process needs, built from settings for one role. Gateway modules reach it through
    `gateway.soko()`, jobs through `workers.runtime.runtime()`."""

    def __init__(self, settings: Settings, role: str):
        if role not in REDIS_OPTIONS:
            raise ValueError(f"role must be one of {', '.join(REDIS_OPTIONS)}; got {role!r}")
        self.settings, self.role = settings, role
        self.pid = os.getpid()  # a forked RQ work horse disposes the parent's pool (workers.runtime)
        self._lock = threading.RLock()  # reentrant: the USSD engine's part reads db and redis

    @part
    def redis_url(self) -> str:
        """The operator's Redis, or the development Valkey in instance/ (started if need be)."""
        return self.settings.redis_url or redis_client.embedded_url(INSTANCE_DIR)

    @part
    def db(self):
        from commerce.db import make_engine

        return make_engine(self.settings.database_url, deadline=DB_DEADLINE[self.role])

    @part
    def redis(self):
        return redis_client.connect(self.redis_url, REDIS_OPTIONS[self.role])

    @part
    def jobs(self):
        """Soko's RQ queues and the enqueueing the web side does after a commit."""
        from workers.queues import RQJobs

        return RQJobs(self.redis)

    @part
    def ussd(self):
        """The buyer's USSD engine (menus/), its sessions in this runtime's Redis."""
        from bootstrap.ussd import engine

        return engine(self)

    @part
    def sms_limit(self):
        """How many inbound SMS one number gets answered a minute, counted in this runtime's Redis."""
        from menus.sms.rate_limit import InboundLimit

        return InboundLimit(self.redis)

    @part
    def sms_provider(self):
        """The SMS provider SMS_BACKEND names; None for `outbox` (record only)."""
        return clients.sms_provider(self.settings)

    @part
    def payments_client(self):
        """Africa's Talking mobile checkout; None when it is not configured."""
        return clients.payments_client(self.settings)

    @part
    def rails(self):
        """The mobile-money rails (issue 15): each configured rail's client, and the routes that pick one."""
        return clients.rails(self.settings, self.payments_client)

    def warm(self) -> Runtime:
        """Build every part now (a server process, before it takes requests and freezes the heap)."""
        for name in ("db", "redis", "jobs", "ussd", "sms_limit", "sms_provider", "payments_client", "rails"):
            getattr(self, name)
        return self

    def close(self) -> None:
        """Close the pools of the parts that were built."""
        built = self.__dict__
        if "db" in built:
            built["db"].dispose()
        if "redis" in built:
            built["redis"].close()


def build(settings: Settings, role: str) -> Runtime:
    rt = Runtime(settings, role)
    # Every process tells the others sharing its Redis when the cached catalog changes (a CLI
    # `add-agent` as much as a web request); the key names that Redis without connecting to it.
    redis_client.publish_catalog_changes(settings.redis_url or f"embedded:{INSTANCE_DIR}", lambda: rt.redis)
    return rt
