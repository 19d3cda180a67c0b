"""modbus-flex-getter: read what each message asks for (fc, unitid, address, quantity)."""

from __future__ import annotations

import json
from typing import Any

from flowrt.api import AsyncTransform, Message, NodeConfig, NodeError, field

from .modbus_client import ModbusClient
from .modbus_frames import address_of, replies


class ModbusFlexGetter(AsyncTransform):
    """Read the coils, inputs or registers that `msg.payload` names, as
    node-red-contrib-modbus's `modbus-flex-getter`.

    ### Inputs

    - `payload` (object, or its JSON text): `fc` (1 coils, 2 discrete inputs, 3 holding
      registers, 4 input registers; 3 when missing), `address` (0 when missing), `quantity`
      (1 when missing) and `unitid` (the connection's when missing).

    ### Outputs

    1. `payload`: the values; `responseBuffer`: `{data, buffer}`; `modbusRequest`: the
       request as read from the input; `topic`: the input's.
    2. `payload`: the response `{data, buffer}`; `values`: the values; the rest as 1.

    ### Details

    Numbers may be given as text ("3"), as the contrib parses them. A function code other
    than 1..4, or an address or quantity out of 0..65535, fails the message to catch nodes,
    as does a Modbus exception from the server.

    ```yaml
    flex:
      type: modbus-flex-getter
      connection: plc
    ```
    """

    type = "modbus-flex-getter"
    icon = "plug"
    outputs = 2

    class Config(NodeConfig):
        connection: str = field(
            description="The `modbus-client` connection to read from.",
            connection="modbus-client", examples=["plc"],
        )
        keep_msg_properties: bool = field(
            False, description="Keep the input message's other properties in the output."
        )

    config: Config

    async def receive(self, msg: Message) -> None:
        request = _request(msg.get("payload"), self.id)
        conn = self.ctx.connection(self.config.connection, ModbusClient)
        response = await conn.read(self.id, request["fc"], request["unitid"],
                                   request["address"], request["quantity"])
        self.ctx.send(replies(msg, request, response["data"], response,
                              self.config.keep_msg_properties))


def _request(payload: Any, node_id: str) -> dict[str, Any]:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise NodeError("msg.payload is text but not JSON", node=node_id) from exc
    if not isinstance(payload, dict):
        raise NodeError(
            f"msg.payload must be an object with fc, address, quantity; got "
            f"{type(payload).__name__}", node=node_id)
    fc = address_of(payload.get("fc") or 3, node_id, "fc")
    if fc not in (1, 2, 3, 4):
        raise NodeError(f"fc must be 1..4 to read; got {fc}", node=node_id)
    unit = payload.get("unitid")
    return {
        "fc": fc,
        "unitid": None if unit in (None, "") else address_of(unit, node_id, "unitid"),
        "address": address_of(payload.get("address") or 0, node_id),
        "quantity": max(1, address_of(payload.get("quantity") or 1, node_id, "quantity")),
    }
