"""Logs: one JSON object a line in production, plain lines in development; phone numbers masked in both.

Masking happens on the formatted message, so no call site can leak a number by forgetting to mask
it: any run of 9 to 15 digits (with or without `+`) that reads as a phone number becomes
"+2547******78", and one that does not is hidden entirely (commerce.phones.mask).

Control characters in the message are escaped too (a newline becomes `\n`): values from requests
(a transaction id, an SMS) cannot start a line of their own and forge an entry in the plain format.
Tracebacks, which are the formatter's and multi-line by nature, are left as they are.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from commerce import phones

_NUMBER = re.compile(r"(?<![\w+])\+?\d{9,15}(?!\w)")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")  # all but tab; and Unicode's line ends
_ESCAPES = {"\n": "\\n", "\r": "\\r"}

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def mask_numbers(text: str) -> str:
    return _NUMBER.sub(lambda m: phones.mask(m.group() if m.group().startswith("+") else "+" + m.group()), text)


def escape_controls(text: str) -> str:
    """`a\nb` -> `a\\nb`: one log record, one line."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                                                else f"\\u{ord(m.group()):04x}"), text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with numbers masked and control characters escaped, before
    any formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken format string: leave it to the formatter to report
        record.msg, record.args = escape_controls(mask_numbers(message)), None
        return True


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "msg", and "exc" when there is a traceback}, one line each."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = mask_numbers(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(production: bool) -> None:
    """Give the root logger's handlers the mask, and in production the JSON format."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=PLAIN_FORMAT)
    for handler in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
        if production:
            handler.setFormatter(JsonFormatter())
