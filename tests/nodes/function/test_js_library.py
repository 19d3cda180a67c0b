"""What a function node's code gets besides msg and node: RED.util and Buffer."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow


def evaluate(expression: str, msg: dict[str, Any] | None = None) -> Any:
    """The value of a JavaScript expression in a function node (as its payload)."""
    result = run_flow(function_flow(f"return {{payload: {expression}}};"), inputs=[msg or {}])
    assert result.errors == [], result.errors
    [payload] = result.payloads("f")
    return payload


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("RED.util.getMessageProperty(msg, 'payload.a[1].b')", 5),
        ("RED.util.getMessageProperty(msg, 'msg.payload.a[1].b')", 5),
        ("RED.util.getMessageProperty(msg, 'payload[\"a\"][0]')", 1),
        ("RED.util.getMessageProperty(msg, 'payload.missing.deeper')", None),
        (
            "(RED.util.setMessageProperty(msg, 'payload.x.y', 7), msg.payload.x)",
            {"y": 7},
        ),
        (
            "(RED.util.setMessageProperty(msg, 'list[2]', 'c'), msg.list)",
            [None, None, "c"],
        ),
        (
            "(RED.util.setMessageProperty(msg, 'payload.a', undefined), msg.payload)",
            {},
        ),
        ("RED.util.setMessageProperty(msg, 'no.such', 1, false)", False),
        ("RED.util.normalisePropertyExpression(\"a.b[0]['c d']\")", ["a", "b", 0, "c d"]),
        (
            "(() => { const c = RED.util.cloneMessage(msg); c.payload.a = 0;"
            " return [c.payload.a, msg.payload.a.length]; })()",
            [0, 2],
        ),
        ("RED.util.generateId().length", 16),
        ("/^[0-9a-f]{16}$/.test(RED.util.generateId())", True),
        ("RED.util.generateId() !== RED.util.generateId()", True),
        ("[RED.util.ensureString({a: 1}), RED.util.ensureString(5)]", ['{"a":1}', "5"]),
        ("RED.util.ensureBuffer('hi').toString('hex')", "6869"),
    ],
)
def test_red_util(expression: str, expected: Any) -> None:
    assert evaluate(expression, {"payload": {"a": [1, {"b": 5}]}}) == expected


def test_an_invalid_property_expression_is_an_error() -> None:
    result = run_flow(function_flow("return {payload: RED.util.getMessageProperty(msg, 'a..b')};"),
                      inputs=[{}])
    assert len(result.errors) == 1
    assert "Invalid property expression" in result.errors[0].message


def test_bytes_arrive_as_a_buffer_and_a_buffer_leaves_as_bytes() -> None:
    func = """
    const b = msg.payload;
    return {
        payload: Buffer.concat([b, Buffer.from('!')]),
        topic: [Buffer.isBuffer(b), b.length, b.toString(), b[0]],
    };
    """
    result = run_flow(function_flow(func), inputs=[{"payload": b"caf\xc3\xa9"}])
    [msg] = result.sent("f")
    assert msg["payload"] == b"caf\xc3\xa9!"
    assert msg["topic"] == [True, 5, "café", 99]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Buffer.from('héllo €😀').toString()", "héllo €😀"),
        ("Buffer.from('héllo').toString('hex')", "68c3a96c6c6f"),
        ("Buffer.from('68c3a96c6c6f', 'hex').toString('utf8')", "héllo"),
        ("Buffer.from('any carnal pleas').toString('base64')", "YW55IGNhcm5hbCBwbGVhcw=="),
        ("Buffer.from('YW55IGNhcm5hbCBwbGVhcw==', 'base64').toString()", "any carnal pleas"),
        ("Buffer.from([0xff, 0x41]).toString('latin1')", "ÿA"),
        ("Buffer.from([0xc3, 0x28]).toString()", "\ufffd("),
        ("Buffer.byteLength('é')", 2),
        ("Buffer.alloc(3, 7)", b"\x07\x07\x07"),
        ("Buffer.alloc(2).toJSON()", b"\x00\x00"),
        ("JSON.stringify(Buffer.from('ab'))", '{"type":"Buffer","data":[97,98]}'),
        ("Buffer.from([1, 2, 3, 4]).slice(1, 3).toString('hex')", "0203"),
        ("Buffer.from([1, 2]).equals(Buffer.from([1, 2]))", True),
        ("Buffer.from([0x01, 0x02, 0xff, 0xfe]).readUInt16BE(0)", 258),
        ("Buffer.from([0x01, 0x02, 0xff, 0xfe]).readUInt16LE(0)", 513),
        ("Buffer.from([0x01, 0x02, 0xff, 0xfe]).readInt16BE(2)", -2),
        ("Buffer.from([0x00, 0x00, 0x80, 0x3f]).readFloatLE(0)", 1.0),
        (
            "Buffer.from([0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]).readDoubleBE()",
            3.141592653589793,
        ),
        (
            "(() => { const b = Buffer.alloc(6); b.writeUInt32BE(0xdeadbeef, 0);"
            " b.writeInt16LE(-2, 4); return b.toString('hex'); })()",
            "deadbeeffeff",
        ),
        ("Buffer.from({type: 'Buffer', data: [104, 105]}).toString()", "hi"),
    ],
)
def test_buffer(expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_a_buffer_read_past_its_end_is_an_error() -> None:
    result = run_flow(function_flow("return {payload: Buffer.alloc(1).readUInt16BE(0)};"),
                      inputs=[{}])
    assert [e.message for e in result.errors] == ["RangeError: offset out of range (line 1)"]
