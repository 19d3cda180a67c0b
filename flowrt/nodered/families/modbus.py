"""node-red-contrib-modbus: `modbus-client` (a connection; TCP only), `modbus-read`,
`modbus-getter`, `modbus-flex-getter`, `modbus-write`, `modbus-flex-write`, `modbus-server`
and `modbus-response`, both ways. Times in the contrib are milliseconds; flowrt's are seconds.
"""

from __future__ import annotations

from typing import Any

from flowrt.nodered.mapping import MapContext, Mapped
from flowrt.nodered.nrnode import NrNode, as_number
from flowrt.nodered.nrtype import NrType

READ_TYPES = ("Coil", "Input", "HoldingRegister", "InputRegister")
WRITE_TYPES = ("Coil", "HoldingRegister", "MCoils", "MHoldingRegisters")


def _int(node: NrNode, key: str, default: int) -> int:
    number = as_number(node.get(key))
    return int(number) if number is not None else default


def _unit(node: NrNode) -> dict[str, Any]:
    number = as_number(node.get("unitid"))
    return {"unit_id": int(number)} if number is not None and 0 <= number <= 255 else {}


def import_client(node: NrNode, cx: MapContext) -> Mapped:
    kind = node.get("clienttype") or "tcp"
    if kind != "tcp" or (node.get("tcpType") or "DEFAULT") != "DEFAULT":
        cx.note(f"client type {kind}/{node.get('tcpType')}: flowrt speaks Modbus TCP only; "
                "the connection is made as TCP to the same host and port")
    unit = as_number(node.get("unit_id"))
    return Mapped("modbus-client", {
        "host": node.get("tcpHost") or "127.0.0.1",
        "port": _int(node, "tcpPort", 502),
        "unit_id": int(unit) if unit is not None and 0 <= unit <= 255 else 1,
        "timeout": _int(node, "clientTimeout", 1000) / 1000,
        "reconnect_delay": _int(node, "reconnectTimeout", 2000) / 1000,
    })


def _connection(node: NrNode, cx: MapContext) -> str:
    return str(cx.connection(node.get("server"), "modbus-client", "modbus-client"))


def import_read(node: NrNode, cx: MapContext) -> Mapped:
    data_type = node.get("dataType") if node.get("dataType") in READ_TYPES else "HoldingRegister"
    unit = str(node.get("rateUnit") or "s")
    rate = as_number(node.get("rate"))
    config: dict[str, Any] = {
        "connection": _connection(node, cx), "data_type": data_type,
        "address": _int(node, "adr", 0), "quantity": max(1, _int(node, "quantity", 1)),
        "rate": rate if rate and unit in ("ms", "s", "m", "h") else 10,
        "rate_unit": unit if rate and unit in ("ms", "s", "m", "h") else "s",
        "topic": node.get("topic") or "", **_unit(node),
    }
    if node.get("delayOnStart"):
        config |= {"delay_on_start": True, "start_delay": _int(node, "startDelayTime", 10)}
    return Mapped("modbus-read", config)


def import_getter(node: NrNode, cx: MapContext) -> Mapped:
    data_type = node.get("dataType") if node.get("dataType") in READ_TYPES else "HoldingRegister"
    return Mapped("modbus-getter", {
        "connection": _connection(node, cx), "data_type": data_type,
        "address": _int(node, "adr", 0), "quantity": max(1, _int(node, "quantity", 1)),
        "keep_msg_properties": bool(node.get("keepMsgProperties")), **_unit(node),
    })


def import_write(node: NrNode, cx: MapContext) -> Mapped:
    data_type = (node.get("dataType") if node.get("dataType") in WRITE_TYPES
                 else "HoldingRegister")
    return Mapped("modbus-write", {
        "connection": _connection(node, cx), "data_type": data_type,
        "address": _int(node, "adr", 0), "quantity": max(1, _int(node, "quantity", 1)),
        "keep_msg_properties": bool(node.get("keepMsgProperties")), **_unit(node),
    })


