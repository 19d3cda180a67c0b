"""Credential headers hidden from log lines, whatever library writes them.

At the debug level some libraries log HTTP headers with their values: the WebSocket handshake
of uvicorn's ``websockets`` protocol (``< cookie: flowrt_session=...``, through the
``uvicorn.error`` logger) and httpcore's response headers (``(b'set-cookie', b'...')``, the
answers to a flow's http-request nodes). :func:`hide_credential_headers` replaces the value of
each header in :data:`NAMES` with ``[hidden]`` in both shapes (``name: value`` up to the end of
the line, and a quoted ``('name', 'value')`` pair or ``'name': 'value'`` mapping entry), so
``--log-level debug`` never writes a token, password hash or session cookie;
:func:`hide_in_record` applies it to a log record's message (:mod:`flowrt.cli.logs` does, for every
record).
"""

from __future__ import annotations

import logging
import re

NAMES = ("authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
         "x-auth-token")
HIDDEN = "[hidden]"

_NAME = "|".join(re.escape(n) for n in NAMES)
_QUOTED = re.compile(
    rf"""(?ix)
    (b?(?P<q1>['"])(?:{_NAME})(?P=q1) \s* [,:] \s* b?)   # 'name', or "name":
    (?P<q2>['"])(?:\\.|(?!(?P=q2)).)*(?P=q2)              # its quoted value
    """)
_LINE = re.compile(rf"(?im)(\b(?<![-'\"])(?:{_NAME})\b[ \t]*:[ \t]*)(?![ \t]*$)[^\r\n]+")


def hide_credential_headers(text: str) -> str:
    """``text`` with the value of every credential header replaced by ``[hidden]``."""
    if not any(name in text.lower() for name in ("authorization", "cookie", "x-api-key",
                                                 "x-auth-token")):
        return text
    text = _QUOTED.sub(lambda m: f"{m.group(1)}{m['q2']}{HIDDEN}{m['q2']}", text)
    return _LINE.sub(lambda m: f"{m.group(1)}{HIDDEN}", text)


def hide_in_record(record: logging.LogRecord) -> None:
    """Rewrite the record's message when it shows a credential header's value."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return  # a record whose arguments do not fit its format: logging reports it
    hidden = hide_credential_headers(message)
    if hidden != message:
        record.msg, record.args = hidden, None
