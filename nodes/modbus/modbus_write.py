"""modbus-write: write each message's value to a coil or register, or to several."""

from __future__ import annotations

from flowrt.api import AsyncTransform, Message, NodeConfig, field

from .modbus_client import ModbusClient
from .modbus_frames import WRITE_FC, WriteType, write_replies, write_value


class ModbusWrite(AsyncTransform):
    """Write `msg.payload` to the coils or registers at `address`, as
    node-red-contrib-modbus's `modbus-write`.

    ### Inputs

    - `payload`: the value, or an object whose `value` is it: for `Coil` true or false (any
      value, truthy or not), for `HoldingRegister` a number 0..65535, for `MCoils` and
      `MHoldingRegisters` a list of `quantity` of them. Text "true"/"false" is a boolean and
      text with commas a JSON list, as in the contrib.

    ### Outputs

    1. `payload`: the request (`value`, `unitid`, `fc`, `address`, `quantity`);
       `responseBuffer`: the server's answer (`address` with `state`, `value` or `length`);
       `input`: the request message; `topic`: the input's.
    2. `payload`: the answer; `values`: the request; the rest as 1.

    ### Details

    Writes go through the connection's queue, in order. While the server is away they wait
    for it (see `modbus-client`), so writes made during a restart are sent once it is back.
    A list whose length is not `quantity`, or a Modbus exception, fails the message to catch
    nodes.

    ```yaml
    setpoint:
      type: modbus-write
      connection: plc
      data_type: HoldingRegister
      address: 10
    ```
    """

    type = "modbus-write"
    icon = "plug"
    outputs = 2

    class Config(NodeConfig):
        connection: str = field(
            description="The `modbus-client` connection to write to.",
            connection="modbus-client", examples=["plc"],
        )
        data_type: WriteType = field(
            "HoldingRegister",
            description="What to write: Coil (FC 5), HoldingRegister (FC 6), MCoils (several "
            "coils, FC 15) or MHoldingRegisters (several registers, FC 16).",
        )
        address: int = field(0, ge=0, le=65535, description="The (first) address to write.")
        quantity: int = field(
            1, ge=1, le=1968, description="How many values MCoils and MHoldingRegisters write."
        )
        unit_id: int | None = field(
            None, ge=0, le=255,
            description="The unit id to write to; none for the connection's `unit_id`.",
        )
        keep_msg_properties: bool = field(
            False, description="Keep the input message's other properties in the output."
        )

    config: Config

    async def receive(self, msg: Message) -> None:
        cfg = self.config
        payload = msg.get("payload")
        given = payload["value"] if isinstance(payload, dict) and "value" in payload else payload
        fc = WRITE_FC[cfg.data_type]
        value = write_value(fc, given, cfg.quantity, self.id)
        conn = self.ctx.connection(cfg.connection, ModbusClient)
        response = await conn.write(self.id, fc, cfg.unit_id, cfg.address, value)
        request = {"value": value, "unitid": cfg.unit_id, "fc": fc, "address": cfg.address,
                   "quantity": cfg.quantity}
        self.ctx.send(write_replies(msg, request, response, cfg.keep_msg_properties))
