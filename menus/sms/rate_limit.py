"""How many inbound SMS one number gets answered per clock minute.

More than `per_minute` messages a minute from one number is not a person typing but an
auto-responder answering our replies (an SMS loop costs a message each way). Counted in Redis, so
every web process shares the count; without Redis there is no limit rather than no service.

The first message over the allowance in a minute is answered `Too many messages, wait a minute`
(`tell_once`), the rest not at all: one reply, not one per message of a loop. Agents' commands
about money and goods are never held back (menus.sms.never_limited).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

PER_MINUTE = 20


class InboundLimit:
    def __init__(self, redis_client: redis.Redis, per_minute: int = PER_MINUTE,
                 clock: Callable[[], float] = time.time):
        """`clock`: seconds since the epoch; tests pass their own to step from minute to minute."""
        self.redis = redis_client
        self.per_minute = per_minute
        self.clock = clock

    def over(self, phone: str) -> bool:
        """Count one message from `phone`; True when it is beyond this minute's allowance."""
        key = f"soko:sms:in:{phone}:{self._minute()}"
        try:
            pipe = self.redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, 120)
            count, _ = pipe.execute()
        except redis.RedisError:
            return False
        return count > self.per_minute

    def tell_once(self, phone: str) -> bool:
        """True the first time in this minute `phone` is told it sent too many; False after (and
        without Redis, where `over` lets everything through anyway)."""
        try:
            return bool(self.redis.set(f"soko:sms:told:{phone}:{self._minute()}", 1, nx=True, ex=120))
        except redis.RedisError:
            return False

    def _minute(self) -> int:
        return int(self.clock() // 60)
