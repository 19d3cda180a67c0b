"""modbus-getter: read coils, inputs or registers of a Modbus server for each message."""

from __future__ import annotations

from flowrt.api import AsyncTransform, Message, NodeConfig, field

from .modbus_client import ModbusClient
from .modbus_frames import READ_FC, ReadType, replies


class ModbusGetter(AsyncTransform):
    """Read `quantity` values from `address` when a message arrives, as
    node-red-contrib-modbus's `modbus-getter`.

    ### Inputs

    Any message: it triggers the read.

    ### Outputs

    1. `payload`: the values (booleans for `Coil` and `Input`, in whole bytes; numbers
       0..65535 for registers); `responseBuffer`: `{data, buffer}`; `modbusRequest`: the
       request (`unitid`, `fc`, `address`, `quantity`); `topic`: the input's.
    2. `payload`: the response `{data, buffer}`; `values`: the values; the rest as 1.

    ### Details

    The message sent carries only `topic` and those fields (the contrib's default), or, with
    `keep_msg_properties`, every property of the input too. A server that is away makes the
    read wait for it (see `modbus-client`); a Modbus exception fails the message to catch
    nodes.

    ```yaml
    get:
      type: modbus-getter
      connection: plc
      data_type: Coil
      address: 0
      quantity: 8
    ```
    """

    type = "modbus-getter"
    icon = "plug"
    outputs = 2

    class Config(NodeConfig):
        connection: str = field(
            description="The `modbus-client` connection to read from.",
            connection="modbus-client", examples=["plc"],
        )
        data_type: ReadType = field(
            "HoldingRegister",
            description="What to read: Coil (FC 1), Input (FC 2), HoldingRegister (FC 3) or "
            "InputRegister (FC 4).",
        )
        address: int = field(0, ge=0, le=65535, description="The first address to read.")
        quantity: int = field(1, ge=1, le=2000, description="How many values to read.")
        unit_id: int | None = field(
            None, ge=0, le=255,
            description="The unit id to ask; none for the connection's `unit_id`.",
        )
        keep_msg_properties: bool = field(
            False, description="Keep the input message's other properties in the output."
        )

    config: Config

    async def receive(self, msg: Message) -> None:
        cfg = self.config
        conn = self.ctx.connection(cfg.connection, ModbusClient)
        fc = READ_FC[cfg.data_type]
        request = {"unitid": cfg.unit_id, "fc": fc, "address": cfg.address,
                   "quantity": cfg.quantity}
        response = await conn.read(self.id, fc, cfg.unit_id, cfg.address, cfg.quantity)
        self.ctx.send(replies(msg, request, response["data"], response,
                              cfg.keep_msg_properties))
