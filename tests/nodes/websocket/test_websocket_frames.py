"""Frames to messages and back, as Node-RED's websocket nodes make them (facts from its
22-websocket.js and RED.util.ensureString)."""

from __future__ import annotations

from typing import Any

import pytest
from flowrt_nodes.websocket.websocket_frames import frame_to_message, message_to_frame


@pytest.mark.parametrize(("frame", "whole", "want"), [
    ("text", False, {"payload": "text"}),
    (b"\x00\x01", False, {"payload": b"\x00\x01"}),
    ('{"a": 1}', False, {"payload": '{"a": 1}'}),
    ('{"payload": 1, "topic": "t"}', True, {"payload": 1, "topic": "t"}),
    (b'{"payload": "from bytes"}', True, {"payload": "from bytes"}),
    ("42", True, {"payload": 42}),
    ('"s"', True, {"payload": "s"}),
    ("not json", True, {"payload": "not json"}),
    (b"\xff\xfe", True, {"payload": b"\xff\xfe"}),
    ("[1, 2]", True, {"payload": [1, 2]}),
    ("null", True, {"payload": None}),
])
def test_a_frame_becomes_a_message(frame: str | bytes, whole: bool, want: dict[str, Any]
                                   ) -> None:
    msg = frame_to_message(frame, whole, "0123456789abcdef", "m1")
    assert msg == {**want, "_msgid": "m1",
                   "_session": {"type": "websocket", "id": "0123456789abcdef"}}


def test_a_whole_message_keeps_its_own_msgid() -> None:
    msg = frame_to_message('{"_msgid": "given", "payload": 0}', True, "s", "m1")
    assert msg["_msgid"] == "given"


@pytest.mark.parametrize(("msg", "frame"), [
    ({"payload": "text"}, "text"),
    ({"payload": b"\x00"}, b"\x00"),
    ({"payload": b""}, b""),
    ({"payload": {"a": [1, 2.5, 3.0], "b": b"\x01"}},
     '{"a":[1,2.5,3],"b":{"type":"Buffer","data":[1]}}'),
    ({"payload": 21.5}, "21.5"),
    ({"payload": 2.0}, "2"),
    ({"payload": 7}, "7"),
    ({"payload": True}, "true"),
    ({"payload": None}, "null"),
    ({"payload": float("nan")}, "NaN"),
    ({"payload": 1e-7}, "1e-7"),
    ({"payload": 0.000015}, "0.000015"),
    ({"payload": -2.5e-5}, "-0.000025"),
    ({"payload": 1.5e300}, "1.5e+300"),
    ({"payload": ""}, None),
    ({"topic": "no payload"}, None),
])
def test_a_payload_is_sent_as_node_red_sends_it(msg: dict[str, Any],
                                                frame: str | bytes | None) -> None:
    assert message_to_frame(msg, False) == frame


def test_a_whole_message_is_sent_as_json_without_its_session() -> None:
    msg = {"_msgid": "m", "payload": "p", "_session": {"type": "websocket", "id": "s"},
           "n": float("inf")}
    assert message_to_frame(msg, True) == '{"_msgid":"m","payload":"p","n":null}'
    assert "_session" in msg  # the message itself is left as it was
