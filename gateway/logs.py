"""Logs: one JSON object a line in production, plain lines in development; phone numbers masked in both.

Masking happens on the formatted message, so no call site can leak a number by forgetting to mask
it: any run of 9 to 15 digits (with or without `+`) that reads as a phone number becomes
"+2547******78", and one that does not is hidden entirely (commerce.phones.mask).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from commerce import phones

_NUMBER = re.compile(r"(?<![\w+])\+?\d{9,15}(?!\w)")

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def mask_numbers(text: str) -> str:
    return _NUMBER.sub(lambda m: phones.mask(m.group() if m.group().startswith("+") else "+" + m.group()), text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with numbers masked, before any formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken format string: leave it to the formatter to report
        record.msg, record.args = mask_numbers(message), None
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
