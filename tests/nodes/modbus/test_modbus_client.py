"""The modbus client nodes against pymodbus's real Modbus TCP server on 127.0.0.1: reads by
poll and on input, writes single and multiple, the contrib's message shapes, errors to catch,
a server restart in the middle of polling that loses no queued write, and the connection's
state and reconnects in the runtime's metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from flowrt.run.metrics import connection_metrics
from flowrt.testing import Harness
from tests.nodes.modbus.modbus_kit import flow, modbus_server, running
from tests.support.servers import free_port
from tests.support.waiting import eventually


async def sent(harness: Harness, node: str, count: int, port: int = 0) -> list[Any]:
    return list(await eventually(
        lambda: (m := harness.result.sent(node, port)) and len(m) >= count and m,
        f"{count} message(s) from {node}:{port}", timeout=30.0))


def test_write_then_get_registers_and_coils() -> None:
    async def main() -> None:
        port = free_port()
        async with modbus_server(port) as server:
            text = flow(
                port,
                "w: {type: modbus-write, connection: plc, data_type: MHoldingRegisters, "
                "address: 2, quantity: 3}",
                "c: {type: modbus-write, connection: plc, data_type: Coil, address: 5}",
                "g: {type: modbus-getter, connection: plc, data_type: HoldingRegister, "
                "address: 0, quantity: 6}",
                "gc: {type: modbus-getter, connection: plc, data_type: Coil, address: 4, "
                "quantity: 3}",
            )
            async with running(text) as harness:
                harness.send("w", {"topic": "t", "payload": [7, 8, 65535]})
                harness.send("c", {"payload": {"value": "true"}})
                [written] = await sent(harness, "w", 1)
                await sent(harness, "c", 1)
                assert written["payload"] == {"value": [7, 8, 65535], "unitid": None,
                                              "fc": 16, "address": 2, "quantity": 3}
                assert written["responseBuffer"] == {"address": 2, "length": 3}
                [answer] = await sent(harness, "w", 1, port=1)
                assert answer["payload"] == {"address": 2, "length": 3}
                assert await server.async_getValues(1, 3, 0, 6) == [0, 0, 7, 8, 65535, 0]
                harness.send("g", {"topic": "levels", "payload": True})
                harness.send("gc", {"payload": 1})
                [got] = await sent(harness, "g", 1)
                assert got["topic"] == "levels"
                assert got["payload"] == [0, 0, 7, 8, 65535, 0]
                assert got["responseBuffer"]["buffer"] == bytes.fromhex(
                    "0000" "0000" "0007" "0008" "ffff" "0000")
                assert got["modbusRequest"] == {"unitid": None, "fc": 3, "address": 0,
                                                "quantity": 6}
                [raw] = await sent(harness, "g", 1, port=1)
                assert raw["payload"]["data"] == raw["values"] == got["payload"]
                [coils] = await sent(harness, "gc", 1)
                # three coils read come as one byte's eight booleans, as modbus-serial gives
                assert coils["payload"] == [False, True, False] + [False] * 5
                assert coils["responseBuffer"]["buffer"] == b"\x02"

    asyncio.run(main())


def test_flex_nodes_take_the_request_from_the_message() -> None:
    async def main() -> None:
        port = free_port()
        async with modbus_server(port) as server:
            text = flow(
                port,
                "fw: {type: modbus-flex-write, connection: plc}",
                "fg: {type: modbus-flex-getter, connection: plc}",
                "oops: {type: catch, to: errs}",
                "errs: {type: debug}",
            )
            async with running(text) as harness:
                harness.send("fw", {"payload": {"fc": 15, "unitid": 1, "address": 1,
                                                "quantity": 3, "value": [1, 0, 1]}})
                harness.send("fw", {"payload": '{"fc": "6", "address": "9", "quantity": 1, '
                                               '"value": 1234}'})
                harness.send("fw", {"payload": {"fc": 16, "address": 0, "quantity": 2,
                                                "value": [1]}})
                await sent(harness, "fw", 2)
                assert await server.async_getValues(1, 1, 0, 4) == [False, True, False, True]
                assert await server.async_getValues(1, 3, 9, 1) == [1234]
                harness.send("fg", {"payload": {"fc": 4, "address": 3, "quantity": 2}})
                harness.send("fg", {"payload": {"fc": 2, "address": 0, "quantity": 4}})
                harness.send("fg", {"payload": {"fc": 3, "address": 60, "quantity": 10}})
                got = await sent(harness, "fg", 2)
                assert [m["payload"] for m in got] == [
                    [103, 104], [False, True, False, True, False, False, False, False]]
                errors = await eventually(
                    lambda: len(harness.result.errors) >= 2 and harness.result.errors,
                    "two errors", timeout=30.0)
                texts = sorted(str(e.message) for e in errors)
                assert "quantity should be equal" in texts[1] or "quantity should" in texts[0]
                assert any("exception code" in t for t in texts)

    asyncio.run(main())


def test_polling_goes_on_through_a_server_restart_and_queued_writes_arrive() -> None:
    async def scenario() -> None:
        port = free_port()
        text = flow(
            port,
            "poll: {type: modbus-read, connection: plc, data_type: HoldingRegister, "
            "address: 0, quantity: 2, rate: 100, rate_unit: ms, topic: level}",
            "w: {type: modbus-write, connection: plc, data_type: HoldingRegister, "
            "address: 1}",
        )
        first_server = modbus_server(port)
        await first_server.__aenter__()
        async with running(text) as harness:
            [first] = await sent(harness, "poll", 1)
            assert first["topic"] == "level" and first["payload"] == [0, 0]
            assert first["input"]["payload"]["fc"] == 3
            await first_server.__aexit__(None, None, None)
            harness.send("w", {"payload": 41})
            harness.send("w", {"payload": 42})
            await asyncio.sleep(0.5)
            assert harness.result.sent("w") == []  # held while the server is away
            async with modbus_server(port) as second:
                await sent(harness, "w", 2)
                assert await second.async_getValues(1, 3, 1, 1) == [42]
                await eventually(
                    lambda: any(m["payload"] == [0, 42] for m in harness.result.sent("poll")),
                    "a poll after the restart reads the write", timeout=30.0)

    asyncio.run(scenario())


def test_the_connection_reports_itself_up_down_and_a_reconnect_once_for_its_nodes() -> None:
    """Two nodes share plc: one ``connected`` and ``reconnects`` for plc, seen by /metrics."""

    def plc(harness: Harness) -> Any:
        assert harness.runtime is not None
        return connection_metrics(harness.runtime.meter).get("plc", {})

    async def scenario() -> None:
        port = free_port()
        text = flow(
            port,
            "poll: {type: modbus-read, connection: plc, data_type: HoldingRegister, "
            "address: 0, quantity: 2, rate: 100, rate_unit: ms}",
            "g: {type: modbus-getter, connection: plc, data_type: HoldingRegister, "
            "address: 0, quantity: 1}",
        )
        first_server = modbus_server(port)
        await first_server.__aenter__()
        async with running(text) as harness:
            await sent(harness, "poll", 1)
            harness.send("g", {"payload": 1})
            await sent(harness, "g", 1)
            assert plc(harness) == {"connected": True, "reconnects": 0,
                                    "type": "modbus-client", "flow": "test"}
            await first_server.__aexit__(None, None, None)
            await eventually(lambda: plc(harness)["connected"] is False,
                             "plc reported down once the server is gone", timeout=30.0)
            assert plc(harness)["reconnects"] == 0
            async with modbus_server(port):
                await eventually(lambda: plc(harness)["connected"], "plc back", timeout=30.0)
                assert plc(harness)["reconnects"] == 1

    asyncio.run(scenario())
