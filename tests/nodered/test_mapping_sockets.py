"""Mappings of Node-RED's tcp in, tcp out, tcp request, udp in and udp out nodes to the net
pack's types: each Node-RED setting, the notes the import makes, and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.nodered.helpers import entry, errors, node, nr_import, tab


def mapped(**nr: Any) -> tuple[dict[str, Any], list[str]]:
    conversion = nr_import([tab(), {"id": "n", "z": "t1", "wires": [[]], **nr}])
    assert not errors(conversion), errors(conversion)
    data = node(conversion, "n")
    data.pop("to", None)
    return data, entry(conversion, "n").notes


def test_tcp_in_listening_notes_that_it_binds_to_loopback() -> None:
    data, notes = mapped(type="tcp in", server="server", host="", port="7000",
                         datamode="stream", datatype="utf8", newline="\\r\\n", topic="t",
                         trim=True, base64=False, tls="")
    assert data == {"type": "tcp-in", "port": 7000, "data_type": "utf8", "newline": "\r\n",
                    "keep_newline": True, "topic": "t"}
    assert any("127.0.0.1" in n and "bind" in n for n in notes)


def test_tcp_in_connecting() -> None:
    data, notes = mapped(type="tcp in", server="client", host="plc.local", port=502,
                         datamode="single", datatype="buffer", newline="", topic="")
    assert data == {"type": "tcp-in", "mode": "connect", "host": "plc.local", "port": 502,
                    "data_mode": "single"}
    assert notes == []


@pytest.mark.parametrize(
    ("nr", "config"),
    [
        ({"beserver": "reply", "port": "", "base64": False, "end": True},
         {"mode": "reply"}),
        ({"beserver": "server", "port": "9000", "base64": True, "end": True},
         {"mode": "listen", "port": 9000, "base64": True, "close_after_send": True}),
        ({"beserver": "client", "host": "10.0.0.5", "port": "9100", "end": False},
         {"mode": "connect", "port": 9100, "host": "10.0.0.5"}),
    ],
)
def test_tcp_out_modes(nr: dict[str, Any], config: dict[str, Any]) -> None:
    data, _ = mapped(type="tcp out", tls="", **nr)
    assert data == {"type": "tcp-out", **config}


@pytest.mark.parametrize(
    ("nr", "config"),
    [
        ({"out": "time", "splitc": "250"}, {"return_when": "timeout", "timeout": 0.25}),
        ({"out": "count", "splitc": "12"}, {"return_when": "count", "count": 12}),
        ({"out": "char", "splitc": "\\n"}, {"return_when": "character", "character": "\n"}),
        ({"out": "char", "splitc": "0x03"}, {"return_when": "character", "character": "\x03"}),
        ({"out": "char", "splitc": "#"}, {"return_when": "character", "character": "#"}),
        ({"out": "sit", "splitc": "0", "ret": "string", "newline": "\\n", "trim": True},
         {"return_when": "never", "output": "string", "newline": "\n", "keep_newline": True}),
        ({"out": "immed", "splitc": "0"}, {"return_when": "immediately"}),
    ],
)
def test_tcp_request_return_modes(nr: dict[str, Any], config: dict[str, Any]) -> None:
    data, _ = mapped(type="tcp request", server="127.0.0.1", port="4001", tls="",
                     **{"ret": "buffer", "newline": "", "trim": False, **nr})
    assert data == {"type": "tcp-request", "host": "127.0.0.1", "port": 4001, **config}


def test_tcp_request_without_server_takes_it_from_the_message() -> None:
    data, _ = mapped(type="tcp request", server="", port="", out="time", splitc="0",
                     ret="buffer")
    assert data == {"type": "tcp-request", "return_when": "timeout", "timeout": 0.0}


def test_udp_in_and_out() -> None:
    data, notes = mapped(type="udp in", iface="", port="5140", ipv="udp4", multicast="false",
                         group="", datatype="base64")
    assert data == {"type": "udp-in", "port": 5140, "data_type": "base64"}
    assert any("127.0.0.1" in n for n in notes)
    data, notes = mapped(type="udp in", iface="eth0", port="5140", ipv="udp4",
                         multicast="true", group="239.1.2.3", datatype="buffer")
    assert data == {"type": "udp-in", "port": 5140, "group": "239.1.2.3"}
    assert any("`eth0`" in n for n in notes)
    data, _ = mapped(type="udp out", addr="255.255.255.255", iface="", port="9", ipv="udp4",
                     outport="5141", base64=True, multicast="board")
    assert data == {"type": "udp-out", "host": "255.255.255.255", "port": 9,
                    "local_port": 5141, "mode": "broadcast", "base64": True}


@pytest.mark.parametrize(
    ("nr", "reason"),
    [
        ({"type": "tcp in", "server": "server", "port": "7000", "tls": "t"}, "TLS"),
        ({"type": "tcp in", "server": "client", "host": "", "port": "7000"}, "no host"),
        ({"type": "tcp out", "beserver": "client", "host": "h", "port": ""}, "no port"),
        ({"type": "tcp request", "out": "char", "splitc": "\\q"}, "not one Node-RED reads"),
        ({"type": "udp in", "port": "", "multicast": "false"}, "no port"),
    ],
)
def test_what_cannot_be_mapped_is_unsupported_with_the_reason(nr: dict[str, Any],
                                                              reason: str) -> None:
    conversion = nr_import([tab(), {"id": "n", "z": "t1", "wires": [[]], **nr}])
    assert entry(conversion, "n").status == "unsupported"
    assert reason in entry(conversion, "n").reason
