"""fast/form.py: the USSD hop's form parser gives what the standard library gives, and is as strict.
(What the webhooks answer to a bad body is tests/test_ussd_webhook.py's table.)"""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fast.form import FormError, urlencoded, wsgi_body


@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=20)), max_size=8), st.booleans())
def test_the_form_reader_reads_what_parse_qsl_reads(pairs, plus):
    """For any names and values, spaces encoded as `+` or `%20`, repeated names and all."""
    enc = quote_plus if plus else quote
    body = "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs).encode()
    assert urlencoded(body, 64) == dict(parse_qsl(body.decode(), keep_blank_values=True, errors="strict"))
    raw = "&".join(f"{k}={v}" for k, v in pairs if "&" not in k + v)  # unescaped text as clients send it
    assert urlencoded(raw.encode(), 64) == dict(parse_qsl(raw, keep_blank_values=True, errors="strict"))


@pytest.mark.parametrize("body, reason", [
    (b"text=caf\xe9", "Body is not valid UTF-8"),
    (b"text=%FF%FE", "Body is not valid UTF-8"),  # escaped bytes that are not UTF-8
    (b"&".join(b"f%d=1" % i for i in range(65)), "Too many form fields"),
])
def test_what_the_standard_library_would_refuse_is_refused(body, reason):
    with pytest.raises(FormError, match=reason):
        urlencoded(body, 64)
    assert len(urlencoded(b"&".join(b"f%d=1" % i for i in range(64)), 64)) == 64


def test_the_body_is_read_straight_only_when_its_length_is_given_and_within_the_limit():
    def environ(length):
        return {"CONTENT_LENGTH": length, "wsgi.input": io.BytesIO(b"text=1&more")}

    assert wsgi_body(environ("6"), 64) == b"text=1"
    assert wsgi_body(environ(""), 64) is None  # chunked: werkzeug reads it
    assert wsgi_body(environ("65"), 64) is None  # too long: werkzeug refuses it (413)