def import_flex(flowrt: str) -> Any:
    def convert(node: NrNode, cx: MapContext) -> Mapped:
        return Mapped(flowrt, {"connection": _connection(node, cx),
                               "keep_msg_properties": bool(node.get("keepMsgProperties"))})
    return convert


def import_server(node: NrNode, cx: MapContext) -> Mapped:
    host = node.get("hostname") or "0.0.0.0"
    config: dict[str, Any] = {"host": host, "port": _int(node, "serverPort", 10502)}
    for name in ("coils", "holding", "input", "discrete"):
        config[f"{name}_buffer_size"] = max(1, _int(node, f"{name}BufferSize", 10000))
    cx.note("a memory write from a message lands at its Modbus address (the contrib's lands "
            "at address * 4 for registers)")
    return Mapped("modbus-server", config)


def import_response(node: NrNode, cx: MapContext) -> Mapped:
    return Mapped("modbus-response",
                  {"register_show_max": max(0, _int(node, "registerShowMax", 20))})


def export_client(c: dict[str, Any]) -> dict[str, Any]:
    return {"clienttype": "tcp", "tcpHost": c.get("host", "127.0.0.1"),
            "tcpPort": str(c.get("port", 502)), "tcpType": "DEFAULT",
            "unit_id": c.get("unit_id", 1),
            "clientTimeout": round(float(c.get("timeout", 1.0)) * 1000),
            "reconnectTimeout": round(float(c.get("reconnect_delay", 2.0)) * 1000),
            "reconnectOnTimeout": True, "parallelUnitIdsAllowed": True}


def _export_unit(c: dict[str, Any]) -> str:
    unit = c.get("unit_id")
    return "" if unit is None else str(unit)


def export_read(c: dict[str, Any]) -> dict[str, Any]:
    return {"server": c.get("connection"), "dataType": c.get("data_type", "HoldingRegister"),
            "adr": str(c.get("address", 0)), "quantity": str(c.get("quantity", 1)),
            "rate": str(c.get("rate", 10)), "rateUnit": c.get("rate_unit", "s"),
            "topic": c.get("topic", ""), "unitid": _export_unit(c),
            "delayOnStart": bool(c.get("delay_on_start")),
            "startDelayTime": str(c.get("start_delay", 10))}


def export_getter(c: dict[str, Any]) -> dict[str, Any]:
    return {"server": c.get("connection"), "dataType": c.get("data_type", "HoldingRegister"),
            "adr": str(c.get("address", 0)), "quantity": str(c.get("quantity", 1)),
            "unitid": _export_unit(c), "keepMsgProperties": bool(c.get("keep_msg_properties"))}


def export_flex(c: dict[str, Any]) -> dict[str, Any]:
    return {"server": c.get("connection"),
            "keepMsgProperties": bool(c.get("keep_msg_properties"))}


def export_server(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"hostname": c.get("host", "127.0.0.1"),
                           "serverPort": c.get("port", 10502), "responseDelay": 100,
                           "delayUnit": "ms"}
    for name in ("coils", "holding", "input", "discrete"):
        out[f"{name}BufferSize"] = c.get(f"{name}_buffer_size", 10000)
    return out


def export_response(c: dict[str, Any]) -> dict[str, Any]:
    return {"registerShowMax": c.get("register_show_max", 20)}


TYPES = (
    NrType("modbus-client", "modbus-client", import_client, export_client, config=True,
           stub="host"),
    NrType("modbus-read", "modbus-read", import_read, export_read),
    NrType("modbus-getter", "modbus-getter", import_getter, export_getter),
    NrType("modbus-flex-getter", "modbus-flex-getter", import_flex("modbus-flex-getter"),
           export_flex),
    NrType("modbus-write", "modbus-write", import_write, export_getter),
    NrType("modbus-flex-write", "modbus-flex-write", import_flex("modbus-flex-write"),
           export_flex),
    NrType("modbus-server", "modbus-server", import_server, export_server),
    NrType("modbus-response", "modbus-response", import_response, export_response),
)
