"""Whether the database answers (GET /healthz)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine


def ping(engine: Engine) -> None:
    """One round trip; raises whatever the driver raises when the database is away."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
