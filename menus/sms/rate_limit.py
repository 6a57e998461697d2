"""How many inbound SMS one number gets answered per clock minute.

More than `per_minute` messages a minute from one number is not a person typing but an
auto-responder answering our replies (an SMS loop costs a message each way). Counted in Redis, so
every web process shares the count; without Redis there is no limit rather than no service.
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
        key = f"soko:sms:in:{phone}:{int(self.clock() // 60)}"
        try:
            pipe = self.redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, 120)
            count, _ = pipe.execute()
        except redis.RedisError:
            return False
        return count > self.per_minute
