"""A real Modbus TCP server (pymodbus's) on 127.0.0.1 for the modbus nodes' tests, and flows
with those nodes run on real time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.registry.discover import walk_pack
from flowrt.registry.spec import spec_for
from flowrt.testing import Harness


def registry() -> Registry:
    """The core and modbus packs only."""
    return Registry(spec_for(cls, pack) for pack in ("core", "modbus")
                    for cls in walk_pack(f"flowrt_nodes.{pack}"))


@asynccontextmanager
async def modbus_server(port: int) -> AsyncIterator[ModbusTcpServer]:
    """pymodbus's server on 127.0.0.1:port, unit 1: 64 coils and discrete inputs, 64 holding
    and input registers, input register i holding 100 + i and discrete input i odd i."""
    device = SimDevice(1, simdata=(
        [SimData(0, 64, False, DataType.BITS)],
        [SimData(0, 64, [bool(i % 2) for i in range(64)], DataType.BITS)],
        [SimData(0, 64, 0, DataType.REGISTERS)],
        [SimData(0, 64, [100 + i for i in range(64)], DataType.REGISTERS)],
    ))
    server = ModbusTcpServer(device, address=("127.0.0.1", port))
    await server.serve_forever(background=True)
    try:
        yield server
    finally:
        await server.shutdown()  # type: ignore[no-untyped-call]


def flow(port: int, *nodes: str) -> str:
    body = "\n".join(f"  {line}" for line in nodes)
    return (f"flowrt: 1\nconnections:\n  plc: {{type: modbus-client, port: {port}, "
            f"reconnect_delay: 0.2}}\nnodes:\n{body}\n")


@asynccontextmanager
async def running(text: str) -> AsyncIterator[Harness]:
    plan, _ = build_plan(Project(documents=[load_text(text, "test.yaml")]), registry())
    harness = Harness(plan, virtual_time=False, timeout=60.0)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
