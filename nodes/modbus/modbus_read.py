"""modbus-read: poll coils, inputs or registers of a Modbus server at a steady rate."""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import Ack, Message, NodeConfig, NodeError, Source, field

from .modbus_client import ModbusClient
from .modbus_frames import READ_FC, ReadType

RATE_UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class ModbusRead(Source):
    """Read `quantity` values from `address` every `rate`, as node-red-contrib-modbus's
    `modbus-read`.

    ### Outputs

    1. `payload`: the values, booleans for `Coil` and `Input` (whole bytes of them: reading 3
       coils gives 8 booleans, as the contrib gives them), numbers 0..65535 for
       `HoldingRegister` and `InputRegister`; `responseBuffer`: `{data, buffer}`, the values
       and the bytes the server sent; `topic` (`polling` when the node has none); `input`:
       the poll request (`payload` with `unitid`, `fc`, `address`, `quantity`).
    2. `payload`: the response `{data, buffer}`; `values`: the values; `topic` and `input`.

    ### Details

    The first read happens one `rate` after the node starts (after `start_delay` more with
    `delay_on_start`), then every `rate`. Reads go through the connection's queue; while the
    server is away they wait for it to come back (see `modbus-client`), and polling goes on
    when it does. A Modbus exception from the server (an illegal address) is an error for
    catch nodes, and polling goes on.

    ```yaml
    level:
      type: modbus-read
      connection: plc
      data_type: HoldingRegister
      address: 0
      quantity: 4
      rate: 5
      rate_unit: s
    ```
    """

    type = "modbus-read"
    icon = "plug"
    outputs = 2

    class Config(NodeConfig):
        connection: str = field(
            description="The `modbus-client` connection to read from.",
            connection="modbus-client", examples=["plc"],
        )
        data_type: ReadType = field(
            "HoldingRegister",
            description="What to read: Coil (FC 1), Input (discrete inputs, FC 2), "
            "HoldingRegister (FC 3) or InputRegister (FC 4).",
        )
        address: int = field(0, ge=0, le=65535, description="The first address to read.")
        quantity: int = field(
            1, ge=1, le=2000, description="How many coils or registers to read."
        )
        unit_id: int | None = field(
            None, ge=0, le=255,
            description="The unit id to ask; none for the connection's `unit_id`.",
        )
        rate: float = field(10, gt=0, description="How often to read, in `rate_unit`s.")
        rate_unit: Literal["ms", "s", "m", "h"] = field(
            "s", description="The unit of `rate`: ms, s, m or h."
        )
        topic: str = field(
            "", description="The topic of the messages sent; empty for `polling`."
        )
        delay_on_start: bool = field(
            False, description="Wait `start_delay` seconds before the polling starts."
        )
        start_delay: float = field(
            10, ge=0, description="Seconds to wait first, with `delay_on_start`."
        )

    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        self._interval = config.rate * RATE_UNITS[config.rate_unit]
        self._first = True
        self._shown = ""

    async def connect(self) -> None:
        self.ctx.connection(self.config.connection, ModbusClient)

    async def read(self) -> tuple[Message, Ack | None]:
        """Polls forever, sending each answer on both outputs (a read never returns a
        message: each poll makes two)."""
        cfg = self.config
        conn = self.ctx.connection(cfg.connection, ModbusClient)
        fc = READ_FC[cfg.data_type]
        if self._first and cfg.delay_on_start:
            await self.ctx.sleep(cfg.start_delay)
        self._first = False
        while True:
            await self.ctx.sleep(self._interval)
            topic = cfg.topic or "polling"
            request: Message = {
                "topic": topic,
                "payload": {"unitid": cfg.unit_id, "fc": fc, "address": cfg.address,
                            "quantity": cfg.quantity},
            }
            try:
                response = await conn.read(self.id, fc, cfg.unit_id, cfg.address, cfg.quantity)
            except NodeError as exc:
                self._show("red", "ring", "failure")
                self.ctx.error(exc, {"topic": topic, "payload": request["payload"]})
                continue
            self._show("green", "dot", "active")
            values = response["data"]
            self.ctx.send([
                {"topic": topic, "payload": values, "responseBuffer": response,
                 "input": request},
                {"topic": topic, "payload": response, "values": values, "input": request},
            ])

    def _show(self, fill: str, shape: str, text: str) -> None:
        if text != self._shown:
            self._shown = text
            self.ctx.status(fill, shape, text)

    async def close(self) -> None:
        self._shown = ""
