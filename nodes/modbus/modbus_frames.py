"""What the modbus nodes share: function codes, node-red-contrib-modbus's request and response
shapes (those of the modbus-serial library it uses), and the values a write takes."""

from __future__ import annotations

import json
from typing import Any, Literal

from flowrt.api import Message, NodeError

ReadType = Literal["Coil", "Input", "HoldingRegister", "InputRegister"]
WriteType = Literal["Coil", "HoldingRegister", "MCoils", "MHoldingRegisters"]
READ_FC: dict[str, int] = {"Coil": 1, "Input": 2, "HoldingRegister": 3, "InputRegister": 4}
WRITE_FC: dict[str, int] = {"Coil": 5, "HoldingRegister": 6, "MCoils": 15,
                            "MHoldingRegisters": 16}


def pack_bits(bits: list[bool]) -> bytes:
    """Coils as Modbus sends them: eight to a byte, the first in the lowest bit."""
    out = bytearray((len(bits) + 7) // 8)
    for i, bit in enumerate(bits):
        if bit:
            out[i // 8] |= 1 << (i % 8)
    return bytes(out)


def read_response(fc: int, result: Any, quantity: int) -> dict[str, Any]:
    """modbus-serial's answer to a read: ``data`` (booleans for coils and discrete inputs,
    whole bytes of them as the protocol carries them; numbers 0..65535 for registers) and
    ``buffer`` (the answer's data bytes)."""
    if fc in (1, 2):
        bits = [bool(b) for b in result.bits[:quantity]]
        buffer = pack_bits(bits)
        data = [bool(buffer[i // 8] >> (i % 8) & 1) for i in range(len(buffer) * 8)]
        return {"data": data, "buffer": buffer}
    registers = [int(r) & 0xFFFF for r in result.registers[:quantity]]
    return {"data": registers, "buffer": b"".join(r.to_bytes(2, "big") for r in registers)}


def write_response(fc: int, address: int, value: Any) -> dict[str, Any]:
    """modbus-serial's answer to a write."""
    if fc == 5:
        return {"address": address, "state": bool(value)}
    if fc == 6:
        return {"address": address, "value": value}
    return {"address": address, "length": len(value)}


def _integer(value: Any, what: str, node_id: str) -> int:
    """parseInt as the contrib applies it: numbers and numeric text; anything else fails."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        digits = value.strip()
        sign = digits[:1] if digits[:1] in "+-" else ""
        body = digits[len(sign):]
        taken = len(body) - len(body.lstrip("0123456789"))
        if taken:
            return int(sign + body[:taken])
    raise NodeError(f"{what} must be a number; got {value!r}", node=node_id)


def address_of(value: Any, node_id: str, what: str = "address") -> int:
    """An address or quantity, 0..65535."""
    number = _integer(value, what, node_id)
    if not 0 <= number <= 65535:
        raise NodeError(f"{what} must be 0..65535; got {number}", node=node_id)
    return number


def write_value(fc: int, value: Any, quantity: int, node_id: str) -> Any:
    """The value a write sends, as the contrib makes it: text "true"/"false" a boolean, text
    with a comma a JSON list; one coil true or false, one register a number 0..65535; for 15
    and 16 a list exactly ``quantity`` long."""
    if isinstance(value, str):
        if value in ("true", "false"):
            value = value == "true"
        elif "," in value:
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise NodeError(f"value {value!r} is not a JSON list", node=node_id) from exc
    if fc == 5:
        return bool(value)
    if fc == 6:
        return _integer(value, "value", node_id) & 0xFFFF
    if not isinstance(value, list) or len(value) != quantity:
        size = len(value) if isinstance(value, list) else "no list"
        raise NodeError(
            f"quantity should be equal to the value list's length: {size}, quantity {quantity}",
            node=node_id,
        )
    if fc == 15:
        return [bool(v) for v in value]
    return [_integer(v, "value", node_id) & 0xFFFF for v in value]


def replies(msg: Message, request: dict[str, Any], values: Any, response: dict[str, Any],
            keep: bool) -> list[Message]:
    """The getters' two outputs (the contrib's buildMessageWithIO): the values with the request
    and the response, and the response with the values."""
    first: Message = dict(msg) if keep else {"_msgid": msg.get("_msgid")}
    first.update(topic=msg.get("topic"), payload=values, responseBuffer=response,
                 modbusRequest=dict(request))
    second = dict(first)
    del second["responseBuffer"]
    second.update(payload=response, values=values)
    return [first, second]


def write_replies(msg: Message, request: dict[str, Any], response: dict[str, Any],
                  keep: bool) -> list[Message]:
    """The writers' two outputs (the contrib's buildMessage): the request as payload with the
    response, and the response with the request as values."""
    first: Message = dict(msg) if keep else {"_msgid": msg.get("_msgid")}
    first.update(topic=msg.get("topic"), payload=dict(request), responseBuffer=response,
                 input={"topic": msg.get("topic"), "payload": dict(request)})
    second = dict(first)
    del second["responseBuffer"]
    second.update(payload=response, values=dict(request))
    return [first, second]
