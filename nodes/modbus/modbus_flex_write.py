"""modbus-flex-write: write what each message says (fc, unitid, address, quantity, value)."""

from __future__ import annotations

import json
from typing import Any

from flowrt.api import AsyncTransform, Message, NodeConfig, NodeError, field

from .modbus_client import ModbusClient
from .modbus_frames import address_of, write_replies, write_value


class ModbusFlexWrite(AsyncTransform):
    """Write the value `msg.payload` gives where it says, as node-red-contrib-modbus's
    `modbus-flex-write`.

    ### Inputs

    - `payload` (object, or its JSON text): `fc` (5 one coil, 6 one register, 15 coils, 16
      registers), `address`, `quantity`, `value` (a boolean, a number, or a list of
      `quantity` of them) and `unitid` (the connection's when missing).

    ### Outputs

    1. `payload`: the request; `responseBuffer`: the server's answer (`address` with `state`,
       `value` or `length`); `input`: the request message; `topic`: the input's.
    2. `payload`: the answer; `values`: the request; the rest as 1.

    ### Details

    `fc`, `address` and `quantity` are required (numbers, or numeric text); a missing or
    wrong one fails the message to catch nodes, as does a list whose length is not
    `quantity` or a Modbus exception. Writes wait for a server that is away (see
    `modbus-client`).

    ```yaml
    flex:
      type: modbus-flex-write
      connection: plc
    ```
    """

    type = "modbus-flex-write"
    icon = "plug"
    outputs = 2

    class Config(NodeConfig):
        connection: str = field(
            description="The `modbus-client` connection to write to.",
            connection="modbus-client", examples=["plc"],
        )
        keep_msg_properties: bool = field(
            False, description="Keep the input message's other properties in the output."
        )

    config: Config

    async def receive(self, msg: Message) -> None:
        request = _request(msg.get("payload"), self.id)
        conn = self.ctx.connection(self.config.connection, ModbusClient)
        response = await conn.write(self.id, request["fc"], request["unitid"],
                                    request["address"], request["value"])
        self.ctx.send(write_replies(msg, request, response, self.config.keep_msg_properties))


def _request(payload: Any, node_id: str) -> dict[str, Any]:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise NodeError("msg.payload is text but not JSON", node=node_id) from exc
    if not isinstance(payload, dict):
        raise NodeError(
            "msg.payload must be an object with fc, address, quantity and value; got "
            f"{type(payload).__name__}", node=node_id)
    for key in ("fc", "address", "quantity"):
        if payload.get(key) is None:
            raise NodeError(f"msg.payload.{key} is missing", node=node_id)
    fc = address_of(payload["fc"], node_id, "fc")
    if fc not in (5, 6, 15, 16):
        raise NodeError(f"fc must be 5, 6, 15 or 16 to write; got {fc}", node=node_id)
    quantity = address_of(payload["quantity"], node_id, "quantity")
    if quantity < 1:
        raise NodeError("quantity must be 1..65535; got 0", node=node_id)
    unit = payload.get("unitid")
    return {
        "value": write_value(fc, payload.get("value"), quantity, node_id),
        "unitid": None if unit in (None, "") else address_of(unit, node_id, "unitid"),
        "fc": fc,
        "address": address_of(payload["address"], node_id),
        "quantity": quantity,
    }
