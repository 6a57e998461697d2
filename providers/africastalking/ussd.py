"""Africa's Talking USSD: the hop callback and the end-of-session notification (form POSTs), and
the plain-text answer, `CON …` (wait for input) or `END …` (close) (PROVIDERS.md §1).

`parse_hop` runs on every keypress of every session: a few dict look-ups, nothing more.
"""

from __future__ import annotations

from providers.base import (
    SESSION_COMPLETED,
    SESSION_FAILED,
    SESSION_INCOMPLETE,
    BadRequest,
    Normalize,
    UssdRequest,
    UssdSessionEnd,
)

MAX_SESSION_ID = 100
_REQUIRED = ("sessionId", "serviceCode", "phoneNumber")
STATES = {"Success": SESSION_COMPLETED, "Incomplete": SESSION_INCOMPLETE, "Failed": SESSION_FAILED}


def parse_hop(fields: dict[str, str], normalize: Normalize) -> UssdRequest:
    """One hop: `sessionId`, `serviceCode`, `phoneNumber` required; `text` is "" on the first hop
    and then every input so far joined with `*`; `networkCode` and anything else are ignored."""
    missing = [k for k in _REQUIRED if not fields.get(k, "").strip()]
    if missing:
        raise BadRequest(f"Missing field: {', '.join(missing)}")
    session_id = fields["sessionId"].strip()
    if len(session_id) > MAX_SESSION_ID:
        raise BadRequest("sessionId is too long")
    text = fields.get("text", "")
    # No handset types a NUL; PostgreSQL refuses one in text (the session id is in the order's key).
    if "\x00" in session_id or "\x00" in text or "\x00" in fields["serviceCode"]:
        raise BadRequest("sessionId, serviceCode or text contains a NUL character")
    phone = normalize(fields["phoneNumber"])
    if phone is None:
        raise BadRequest("phoneNumber is not a valid phone number")
    return UssdRequest(session_id=session_id, phone=phone, service_code=fields["serviceCode"].strip(),
                       text=text)


def _count(fields: dict[str, str], name: str) -> int | None:
    value = fields.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


def _optional(fields: dict[str, str], name: str) -> str | None:
    value = fields.get(name, "")
    if "\x00" in value:  # PostgreSQL refuses NUL in text: better a 400 than a 503 on every retry
        raise BadRequest(f"{name} contains a NUL character")
    return value or None


def parse_session_end(fields: dict[str, str]) -> UssdSessionEnd:
    """The end-of-session notification: `sessionId` and `status` (Success, Incomplete, Failed)
    required; `phoneNumber`, `durationInMillis`, `hopsCount`, `input` (the whole path) and
    `errorMessage` (when Failed) kept when present; `cost`, `date` and the rest ignored."""
    session_id, status = fields.get("sessionId", "").strip(), fields.get("status", "").strip()
    if not session_id or status not in STATES:
        raise BadRequest("Missing sessionId or unknown status")
    if "\x00" in session_id:
        raise BadRequest("sessionId contains a NUL character")
    return UssdSessionEnd(
        session_id=session_id, phone=_optional(fields, "phoneNumber"), status=STATES[status],
        duration_ms=_count(fields, "durationInMillis"), hops=_count(fields, "hopsCount"),
        last_input=_optional(fields, "input"), error=_optional(fields, "errorMessage"),
    )


def end(text: str) -> str:
    """An answer that closes the session with `text` on the screen."""
    return "END " + text
