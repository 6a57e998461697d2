"""Logs: phone numbers never appear whole; in production each line is one JSON object."""

from __future__ import annotations

import io
import json
import logging

import pytest

from gateway.logs import JsonFormatter, MaskingFilter, configure, mask_numbers


@pytest.mark.parametrize("text, shown", [
    ("reply to +254712345678 queued", "reply to +2547******78 queued"),
    ("from 254712345678.", "from +2547******78."),
    ("order 4829131 for +255754123456", "order 4829131 for +2557******56"),
    ("junk +999999999999", "junk *************"),
])
def test_numbers_are_masked(text, shown):
    assert mask_numbers(text) == shown


def _logger(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(formatter)
    log = logging.getLogger("soko.test.logs")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    return log, out


def test_production_lines_are_json_with_numbers_masked():
    log, out = _logger(JsonFormatter())
    log.info("sms from %s: %s", "+254712345678", "PAID 4829131 1600")
    try:
        raise ValueError("bad number +254733111222")
    except ValueError:
        log.exception("could not send to %s", "+254733111222")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["msg"] == "sms from +2547******78: PAID 4829131 1600"
    assert first["level"] == "info" and first["logger"] == "soko.test.logs" and first["ts"].endswith("Z")
    assert second["msg"] == "could not send to +2547******22" and second["level"] == "error"
    assert "ValueError" in second["exc"] and "254733111222" not in second["exc"]


def test_configure_masks_every_root_handler_and_sets_json_in_production():
    root = logging.getLogger()
    saved = root.handlers[:]
    out = io.StringIO()
    root.handlers[:] = [logging.StreamHandler(out)]
    try:
        configure(production=True)
        configure(production=True)  # twice is harmless
        logging.getLogger("soko.test.root").warning("hop from +254712345678")
        entry = json.loads(out.getvalue().strip())
        assert entry["msg"] == "hop from +2547******78"
        assert sum(isinstance(f, MaskingFilter) for f in root.handlers[0].filters) == 1
    finally:
        root.handlers[:] = saved
