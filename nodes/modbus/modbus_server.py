"""modbus-server: a small Modbus TCP server holding coils, discrete inputs and registers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowrt.api import AsyncTransform, Message, NodeConfig, NodeError, field

from .modbus_frames import pack_bits

if TYPE_CHECKING:
    from pymodbus.server import ModbusTcpServer

BUFFER_FACTOR = 8
"""node-red-contrib-modbus sizes each memory in units of 8 bytes."""

# register -> (function code to read it, function code to write it, holds bits)
MEMORY: dict[str, tuple[int, int, bool]] = {
    "holding": (3, 16, False), "coils": (1, 15, True), "input": (4, 16, False),
    "discrete": (2, 15, True),
}


class ModbusServer(AsyncTransform):
    """Serve coils, discrete inputs, holding and input registers over Modbus TCP, as
    node-red-contrib-modbus's `modbus-server`.

    ### Inputs

    - `payload`: `{register, address, value}` writes the server's memory: `register` is
      `holding`, `coils`, `input` or `discrete`, `address` the Modbus address (0..65535),
      `value` a number (a register), a boolean (a coil) or a list of them from there on;
      `disableMsgOutput: true` sends nothing.

    ### Outputs

    For each message (a memory write or not), the whole memory as the contrib sends it,
    bytes: 1. `holding` registers (two bytes each, big-endian), 2. `coils`, 3. `input`
    registers, 4. `discrete` inputs (bits, eight to a byte, the first in the lowest bit),
    each with `type` (the memory's name) and `message` (the input message); 5. `payload`
    `request`, `type` `message` and `message`.

    ### Details

    The server listens on `host`:`port` (127.0.0.1 by default: set `0.0.0.0` to serve the
    network, as Node-RED's default does) from the flow's start to its stop, and answers
    function codes 1 to 6, 15 and 16 for any unit id. What clients write is in the memory
    the next message makes the node send. Memories start at zero; each holds
    `*_buffer_size` times 8 bytes, as in the contrib, up to the 65,536 addresses Modbus has.

    The contrib writes a message's value at byte `address` * 8 of its memory, so clients
    see it at register `address` * 4 (coil `address` * 64); flowrt writes at the Modbus
    `address` itself, where clients read it.

    ```yaml
    plc:
      type: modbus-server
      port: 10502
    ```
    """

    type = "modbus-server"
    icon = "plug"
    outputs = 5

    class Config(NodeConfig):
        host: str = field(
            "127.0.0.1", description="The address to listen on; 0.0.0.0 for every interface."
        )
        port: int = field(10502, ge=0, le=65535, description="The TCP port to listen on.")
        coils_buffer_size: int = field(
            10000, ge=1, le=100000,
            description="Coils memory size, in units of 8 bytes (64 coils).",
        )
        holding_buffer_size: int = field(
            10000, ge=1, le=100000,
            description="Holding registers memory size, in units of 8 bytes (4 registers).",
        )
        input_buffer_size: int = field(
            10000, ge=1, le=100000,
            description="Input registers memory size, in units of 8 bytes (4 registers).",
        )
        discrete_buffer_size: int = field(
            10000, ge=1, le=100000,
            description="Discrete inputs memory size, in units of 8 bytes (64 inputs).",
        )

    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        self._server: ModbusTcpServer | None = None
        size = BUFFER_FACTOR
        self._counts = {
            "holding": min(config.holding_buffer_size * size // 2, 65536),
            "input": min(config.input_buffer_size * size // 2, 65536),
            "coils": min(config.coils_buffer_size * size * 8, 65536),
            "discrete": min(config.discrete_buffer_size * size * 8, 65536),
        }

    async def start(self) -> None:
        from pymodbus.server import ModbusTcpServer
        from pymodbus.simulator import DataType, SimData, SimDevice

        def block(name: str, bits: bool) -> list[SimData]:
            kind = DataType.BITS if bits else DataType.REGISTERS
            return [SimData(0, self._counts[name], False if bits else 0, kind)]

        # device 0 answers every unit id, as jsmodbus does
        device = SimDevice(0, simdata=(block("coils", True), block("discrete", True),
                                       block("holding", False), block("input", False)))
        server = ModbusTcpServer(
            device, address=(self.config.host, self.config.port), ignore_missing_devices=True
        )
        await server.serve_forever(background=True)
        self._server = server
        self.ctx.status("green", "dot", f"listening on {self.config.host}:{self.config.port}")

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.shutdown()  # type: ignore[no-untyped-call]

    async def receive(self, msg: Message) -> None:
        payload = msg.get("payload")
        if isinstance(payload, dict) and payload.get("register") is not None:
            await self._write(payload)
        elif payload is None:
            return
        if isinstance(payload, dict) and payload.get("disableMsgOutput"):
            return
        out: list[Any] = []
        for name in ("holding", "coils", "input", "discrete"):
            out.append({"type": name, "message": msg, "payload": await self._memory(name)})
        out.append({"payload": "request", "type": "message", "message": msg})
        self.ctx.send(out)

    async def _write(self, payload: dict[str, Any]) -> None:
        name, address, value = payload["register"], payload.get("address"), payload.get("value")
        if name not in MEMORY:
            raise NodeError(
                f"register must be holding, coils, input or discrete; got {name!r}",
                node=self.id)
        if not isinstance(address, int) or isinstance(address, bool) or not (
                0 <= address < self._counts[name]):
            raise NodeError(
                f"address must be 0..{self._counts[name] - 1} for {name}; got {address!r}",
                node=self.id)
        _, write_fc, bits = MEMORY[name]
        given: list[Any] = value if isinstance(value, list) else [value]
        values: list[int] | list[bool] = (
            [bool(v) for v in given] if bits else [int(v) & 0xFFFF for v in given])
        assert self._server is not None
        # Input registers and discrete inputs are read-only to clients; written here
        # through the device's memory, which every function code shares.
        fc = {"input": 4, "discrete": 2}.get(name, write_fc)
        await self._server.context.async_setValues(0, fc, address, values)

    async def _memory(self, name: str) -> bytes:
        assert self._server is not None
        read_fc, _, bits = MEMORY[name]
        values = await self._server.async_getValues(0, read_fc, 0, self._counts[name])
        if bits:
            return pack_bits([bool(v) for v in values])
        return b"".join(int(v).to_bytes(2, "big") for v in values)
