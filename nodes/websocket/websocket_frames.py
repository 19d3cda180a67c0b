"""Frames to messages and back, as Node-RED's websocket nodes make them.

- Received: a text frame is a ``str`` payload, a binary frame ``bytes``. In whole-message
  mode the frame is parsed as JSON: an object is the message itself; any other JSON value
  becomes its ``payload``; a frame that is not JSON is the ``payload`` as received.
- Sent: the payload as text (objects and lists as JSON, numbers and booleans as JavaScript
  writes them, ``null`` as ``null``), bytes as a binary frame; nothing for a message with no
  payload or an empty text. In whole-message mode, the message as JSON, without ``_session``.
"""

from __future__ import annotations

import json
import math
import secrets
from typing import Any

from flowrt.api import Message, js_string

Frame = str | bytes


def new_session_id() -> str:
    """A session id as Node-RED makes one: 16 hexadecimal digits."""
    return secrets.token_hex(8)


def frame_to_message(data: Frame, whole: bool, session_id: str, msgid: str) -> Message:
    """The message a frame received on session ``session_id`` becomes."""
    msg: Message | None = None
    if whole:
        try:
            parsed = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            parsed = None
        else:
            msg = parsed if isinstance(parsed, dict) else {"payload": parsed}
    if msg is None:
        msg = {"payload": data}
    if not isinstance(msg.get("_msgid"), str):
        msg["_msgid"] = msgid
    msg["_session"] = {"type": "websocket", "id": session_id}
    return msg


def message_to_frame(msg: Message, whole: bool) -> Frame | None:
    """The frame a message is sent as; None when Node-RED sends nothing."""
    if whole:
        rest = {k: v for k, v in msg.items() if k != "_session"}
        return _json(rest)
    if "payload" not in msg:
        return None
    payload = msg["payload"]
    if isinstance(payload, bytes | bytearray | memoryview):
        return bytes(payload)
    text = js_text(payload)
    return text or None


def js_text(value: Any) -> str:
    """``value`` as Node-RED's ``ensureString`` writes it: text as is, objects (and null) as
    JSON, other values as JavaScript's ``String(value)``."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, dict | list | tuple):
        return _json(value)
    return js_string(value)


def _json(value: Any) -> str:
    return json.dumps(_js_values(value), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def _js_values(value: Any) -> Any:
    """What ``JSON.stringify`` sees: bytes as a Buffer's JSON, whole floats as integers,
    NaN and the infinities as null."""
    if isinstance(value, dict):
        return {str(k): _js_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_js_values(v) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return {"type": "Buffer", "data": list(bytes(value))}
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 1e21 else value
    return value
