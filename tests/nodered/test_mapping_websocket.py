"""Mappings of Node-RED's WebSocket nodes: websocket-listener and websocket-client become
connections of the same names (a client's URL with a password a secret reference), websocket
in and out name them; and back."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.families.websocket import (
    export_websocket_client,
    export_websocket_listener,
)
from tests.nodered.helpers import entry, errors, node, nr_import, tab

LISTENER = {"id": "aa11bb22cc33dd44", "type": "websocket-listener", "path": "/ws/echo",
            "wholemsg": "true"}
CLIENT = {"id": "ee55ff66aa77bb88", "type": "websocket-client", "name": "Feed",
          "path": "wss://ada:pa55word@stream.example.com/feed", "tls": "tls1",
          "wholemsg": "false", "hb": "15", "subprotocol": "v2.chat, v1.chat",
          "headers": [
              {"keyType": "other", "keyValue": "X-Site", "valueType": "other",
               "valueValue": "north"},
              {"keyType": "Authorization", "keyValue": "", "valueType": "env",
               "valueValue": "FEED_AUTH"},
          ]}
TLS = {"id": "tls1", "type": "tls-config", "verifyservercert": False}


def mapped(*nodes: dict[str, Any], configs: tuple[dict[str, Any], ...] = ()) -> Any:
    conversion = nr_import([tab(), *configs, *({"z": "t1", "wires": [[]], **n} for n in nodes)])
    assert not errors(conversion), errors(conversion)
    return conversion


def test_a_listener_echo_becomes_a_listener_connection_named_by_both_nodes() -> None:
    conversion = mapped(
        {"id": "i", "type": "websocket in", "server": LISTENER["id"], "client": ""},
        {"id": "o", "type": "websocket out", "server": LISTENER["id"], "client": ""},
        configs=(LISTENER,),
    )
    (name, connection), = conversion.flows[0].connections.items()
    assert connection.data() == {"type": "websocket-listener", "path": "/ws/echo",
                                 "whole_message": True}
    assert node(conversion, "i") == {"type": "websocket-in", "listener": name}
    assert node(conversion, "o") == {"type": "websocket-out", "listener": name}
    assert entry(conversion, "i").status == "mapped"


def test_a_client_keeps_its_settings_and_its_password_becomes_a_secret() -> None:
    conversion = mapped(
        {"id": "i", "type": "websocket in", "server": "", "client": CLIENT["id"]},
        configs=(CLIENT, TLS),
    )
    connection = conversion.flows[0].connections["feed"].data()
    assert connection.pop("url") == "${FEED_URL}"
    assert conversion.secrets == {"FEED_URL": "wss://ada:pa55word@stream.example.com/feed"}
    assert connection == {"type": "websocket-client", "label": "Feed",
                          "subprotocols": ["v2.chat", "v1.chat"], "heartbeat": 15,
                          "headers": {"X-Site": "north", "Authorization": "${FEED_AUTH}"},
                          "tls_verify": False}
    assert node(conversion, "i") == {"type": "websocket-in", "client": "feed"}


def test_a_listener_on_a_url_and_a_client_without_one_are_unsupported() -> None:
    odd = {**LISTENER, "path": "ws://elsewhere/ws"}
    conversion = nr_import([tab(), odd, {"id": "i", "type": "websocket in", "z": "t1",
                                         "server": odd["id"], "wires": [[]]}])
    assert entry(conversion, odd["id"]).status == "unsupported"
    assert "websocket-client" in entry(conversion, odd["id"]).reason
    bare = {**CLIENT, "path": "/not-a-url"}
    conversion = nr_import([tab(), bare])
    assert "ws://" in entry(conversion, bare["id"]).reason


def test_the_connections_export_as_node_red_writes_them() -> None:
    assert export_websocket_listener({"path": "/ws", "whole_message": True}) == {
        "path": "/ws", "wholemsg": "true"}
    client = export_websocket_client({"url": "ws://h/ws", "subprotocols": ["a", "b"],
                                      "heartbeat": 5, "headers": {"X-A": "1"}})
    assert client == {"path": "ws://h/ws", "tls": "", "wholemsg": "false", "hb": "5",
                      "subprotocol": "a,b",
                      "headers": [{"keyType": "other", "keyValue": "X-A",
                                   "valueType": "other", "valueValue": "1"}]}
