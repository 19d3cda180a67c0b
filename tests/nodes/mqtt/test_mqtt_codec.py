"""Payload decoding and encoding, and MQTT 5 properties to and from `msg.properties`."""

from __future__ import annotations

from typing import Any

import pytest
from flowrt_nodes.mqtt.mqtt_codec import (
    decode_payload,
    encode_payload,
    properties_from_dict,
    properties_to_dict,
)

from tests.nodes.mqtt.mqtt_kit import properties


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b' {"a": 1} ', {"a": 1}),
        (b"-3.5", -3.5),
        (b"null", None),
        (b'"quoted"', "quoted"),
        (b"Infinity", "Infinity"),
        (b"{not json", "{not json"),
        ("größe".encode(), "größe"),
        (b"\xc3", b"\xc3"),
    ],
)
def test_auto_decoding(raw: bytes, value: Any) -> None:
    assert decode_payload(raw, "auto") == value


@pytest.mark.parametrize(
    ("raw", "mode", "words"),
    [
        (b"\xff", "string", "not UTF-8 text"),
        (b"hello", "json", "not JSON"),
        (b"NaN", "json", "not JSON"),
    ],
)
def test_strict_modes_say_what_to_set(raw: bytes, mode: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words) as caught:
        decode_payload(raw, mode)
    assert "payload: " in str(caught.value)


@pytest.mark.parametrize(
    ("value", "raw"),
    [
        ({"b": [1, 2.5, None]}, b'{"b":[1,2.5,null]}'),
        ("é", "é".encode()),
        (bytearray(b"\x01"), b"\x01"),
        (False, b"false"),
        (0, b"0"),
        (None, b""),
    ],
)
def test_encoding(value: Any, raw: bytes) -> None:
    assert encode_payload(value) == raw


def test_properties_both_ways() -> None:
    given = {"user_properties": {"a": "1", "b": ["x", "y"]}, "content_type": "text/plain",
             "response_topic": "r", "correlation_data": b"\x00", "message_expiry_interval": 5,
             "payload_format_indicator": 1}
    props = properties_from_dict(given)
    assert props.UserProperty == [("a", "1"), ("b", "x"), ("b", "y")]
    received = properties(UserProperty=props.UserProperty, ContentType="text/plain",
                          ResponseTopic="r", CorrelationData=b"\x00",
                          MessageExpiryInterval=5, PayloadFormatIndicator=1)
    assert properties_to_dict(received) == given


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("text", "must be an object"),
        ({"content_type": 3}, "content_type must be text"),
        ({"correlation_data": 7}, "correlation_data must be bytes or text"),
        ({"message_expiry_interval": -1}, "whole number >= 0"),
        ({"message_expiry_interval": True}, "whole number >= 0"),
        ({"user_properties": 5}, "must map names to text"),
        ({"topic_alias": 3}, "not an MQTT 5 property flowrt sends"),
    ],
)
def test_bad_properties_are_named(given: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        properties_from_dict(given)
