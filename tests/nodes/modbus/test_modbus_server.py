"""modbus-server talked to by pymodbus's client: what clients write is in the memory the node
sends, what the flow writes is what clients read; modbus-response shows answers."""

from __future__ import annotations

import asyncio

from pymodbus.client import AsyncModbusTcpClient

from tests.nodes.modbus.modbus_kit import running
from tests.support.servers import free_port
from tests.support.waiting import eventually


def test_clients_and_the_flow_share_the_memory() -> None:
    async def main() -> None:
        port = free_port()
        text = ("flowrt: 1\nnodes:\n"
                f"  srv: {{type: modbus-server, port: {port}, holding_buffer_size: 4, "
                "coils_buffer_size: 1, input_buffer_size: 4, discrete_buffer_size: 1}\n"
                "  shown: {type: modbus-response}\n")
        async with running(text) as harness:
            client = AsyncModbusTcpClient("127.0.0.1", port=port)
            assert await eventually(client.connect, "a connection to modbus-server",
                                    timeout=30.0)
            try:
                await client.write_registers(3, [500, 600], device_id=1)
                await client.write_coil(9, True, device_id=7)
                harness.send("srv", {"payload": {"register": "input", "address": 2,
                                                 "value": [11, 12]}})
                harness.send("srv", {"payload": {"register": "discrete", "address": 0,
                                                 "value": True}})
                outs = await eventually(
                    lambda: len(harness.result.sent("srv", 4)) >= 2
                    and [harness.result.sent("srv", p) for p in range(5)],
                    "two rounds of memory", timeout=30.0)
                holding, coils, inputs, discrete, request = (o[-1] for o in outs)
                assert holding["type"] == "holding" and len(holding["payload"]) == 32
                assert holding["payload"][6:10] == bytes.fromhex("01f4" "0258")
                assert coils["payload"] == b"\x00\x02" + bytes(6)
                assert inputs["payload"][4:8] == bytes.fromhex("000b" "000c")
                assert discrete["payload"][0] == 1
                assert request["payload"] == "request" and request["type"] == "message"
                read = await client.read_input_registers(2, count=2, device_id=1)
                assert read.registers == [11, 12]
                bits = await client.read_discrete_inputs(0, count=1, device_id=1)
                assert bits.bits[0] is True
            finally:
                client.close()
            harness.send("shown", {"payload": {"data": [1, 2], "buffer": b"\x00"}})
            await eventually(
                lambda: any(s[1].get("text") == "[1, 2]" for s in harness.result.statuses
                            if s[0] == "shown"), "the response's status", timeout=30.0)

    asyncio.run(main())
