"""Payloads on the wire: what a message's payload becomes as bytes (as Node-RED writes it), and
what bytes read become in a message (``buffer``, ``utf8`` or ``base64``)."""

from __future__ import annotations

import base64
import codecs
import re
from typing import Any, Literal

from flowrt.api import js_string

DataType = Literal["buffer", "utf8", "base64"]

_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/\-_]")


def lenient_b64decode(text: str) -> bytes:
    """Base64 (standard or url-safe) to bytes as Node.js reads it: characters outside the
    alphabet are skipped, decoding stops at the first ``=``, missing padding is no error."""
    text = _NOT_BASE64.sub("", text.split("=", 1)[0]).replace("-", "+").replace("_", "/")
    if len(text) % 4 == 1:
        text = text[:-1]  # a lone sextet holds no whole byte
    return base64.b64decode(text + "=" * (-len(text) % 4))


def payload_bytes(value: Any, from_base64: bool) -> bytes:
    """The bytes Node-RED writes for ``msg.payload``: bytes as they are, text decoded from
    base64 when ``from_base64``, anything else as its JavaScript text in UTF-8."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if from_base64 and isinstance(value, str):
        return lenient_b64decode(value)
    return js_string(value).encode("utf-8")


class Decoder:
    """Bytes read from one connection, as the payloads of ``data_type``: UTF-8 text is decoded
    across chunks (a character split between two reads is kept whole)."""

    def __init__(self, data_type: DataType) -> None:
        self.data_type = data_type
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode(self, data: bytes, final: bool = False) -> bytes | str:
        if self.data_type == "buffer":
            return data
        if self.data_type == "base64":
            return base64.b64encode(data).decode("ascii")
        return self._text.decode(data, final)


def decode_datagram(data: bytes, data_type: DataType) -> bytes | str:
    """One datagram's payload as ``data_type``."""
    if data_type == "utf8":
        return data.decode("utf-8", errors="replace")
    if data_type == "base64":
        return base64.b64encode(data).decode("ascii")
    return data
