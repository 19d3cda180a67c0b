"""What payloads become on the wire: JavaScript's text of a value, and base64 read as Node.js
reads it (lenient)."""

from __future__ import annotations

from typing import Any

import pytest
from flowrt_nodes.net.net_payload import js_string, lenient_b64decode, payload_bytes

from flowrt.api import MISSING


@pytest.mark.parametrize(
    ("value", "text"),
    [(1, "1"), (1.0, "1"), (0.5, "0.5"), (True, "true"), (None, "null"), (MISSING, "undefined"),
     ([1, None, "a"], "1,,a"), ({"a": 1}, "[object Object]"), (float("nan"), "NaN"),
     (b"\xc3\xa9", "\u00e9")],
)
def test_js_string(value: Any, text: str) -> None:
    assert js_string(value) == text


@pytest.mark.parametrize(
    ("text", "data"),
    [("aGVsbG8=", b"hello"), ("aGVsbG8", b"hello"), ("aGVs bG8=", b"hello"),
     ("aGVsbG8=garbage", b"hello"), ("-_8", b"\xfb\xff"), ("a", b""), ("", b"")],
)
def test_base64_is_read_leniently(text: str, data: bytes) -> None:
    assert lenient_b64decode(text) == data


def test_payload_bytes() -> None:
    assert payload_bytes(b"\x00", True) == b"\x00"
    assert payload_bytes("aGk=", True) == b"hi"
    assert payload_bytes("aGk=", False) == b"aGk="
    assert payload_bytes(12, True) == b"12"
