"""modbus-client: a Modbus TCP server to talk to, with one queue of requests for its nodes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from flowrt.api import Connection, NodeConfig, NodeError, NotConnected, field, host_port

from .modbus_frames import read_response, write_response

if TYPE_CHECKING:
    from pymodbus.client import AsyncModbusTcpClient


class ModbusClient(Connection):
    """A Modbus TCP server (a PLC, a gateway): its address, default unit id and timeouts.

    ### Details

    The counterpart of node-red-contrib-modbus's `modbus-client` config node, TCP only:
    `host`, `port`, `unit_id`, `timeout` (its `clientTimeout`, here in seconds) and
    `reconnect_delay` (its `reconnectTimeout`) mean what they mean there. The nodes naming
    this connection share one TCP connection and one queue: requests go one at a time, in
    the order they were made, as the contrib's command queue sends them.

    When the server is away (not started yet, restarting, the network down), a request waits
    in the queue while the connection is made again, first after `reconnect_delay` seconds,
    then doubling up to 30 s; only when `queue_timeout` seconds pass without a connection does
    it fail (to a `catch` node), so writes made during a server restart are sent once it is
    back rather than lost. A server's Modbus exception (illegal address, say) fails that
    request only.

    ```yaml
    connections:
      plc:
        type: modbus-client
        host: 192.168.1.20
        port: 502
        unit_id: 1
    ```
    """

    type = "modbus-client"

    class Config(NodeConfig):
        host: str = field("127.0.0.1", description="The server's host name or address.")
        port: int = field(502, ge=1, le=65535, description="The server's TCP port.")
        unit_id: int = field(
            1, ge=0, le=255,
            description="The unit id (slave id) requests go to when the node gives none.",
        )
        timeout: float = field(
            1.0, gt=0, description="Seconds to wait for the server's answer to a request."
        )
        reconnect_delay: float = field(
            2.0, gt=0,
            description="Seconds to wait before connecting again after the connection failed; "
            "doubles on each failure, up to 30 s.",
        )
        queue_timeout: float = field(
            60.0, gt=0, advanced=True,
            description="Seconds a request waits for the server to be reachable before it "
            "fails.",
        )

    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        self._client: AsyncModbusTcpClient | None = None
        self._queue = asyncio.Lock()
        self.server = host_port(config.host, config.port)
        """Where the server is, for messages."""

    async def open(self) -> None:
        """Nothing: the TCP connection is made on the first request."""

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def _connected(self, node_id: str) -> AsyncModbusTcpClient:
        """The open client; connects, waiting with back-off up to ``queue_timeout``."""
        if self._client is not None and self._client.connected:
            return self._client
        from pymodbus.client import AsyncModbusTcpClient

        if self._client is not None:  # it was connected, and is no more
            self.ctx.report_connection(False)

        cfg = self.config
        loop = asyncio.get_running_loop()
        give_up = loop.time() + cfg.queue_timeout
        delay = cfg.reconnect_delay
        while True:
            await self.close()
            client = AsyncModbusTcpClient(
                cfg.host, port=cfg.port, timeout=cfg.timeout, retries=0,
                reconnect_delay=0, reconnect_delay_max=0,
            )
            if await client.connect():
                self._client = client
                self.ctx.report_connection(True)
                return client
            client.close()
            self.ctx.report_connection(False)
            left = give_up - loop.time()
            if left <= 0:
                raise NotConnected(
                    f"modbus server {self.server} unreachable for {cfg.queue_timeout:g} s",
                    node=node_id,
                )
            await asyncio.sleep(min(delay, left))
            delay = min(delay * 2, 30.0)

    async def _call(self, node_id: str, method: str, *args: Any, **kwargs: Any) -> Any:
        from pymodbus.exceptions import ConnectionException, ModbusIOException

        async with self._queue:
            for _attempt in range(2):  # once more on a fresh connection if the old one broke
                client = await self._connected(node_id)
                try:
                    result = await getattr(client, method)(*args, **kwargs)
                except (ConnectionException, ModbusIOException, OSError) as exc:
                    await self.close()
                    self.ctx.report_connection(False)
                    last: Exception = exc
                    continue
                if result.isError():
                    raise NodeError(
                        f"modbus server {self.server} refused {method} at {args[0]}: "
                        f"exception code {getattr(result, 'exception_code', '?')}",
                        node=node_id,
                    )
                return result
            raise NotConnected(
                f"modbus server {self.server}: {last}", node=node_id
            ) from last

    async def read(self, node_id: str, fc: int, unit_id: int | None, address: int,
                   quantity: int) -> dict[str, Any]:
        """Read with function code ``fc`` (1 coils, 2 discrete inputs, 3 holding registers,
        4 input registers): modbus-serial's response, ``{"data": [...], "buffer": bytes}``."""
        method = {1: "read_coils", 2: "read_discrete_inputs", 3: "read_holding_registers",
                  4: "read_input_registers"}[fc]
        unit = self.config.unit_id if unit_id is None else unit_id
        result = await self._call(node_id, method, address, count=quantity, device_id=unit)
        return read_response(fc, result, quantity)

    async def write(self, node_id: str, fc: int, unit_id: int | None, address: int,
                    value: Any) -> dict[str, Any]:
        """Write with function code ``fc`` (5 one coil, 6 one register, 15 coils, 16
        registers): modbus-serial's response (``address`` with ``state``, ``value`` or
        ``length``)."""
        method = {5: "write_coil", 6: "write_register", 15: "write_coils",
                  16: "write_registers"}[fc]
        unit = self.config.unit_id if unit_id is None else unit_id
        await self._call(node_id, method, address, value, device_id=unit)
        return write_response(fc, address, value)
