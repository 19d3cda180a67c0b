"""The embedded broker's listeners, with real paho clients: MQTT over TLS with the given
certificate and key (a password then travels encrypted), and MQTT over WebSockets."""

from __future__ import annotations

import logging
import socket
import subprocess
from pathlib import Path

import pytest

from flowrt.broker.embedded import EmbeddedBroker
from tests.broker.broker_kit import WAIT, Client, serving
from tests.support.servers import free_port
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for `localhost` (server.pem) and its key (server.key)."""
    where = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    "server.key", "-out", "server.pem", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"],
                   cwd=where, check=True, capture_output=True, timeout=60)
    return where


def test_mqtt_over_tls_with_a_user(certificate: Path) -> None:
    port = free_port()
    broker = EmbeddedBroker(port=port, users={"dev": "pw"},
                            cert_file=str(certificate / "server.pem"),
                            key_file=str(certificate / "server.key"))
    with serving(broker):
        client = Client(port, "tls-1", "dev", "pw", ca_file=str(certificate / "server.pem"))
        assert client.code == 0
        client.subscribe("t/#")
        client.publish("t/1", b"over tls")
        wait_until(lambda: client.seen, "the message back over TLS", WAIT)
        assert client.seen == [("t/1", b"over tls", False)]
        client.close()


def test_mqtt_over_websockets() -> None:
    port, ws_port = free_port(), free_port()
    with serving(EmbeddedBroker(port=port, ws_port=ws_port)):
        over_ws = Client(ws_port, "ws-1", transport="websockets")
        plain = Client(port, "tcp-1")
        assert (over_ws.code, plain.code) == (0, 0)
        over_ws.subscribe("w/#")
        plain.publish("w/1", b"from tcp")
        wait_until(lambda: over_ws.seen, "the message over WebSockets", WAIT)
        assert over_ws.seen == [("w/1", b"from tcp", False)]
        over_ws.close()
        plain.close()


MQTT5_CONNECT = bytes.fromhex("100e00044d51545405020030" "0000" "0178")
"""CONNECT of MQTT 5 (protocol level 5), clean start, no properties, client id "x"."""


def test_on_ipv6_loopback_an_mqtt5_client_is_named_by_its_address_in_brackets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The broker listens on ``::1`` (bound as ``[::1]:PORT``) and names a client it refuses
    as ``[::1]:PORT``, not ``::1:PORT``."""
    port = free_port()
    with serving(EmbeddedBroker(host="::1", port=port)), \
            caplog.at_level(logging.WARNING, logger="flowrt.broker"), \
            socket.create_connection(("::1", port), timeout=WAIT) as client:
        client.sendall(MQTT5_CONNECT)
        assert client.recv(64), "no answer to the MQTT 5 CONNECT"
        mine = client.getsockname()[1]
        wait_until(lambda: "asked for MQTT 5" in caplog.text, "the broker to say why", WAIT)
    assert f"a client at [::1]:{mine} asked for MQTT 5" in caplog.text
