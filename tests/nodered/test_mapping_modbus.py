"""node-red-contrib-modbus: `modbus-client` becomes a `modbus-client` connection (times in
seconds), the read, getter, write, flex, server and response nodes their flowrt namesakes; an
imported read-and-write flow runs against pymodbus's real server; the export gives back the
same Node-RED types and fields."""

from __future__ import annotations

import asyncio
from pathlib import Path

from flowrt.nodered.export import export_project
from tests.nodered.helpers import entry, errors, flowrt_id, node, nr_import, tab, texts
from tests.nodes.modbus.modbus_kit import modbus_server, running
from tests.support.servers import free_port
from tests.support.waiting import eventually

CLIENT = {"id": "cc00cc00cc00cc00", "type": "modbus-client", "name": "PLC",
          "clienttype": "tcp", "tcpHost": "10.0.0.5", "tcpPort": "5020", "tcpType": "DEFAULT",
          "unit_id": "3", "clientTimeout": "1500", "reconnectTimeout": "4000"}


def nodes() -> list[dict[str, object]]:
    return [
        tab(), CLIENT,
        {"id": "r", "type": "modbus-read", "z": "t1", "server": CLIENT["id"], "name": "",
         "topic": "", "unitid": "", "dataType": "InputRegister", "adr": "4", "quantity": "2",
         "rate": "500", "rateUnit": "ms", "delayOnStart": False, "startDelayTime": "",
         "wires": [["resp"], []]},
        {"id": "g", "type": "modbus-getter", "z": "t1", "server": CLIENT["id"], "unitid": "2",
         "dataType": "Coil", "adr": "0", "quantity": "8", "wires": [[], []]},
        {"id": "w", "type": "modbus-write", "z": "t1", "server": CLIENT["id"], "unitid": "",
         "dataType": "MHoldingRegisters", "adr": "10", "quantity": "2", "wires": [[], []]},
        {"id": "fg", "type": "modbus-flex-getter", "z": "t1", "server": CLIENT["id"],
         "keepMsgProperties": True, "wires": [[], []]},
        {"id": "fw", "type": "modbus-flex-write", "z": "t1", "server": CLIENT["id"],
         "wires": [[], []]},
        {"id": "s", "type": "modbus-server", "z": "t1", "hostname": "0.0.0.0",
         "serverPort": "10502", "coilsBufferSize": "100", "holdingBufferSize": "100",
         "inputBufferSize": "100", "discreteBufferSize": "100", "wires": [[], [], [], [], []]},
        {"id": "resp", "type": "modbus-response", "z": "t1", "registerShowMax": "5",
         "wires": []},
    ]


def test_modbus_nodes_import_as_their_namesakes() -> None:
    conversion = nr_import(nodes())
    assert not errors(conversion), errors(conversion)
    [conn] = conversion.flows[0].connections.values()
    assert conn.data() == {"type": "modbus-client", "label": "PLC", "host": "10.0.0.5",
                           "port": 5020, "unit_id": 3, "timeout": 1.5,
                           "reconnect_delay": 4.0}
    read = node(conversion, "r")
    assert {k: v for k, v in read.items() if k != "to"} == {
        "type": "modbus-read", "connection": "plc", "data_type": "InputRegister",
        "address": 4, "quantity": 2, "rate": 500, "rate_unit": "ms", "topic": ""}
    assert node(conversion, "g")["unit_id"] == 2
    assert node(conversion, "w")["data_type"] == "MHoldingRegisters"
    assert node(conversion, "fg")["keep_msg_properties"] is True
    assert node(conversion, "s")["port"] == 10502
    assert node(conversion, "s")["holding_buffer_size"] == 100
    assert node(conversion, "resp") == {"type": "modbus-response", "register_show_max": 5}
    for nr_id in ("r", "g", "w", "fg", "fw", "s", "resp"):
        assert entry(conversion, nr_id).reason == ""


def test_the_export_gives_back_the_node_red_types(tmp_path: Path) -> None:
    conversion = nr_import(nodes())
    for name, text in texts(conversion).items():
        (tmp_path / Path(name).name).write_text(text)
    exported, _ = export_project([str(tmp_path)])
    by_type = {n["type"]: n for n in exported}
    assert {"modbus-client", "modbus-read", "modbus-getter", "modbus-write",
            "modbus-flex-getter", "modbus-flex-write", "modbus-server",
            "modbus-response"} <= set(by_type)
    client = by_type["modbus-client"]
    assert (client["tcpHost"], client["tcpPort"], client["clientTimeout"]) == (
        "10.0.0.5", "5020", 1500)
    read = by_type["modbus-read"]
    assert (read["dataType"], read["adr"], read["rate"], read["rateUnit"]) == (
        "InputRegister", "4", "500", "ms")
    assert read["server"] == client["id"]


def test_an_imported_flow_reads_and_writes_a_real_server() -> None:
    port = free_port()
    client = CLIENT | {"tcpHost": "127.0.0.1", "tcpPort": str(port), "unit_id": "1"}
    flow = [tab(), client,
            {"id": "w", "type": "modbus-flex-write", "z": "t1", "server": CLIENT["id"],
             "wires": [["g"], []]},
            {"id": "g", "type": "modbus-getter", "z": "t1", "server": CLIENT["id"],
             "unitid": "", "dataType": "HoldingRegister", "adr": "0", "quantity": "3",
             "wires": [[], []]}]
    conversion = nr_import(flow)
    assert not errors(conversion), errors(conversion)

    text = next(iter(texts(conversion).values()))
    write, get = flowrt_id(conversion, "w"), flowrt_id(conversion, "g")

    async def main() -> None:
        async with modbus_server(port), running(text) as harness:
            harness.send(write, {"payload": {"fc": 16, "address": 0, "quantity": 3,
                                             "value": [5, 6, 7]}})
            got = await eventually(lambda: harness.result.payloads(get),
                                   "the getter's values", timeout=30.0)
            assert got == [[5, 6, 7]]

    asyncio.run(main())
