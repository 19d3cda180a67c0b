"""The same flow with node-red-contrib-modbus in real Node-RED 4 and, imported, in flowrt, each
against a pymodbus Modbus TCP server of its own started the same way on 127.0.0.1: writes (FC
5, 15, 16 by modbus-flex-write) and reads (FC 1 to 4 by modbus-flex-getter, FC 3 by
modbus-getter) give every debug node the same payloads.

node-red-contrib-modbus 5.23.3 is installed with npm on first use (tests/nodered/contrib.py):
its later releases fetch their modbus-serial from a registry of the authors' own, outside npm.
Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_modbus.py`.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from flowrt.testing import run_flow
from tests.nodered.contrib import CONTRIB_DIR, contrib_modules, with_contrib
from tests.nodered.differential import isolate, run_nodered
from tests.nodered.helpers import nodered_home
from tests.nodes.modbus.modbus_kit import modbus_server
from tests.support.servers import free_port

PACKAGE = "node-red-contrib-modbus"
RELEASE = "5.23.3"

WRITES: list[dict[str, Any]] = [
    {"fc": 16, "unitid": 1, "address": 0, "quantity": 3, "value": [11, 22, 65535]},
    {"fc": 5, "unitid": 1, "address": 2, "quantity": 1, "value": True},
    {"fc": 15, "unitid": 1, "address": 4, "quantity": 3, "value": [True, False, True]},
    {"fc": 6, "unitid": 1, "address": 7, "quantity": 1, "value": 300},
]
READS: list[dict[str, Any]] = [
    {"fc": 3, "unitid": 1, "address": 0, "quantity": 8},
    {"fc": 1, "unitid": 1, "address": 0, "quantity": 7},
    {"fc": 4, "unitid": 1, "address": 5, "quantity": 2},
    {"fc": 2, "unitid": 1, "address": 0, "quantity": 10},
]


@contextmanager
def server_thread(port: int) -> Iterator[None]:
    """pymodbus's server (modbus_kit's) on its own event loop in a thread, while the block
    runs (Node-RED runs in a process the test waits for)."""
    loop = asyncio.new_event_loop()
    ready, stop = threading.Event(), asyncio.Event()

    async def serve() -> None:
        async with modbus_server(port):
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(30), "pymodbus's server did not start"
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


def flow(port: int) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = [
        {"id": "t", "type": "tab", "label": "modbus"},
        {"id": "cfg", "type": "modbus-client", "name": "sim", "clienttype": "tcp",
         "bufferCommands": True, "tcpHost": "127.0.0.1", "tcpPort": str(port),
         "tcpType": "DEFAULT", "unit_id": "1", "commandDelay": "1", "clientTimeout": "1000",
         "reconnectOnTimeout": True, "reconnectTimeout": "2000",
         "parallelUnitIdsAllowed": True},
        {"id": "fw", "type": "modbus-flex-write", "z": "t", "server": "cfg",
         "showStatusActivities": False, "showErrors": False, "emptyMsgOnFail": False,
         "keepMsgProperties": False, "delayOnStart": False, "startDelayTime": "",
         "wires": [[], ["written"]]},
        {"id": "fg", "type": "modbus-flex-getter", "z": "t", "server": "cfg",
         "showStatusActivities": False, "showErrors": False, "logIOActivities": False,
         "useIOFile": False, "ioFile": "", "useIOForPayload": False, "emptyMsgOnFail": False,
         "keepMsgProperties": False, "delayOnStart": False, "startDelayTime": "",
         "wires": [["values"], []]},
        {"id": "g", "type": "modbus-getter", "z": "t", "server": "cfg", "unitid": "",
         "dataType": "HoldingRegister", "adr": "1", "quantity": "2",
         "showStatusActivities": False, "showErrors": False, "logIOActivities": False,
         "useIOFile": False, "ioFile": "", "useIOForPayload": False, "emptyMsgOnFail": False,
         "keepMsgProperties": False, "delayOnStart": False, "startDelayTime": "",
         "wires": [["getter"], []]},
        {"id": "written", "type": "debug", "z": "t", "wires": []},
        {"id": "values", "type": "debug", "z": "t", "wires": []},
        {"id": "getter", "type": "debug", "z": "t", "wires": []},
    ]
    steps = [("fw", w) for w in WRITES] + [("fg", r) for r in READS] + [("g", "go")]
    for n, (target, payload) in enumerate(steps):
        nodes.append({
            "id": f"i{n}", "type": "inject", "z": "t", "topic": f"step{n}",
            "payload": json.dumps(payload) if isinstance(payload, dict) else payload,
            "payloadType": "json" if isinstance(payload, dict) else "str",
            "props": [{"p": "payload"}, {"p": "topic", "vt": "str"}],
            "once": True, "onceDelay": round(2.0 + 0.3 * n, 1), "repeat": "", "crontab": "",
            "wires": [[target]]})
    return nodes


def in_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"type": "Buffer", "data": list(value)}
    if isinstance(value, list):
        return [in_json(v) for v in value]
    if isinstance(value, dict):
        return {k: in_json(v) for k, v in value.items()}
    return value


def test_modbus_flow_gives_the_same_payloads(tmp_path: Path) -> None:
    home = nodered_home()
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{RELEASE}")
    with_contrib(tmp_path, PACKAGE)
    ours_port, theirs_port = free_port(), free_port()

    with server_thread(ours_port):
        conversion = convert(read_data(flow(ours_port)), {}, "modbus.json")
        files = [render(f) for f in conversion.flows]
        result = run_flow(files[0], others=files[1:], until=8, virtual_time=False,
                          timeout=60)
    ours: dict[str, list[Any]] = {}
    for entry in conversion.report.entries:
        if entry.nr_type == "debug":
            ours[entry.nr_id] = [in_json(m.get("payload"))
                                 for m in result.received(entry.flowrt_id)]

    with server_thread(theirs_port):
        got = run_nodered({"modbus": isolate(flow(theirs_port), "nr-")}, home, tmp_path,
                          expected=len(WRITES) + len(READS) + 1)["modbus"]
    theirs = {k.removeprefix("nr-"): v for k, v in got.items()}

    assert theirs["values"] == [
        [11, 22, 65535, 0, 0, 0, 0, 300],
        [False, False, True, False, True, False, True, False],
        [105, 106],
        [False, True, False, True, False, True, False, True, False, True, False, False,
         False, False, False, False],
    ]
    assert ours == theirs
