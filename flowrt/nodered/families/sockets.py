"""Node-RED's raw socket nodes: tcp in, tcp out, tcp request, udp in and udp out, which become
flowrt's tcp-in, tcp-out, tcp-request, udp-in and udp-out (the net pack).

Node-RED listens on every interface; flowrt's nodes listen on 127.0.0.1 unless their `bind`
says otherwise, and the import says so. TLS on TCP nodes has no counterpart yet."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType

_LOCAL = ("listens on 127.0.0.1 only (Node-RED listens on every interface): set `bind: "
          "0.0.0.0` to accept other hosts")
_ESCAPES = (("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t"))

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def _unescape(text: Any, every: bool = True) -> str:
    """Node-RED's delimiter field, where `\\n`, `\\r` and `\\t` are written as two characters
    (tcp request replaces only the first of each, as Node-RED does)."""
    out = text if isinstance(text, str) else ""
    for written, char in _ESCAPES:
        out = out.replace(written, char) if every else out.replace(written, char, 1)
    return out


def _port(node: NrNode, key: str = "port") -> int | None:
    port = as_number(node.get(key))
    return int(port) if port and 1 <= port <= 65535 else None


def _no_tls(node: NrNode) -> None:
    if node.get("tls"):
        raise Unsupported("TLS is not offered by flowrt's TCP nodes")


def import_tcp_in(node: NrNode, cx: MapContext) -> Mapped:
    _no_tls(node)
    port = _port(node)
    if port is None:
        raise Unsupported("the node has no port")
    server = node.get("server")
    listen = server if isinstance(server, bool) else server == "server"
    config: dict[str, Any] = {"port": port}
    if listen:
        cx.note(_LOCAL)
    else:
        host = node.get("host")
        if not isinstance(host, str) or not host:
            raise Unsupported("the node connects to no host")
        config.update(mode="connect", host=host)
    if node.get("datamode") == "single":
        config["data_mode"] = "single"
    datatype = node.word("datatype") or "buffer"
    if datatype in ("utf8", "base64"):
        config["data_type"] = datatype
    newline = _unescape(node.get("newline"))
    if newline:
        config["newline"] = newline
    if node.flag("trim"):
        config["keep_newline"] = True
    topic = node.get("topic")
    if isinstance(topic, str) and topic:
        config["topic"] = topic
    return Mapped("tcp-in", config)


def import_tcp_out(node: NrNode, cx: MapContext) -> Mapped:
    _no_tls(node)
    mode = {"server": "listen", "reply": "reply"}.get(node.word("beserver"), "connect")
    config: dict[str, Any] = {"mode": mode}
    if mode != "reply":
        port = _port(node)
        if port is None:
            raise Unsupported("the node has no port")
        config["port"] = port
    if mode == "connect":
        host = node.get("host")
        if not isinstance(host, str) or not host:
            raise Unsupported("the node connects to no host")
        config["host"] = host
        cx.note("while the connection is down, messages wait and are written once it is back "
                "(Node-RED drops them)")
    elif mode == "listen":
        cx.note(_LOCAL)
    if node.flag("base64"):
        config["base64"] = True
    if node.flag("end") and mode != "reply":
        config["close_after_send"] = True
    return Mapped("tcp-out", config)


_RETURNS = {"time": "timeout", "count": "count", "char": "character", "sit": "never",
            "immed": "immediately"}


def _split_char(given: Any) -> str:
    """tcp request's `splitc` in character mode: `\\n` style escapes, `0x..` codes, or the
    first character."""
    text: str = str(given) if isinstance(given, str | int) else ""
    if text.startswith("\\"):
        named = {"\\n": 10, "\\r": 13, "\\t": 9, "\\e": 27, "\\f": 12, "\\0": 0}
        code = named.get(text[:2])
        if code is None:
            raise Unsupported(f"the character `{text}` is not one Node-RED reads")
        return chr(code)
    if text.startswith("0x"):
        try:
            return chr(int(text, 16) & 0xFF)
        except ValueError as exc:
            raise Unsupported(f"the character `{text}` is not a hexadecimal code") from exc
    if not text:
        raise Unsupported("the node returns on a character but none is given")
    if ord(text[0]) > 255:
        raise Unsupported(f"the character `{text[0]}` is not one byte")
    return text[0]


def import_tcp_request(node: NrNode, cx: MapContext) -> Mapped:
    _no_tls(node)
    config: dict[str, Any] = {}
    host = node.get("server")
    if isinstance(host, str) and host.strip():
        config["host"] = host.strip()
    port = _port(node)
    if port is not None:
        config["port"] = port
    returns = _RETURNS.get(node.word("out") or "time")
    if returns is None:
        raise Unsupported(f"return mode `{node.get('out')}` is not one Node-RED has")
    config["return_when"] = returns
    splitc = node.get("splitc")
    if returns == "timeout":
        wait = as_number(splitc)
        config["timeout"] = max(0.0, float(wait or 0)) / 1000.0
    elif returns == "count":
        count = as_number(splitc)
        config["count"] = max(1, int(count or 0))
    elif returns == "character":
        config["character"] = _split_char(splitc)
    if node.word("ret") == "string":
        config["output"] = "string"
    newline = _unescape(node.get("newline"), every=False)
    if newline and returns == "never":
        config["newline"] = newline
    if node.flag("trim") and returns == "never":
        config["keep_newline"] = True
    return Mapped("tcp-request", config)


def _interface(node: NrNode, config: dict[str, Any], cx: MapContext) -> None:
    iface = node.get("iface")
    if isinstance(iface, str) and iface:
        if "." in iface or ":" in iface:
            config["interface"] = iface
        else:
            cx.note(f"the interface `{iface}` is named: set `interface` to its address")


def import_udp_in(node: NrNode, cx: MapContext) -> Mapped:
    port = _port(node)
    if port is None:
        raise Unsupported("the node has no port")
    config: dict[str, Any] = {"port": port}
    if str(node.get("multicast")) == "true":
        group = node.get("group")
        if not isinstance(group, str) or not group:
            raise Unsupported("the node joins a multicast group but names none")
        config["group"] = group
        _interface(node, config, cx)
    else:
        cx.note(_LOCAL)
    if node.get("ipv") == "udp6":
        config["ip_version"] = 6
    datatype = node.word("datatype") or "buffer"
    if datatype in ("utf8", "base64"):
        config["data_type"] = datatype
    return Mapped("udp-in", config)


def import_udp_out(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    addr = node.get("addr")
    if isinstance(addr, str) and addr.strip():
        config["host"] = addr.strip()
    port = _port(node)
    if port is not None:
        config["port"] = port
    outport = _port(node, "outport")
    if outport is not None:
        config["local_port"] = outport
    mode = {"board": "broadcast", "multi": "multicast"}.get(str(node.get("multicast")))
    if mode:
        config["mode"] = mode
        _interface(node, config, cx)
    if node.get("ipv") == "udp6":
        config["ip_version"] = 6
    if as_bool(node.get("base64")):
        config["base64"] = True
    return Mapped("udp-out", config)


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def _escape(text: str) -> str:
    for written, char in _ESCAPES:
        text = text.replace(char, written)
    return text


def export_tcp_in(c: dict[str, Any]) -> dict[str, Any]:
    listen = c.get("mode", "listen") == "listen"
    return {"server": "server" if listen else "client", "host": c.get("host") or "",
            "port": str(c.get("port", "")), "datamode": c.get("data_mode", "stream"),
            "datatype": c.get("data_type", "buffer"), "newline": _escape(c.get("newline", "")),
            "topic": c.get("topic", ""), "trim": bool(c.get("keep_newline")),
            "base64": False, "tls": ""}


def export_tcp_out(c: dict[str, Any]) -> dict[str, Any]:
    mode = c.get("mode", "reply")
    return {"host": c.get("host") or "", "port": str(c.get("port") or ""),
            "beserver": {"listen": "server", "connect": "client"}.get(mode, "reply"),
            "base64": bool(c.get("base64")), "end": bool(c.get("close_after_send")), "tls": ""}


def export_tcp_request(c: dict[str, Any]) -> dict[str, Any]:
    returns = c.get("return_when", "timeout")
    out = {v: k for k, v in _RETURNS.items()}[returns]
    splitc = "0"
    if returns == "timeout":
        splitc = f"{float(c.get('timeout', 0)) * 1000:g}"
    elif returns == "count":
        splitc = str(c.get("count", 1))
    elif returns == "character":
        char = c.get("character", "\n")
        splitc = _escape(char) if char in "\n\r\t" else char
    return {"server": c.get("host") or "", "port": str(c.get("port") or ""), "out": out,
            "ret": c.get("output", "buffer"), "splitc": splitc,
            "newline": _escape(c.get("newline", "")), "trim": bool(c.get("keep_newline")),
            "tls": ""}


def export_udp_in(c: dict[str, Any]) -> dict[str, Any]:
    group = c.get("group")
    return {"iface": c.get("interface") or "", "port": str(c.get("port", "")),
            "ipv": "udp6" if c.get("ip_version") == 6 else "udp4",
            "multicast": "true" if group else "false", "group": group or "",
            "datatype": c.get("data_type", "buffer")}


def export_udp_out(c: dict[str, Any]) -> dict[str, Any]:
    return {"addr": c.get("host") or "", "iface": c.get("interface") or "",
            "port": str(c.get("port") or ""),
            "ipv": "udp6" if c.get("ip_version") == 6 else "udp4",
            "outport": str(c.get("local_port") or ""), "base64": bool(c.get("base64")),
            "multicast": {"broadcast": "board", "multicast": "multi"}.get(
                c.get("mode", "unicast"), "false")}


TYPES = (
    NrType("tcp in", "tcp-in", import_tcp_in, export_tcp_in),
    NrType("tcp out", "tcp-out", import_tcp_out, export_tcp_out),
    NrType("tcp request", "tcp-request", import_tcp_request, export_tcp_request),
    NrType("udp in", "udp-in", import_udp_in, export_udp_in),
    NrType("udp out", "udp-out", import_udp_out, export_udp_out),
)
