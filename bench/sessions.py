"""Live sessions in Redis: a real session blob taken after the product screen, its memory, copies.

The blob comes from walking one buyer to the product screen through the running server, so it is
exactly what the engine stores; the preload copies it under other phones with the same TTL.
"""

from __future__ import annotations

from collections import Counter

import redis
import requests

from menus.engine import session_key

PROBE_PHONE = "+254730000001"
PRELOAD_PREFIX = "+25472"  # never used by the load client (+25471...)


def walk_to_product(url: str, phone: str = PROBE_PHONE) -> str:
    """Dial, Shop, first category, first product; returns the product screen."""
    answer = ""
    for text in ("", "1", "1*1", "1*1*1"):
        res = requests.post(url + "/ussd/africastalking", timeout=5, headers={"Connection": "close"}, data={
            "sessionId": "ATUid_probe" + phone[-4:], "serviceCode": "*384*123#", "phoneNumber": phone,
            "text": text, "networkCode": "63902"})
        res.raise_for_status()
        answer = res.text
    if "In stock:" not in answer:
        raise RuntimeError(f"the probe did not reach the product screen: {answer!r}")
    return answer


def memory_of(r: redis.Redis, phone: str = PROBE_PHONE) -> dict:
    key = session_key(phone)
    blob = r.get(key)
    return {"key": key, "blob_bytes": len(blob or b""), "memory_usage": r.memory_usage(key, samples=0),
            "ttl": r.ttl(key), "blob": blob}


def preload(r: redis.Redis, count: int, blob: bytes, ttl: int) -> int:
    """`count` live sessions under phones the load client never uses; returns bytes of memory added."""
    before = r.info("memory")["used_memory"]
    digits = PRELOAD_PREFIX.lstrip("+")
    pipe = r.pipeline(transaction=False)
    for i in range(count):
        pipe.set(f"u:{digits}{i:07d}", blob, ex=ttl)
        if i % 2000 == 1999:
            pipe.execute()
    pipe.execute()
    return r.info("memory")["used_memory"] - before


def keys_without_ttl(r: redis.Redis) -> Counter:
    """Keys with no expiry, counted by name prefix (`u`, `rq:queue`, `rq:job`, ...)."""
    found: Counter = Counter()
    batch: list[bytes] = []

    def check():
        pipe = r.pipeline(transaction=False)
        for key in batch:
            pipe.ttl(key)
        for key, ttl in zip(batch, pipe.execute(), strict=True):
            if ttl == -1:
                parts = key.decode(errors="replace").split(":")
                found[":".join(parts[:2]) if parts[0] == "rq" else parts[0]] += 1
        batch.clear()

    for key in r.scan_iter(count=5000):
        batch.append(key)
        if len(batch) >= 5000:
            check()
    check()
    return found
