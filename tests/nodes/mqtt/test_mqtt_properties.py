"""MQTT 5 properties decoded with shared tables (nodes/mqtt/mqtt_properties.py) are what paho's
own Properties decodes: the same attributes, text, JSON and packing, and the same refusals."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from flowrt_nodes.mqtt.mqtt_properties import install, shared_class
from paho.mqtt import _packet
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import MQTTException, Properties


def _publish_props(**values: object) -> Properties:
    props = Properties(PacketTypes.PUBLISH)
    for name, value in values.items():
        setattr(props, name, value)
    return props


CASES = [
    {},
    {"ContentType": "application/json"},
    {"UserProperty": [("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
                      ("site", "plant é")]},
    {"PayloadFormatIndicator": 1, "MessageExpiryInterval": 3600, "ResponseTopic": "r/1",
     "CorrelationData": b"\x00\x01\xff", "TopicAlias": 7, "SubscriptionIdentifier": [3, 300]},
]


def _packet_with(props: Properties, payload: bytes = b'{"v": 1}') -> bytes:
    topic = b"plant/line/1"
    return struct.pack("!H", len(topic)) + topic + struct.pack("!H", 42) + props.pack() + payload


def _decode(cls: type, packet: bytes) -> object:
    saved = _packet.Properties
    _packet.Properties = cls
    try:
        return _packet.decode_publish(0x32, packet, 5)
    finally:
        _packet.Properties = saved


@pytest.mark.parametrize("values", CASES, ids=["none", "content-type", "user", "many"])
def test_a_publish_decodes_as_with_paho_own_properties(values: dict[str, object]) -> None:
    packet = _packet_with(_publish_props(**values))
    theirs = _decode(Properties, packet)
    ours = _decode(shared_class(), packet)
    assert type(ours.properties) is shared_class()
    assert isinstance(ours.properties, Properties)
    assert ours.properties.json() == theirs.properties.json()
    assert str(ours.properties) == str(theirs.properties)
    assert ours.properties.pack() == theirs.properties.pack()
    assert ours.payload == theirs.payload == b'{"v": 1}'
    for name, value in values.items():
        assert getattr(ours.properties, name) == getattr(theirs.properties, name)
        expected = value if isinstance(value, list) or name != "SubscriptionIdentifier" else [value]
        assert getattr(ours.properties, name) == expected


def test_objects_do_not_share_what_they_decoded() -> None:
    cls = shared_class()
    first = _decode(cls, _packet_with(_publish_props(ContentType="a")))
    second = _decode(cls, _packet_with(_publish_props()))
    assert first.properties.ContentType == "a"
    assert not hasattr(second.properties, "ContentType")
    again = first.properties.unpack(_publish_props().pack())[0]
    assert not hasattr(again, "ContentType")  # clear() forgot what the object held


def test_refusals_are_paho_own() -> None:
    cls = shared_class()
    props = cls(PacketTypes.PUBLISH)
    with pytest.raises(MQTTException, match="does not apply"):
        props.ReceiveMaximum = 10  # a CONNECT/CONNACK property
    with pytest.raises(MQTTException, match="must be one of"):
        props.NoSuchThing = 1
    twice = (Properties(PacketTypes.PUBLISH).writeProperty(3, 5, "a") * 2)
    from paho.mqtt.properties import VariableByteIntegers

    with pytest.raises(MQTTException):
        cls(PacketTypes.PUBLISH).unpack(VariableByteIntegers.encode(len(twice)) + twice)


def test_install_makes_paho_decode_with_it() -> None:
    saved = _packet.Properties
    try:
        assert install()
        decoded = _packet.decode_publish(0x32, _packet_with(_publish_props(ContentType="x")), 5)
        assert type(decoded.properties) is shared_class()
        assert decoded.properties.ContentType == "x"
    finally:
        _packet.Properties = saved


def test_lookups_answer_as_pahos() -> None:
    ours: Any = shared_class()(PacketTypes.PUBLISH)
    theirs: Any = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    for name, ident in theirs.names.items():
        compressed = name.replace(" ", "")
        assert ours.getIdentFromName(compressed) == theirs.getIdentFromName(compressed)
        assert ours.getNameFromIdent(ident) == theirs.getNameFromIdent(ident)
        assert ours.allowsMultiple(compressed) == theirs.allowsMultiple(compressed)
    for unknown in ("Nothing", "Content Type", ""):
        assert ours.getIdentFromName(unknown) == theirs.getIdentFromName(unknown)
        assert ours.allowsMultiple(unknown) == theirs.allowsMultiple(unknown)
    assert ours.getNameFromIdent(99) == theirs.getNameFromIdent(99)
    assert ours.allowsMultiple("SubscriptionIdentifier") and ours.allowsMultiple("UserProperty")


def test_clear_empties_a_reused_object() -> None:
    props: Any = shared_class()(PacketTypes.PUBLISH)
    props.ContentType = "text/plain"
    props.SubscriptionIdentifier = 4
    props.clear()
    assert not hasattr(props, "ContentType") and not hasattr(props, "SubscriptionIdentifier")
    empty: Any = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    assert props.pack() == empty.pack()


VALUES: list[object] = [-1, 0, 1, 2, 7, 65535, 65536, 268435455, 268435456, True, 0.5, 1.0,
                        "text", b"\x00", [3], [0, 70000], ("k", "v"), [("k", "v")], None]


@pytest.mark.parametrize("packet", [PacketTypes.PUBLISH, PacketTypes.CONNECT,
                                    PacketTypes.CONNACK, PacketTypes.SUBSCRIBE])
def test_setting_a_property_takes_and_refuses_as_pahos(packet: int) -> None:
    model: Any = Properties(packet)  # type: ignore[no-untyped-call]
    names = [*model.names, "Nothing", "packetType"]
    for name in names:
        for value in VALUES:
            outcomes = []
            for cls in (Properties, shared_class()):
                props: Any = cls(packet)
                try:
                    setattr(props, name, value)
                    setattr(props, name, value)  # a second time: added to, replaced or refused
                    outcomes.append(("set", getattr(props, name.replace(" ", ""))))
                except MQTTException as exc:
                    outcomes.append(("refused", str(exc)))
                except TypeError:
                    outcomes.append(("type error", None))
            assert outcomes[0] == outcomes[1], (name, value)
