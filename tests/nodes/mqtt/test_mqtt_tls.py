"""mqtts:// connections against a private Mosquitto with a test CA: the CA file, client
certificates, the host name check and `insecure`, and what a person reads when TLS fails."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.nodes.mqtt.mqtt_kit import PrivateMosquitto, eventually, running, statuses


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a server certificate for `localhost` only, and a client certificate."""
    where = tmp_path_factory.mktemp("tls")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=flowrt test CA", cwd=where)
    (where / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    for name, subject in (("server", "/CN=localhost"), ("client", "/CN=flowrt-client")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                f"{name}.csr", "-subj", subject, cwd=where)
        extra = ["-extfile", "san.ext"] if name == "server" else []
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", *extra, cwd=where)
    return where


@pytest.fixture
def tls_broker(certificates: Path, private_broker: Any) -> PrivateMosquitto:
    server: PrivateMosquitto = private_broker(
        f"cafile {certificates / 'ca.pem'}",
        f"certfile {certificates / 'server.pem'}",
        f"keyfile {certificates / 'server.key'}",
        "require_certificate true",
        "allow_anonymous true",
    )
    return server.start()


def loop_flow(host: str, port: int, **tls: Any) -> dict[str, Any]:
    """out -> broker -> in -> done, over one mqtts connection."""
    return {
        "flowrt": 1,
        "connections": {"broker": {"type": "mqtt-broker", "url": f"mqtts://{host}:{port}",
                                   **tls}},
        "nodes": {
            "out": {"type": "mqtt-out", "connection": "broker", "topic": "tls/test"},
            "in": {"type": "mqtt-in", "connection": "broker", "topic": "tls/#", "to": "done"},
            "done": {"type": "debug", "active": False},
        },
    }


def run_loop(flow: dict[str, Any]) -> Any:
    import json

    async def scenario() -> Any:
        async with running(json.dumps(flow)) as harness:
            await eventually(lambda: bool(statuses(harness, "in")) and
                             statuses(harness, "in")[-1]["fill"] in ("green", "red") and
                             len(statuses(harness, "in")) > 1, "the outcome of connecting")
            if statuses(harness, "in")[-1]["fill"] == "green":
                harness.send("out", {"payload": "over tls"})
                await eventually(lambda: len(harness.result.received("done")) == 1, "delivery")
        return harness

    return asyncio.run(scenario())


def client_cert(certificates: Path) -> dict[str, str]:
    return {"ca_file": str(certificates / "ca.pem"),
            "cert_file": str(certificates / "client.pem"),
            "key_file": str(certificates / "client.key")}


def test_a_trusted_server_and_a_client_certificate(
    certificates: Path, tls_broker: PrivateMosquitto
) -> None:
    flow = run_loop(loop_flow("localhost", tls_broker.port, **client_cert(certificates)))
    assert [m["payload"] for m in flow.result.received("done")] == ["over tls"]


def test_insecure_skips_only_the_host_name_check(
    certificates: Path, tls_broker: PrivateMosquitto
) -> None:
    checked = run_loop(loop_flow("127.0.0.1", tls_broker.port, **client_cert(certificates)))
    assert statuses(checked, "in")[-1]["fill"] == "red"
    warning = next(text for node, text in checked.result.warnings
                   if node == "in" and "certificate" in text)
    assert f"mqtts://127.0.0.1:{tls_broker.port}" in warning
    assert "showed a certificate that was not accepted: IP address mismatch" in warning, warning
    trusting = run_loop(loop_flow("127.0.0.1", tls_broker.port, insecure=True,
                                  **client_cert(certificates)))
    assert [m["payload"] for m in trusting.result.received("done")] == ["over tls"]


def test_an_unknown_certificate_authority_is_named(
    certificates: Path, tls_broker: PrivateMosquitto
) -> None:
    tls = client_cert(certificates)
    del tls["ca_file"]  # the system's CAs do not know the test CA
    flow = run_loop(loop_flow("localhost", tls_broker.port, **tls))
    warning = next(text for node, text in flow.result.warnings
                   if node == "in" and "certificate" in text)
    assert "showed a certificate that was not accepted" in warning, warning
    assert "check the connection's ca_file" in warning
    assert flow.result.received("done") == []


def test_a_missing_client_certificate_is_refused(
    certificates: Path, tls_broker: PrivateMosquitto
) -> None:
    flow = run_loop(loop_flow("localhost", tls_broker.port, ca_file=str(certificates / "ca.pem")))
    assert statuses(flow, "in")[-1]["fill"] == "red"
    assert any(node == "in" and "client_id" not in text and "journal" not in text
               for node, text in flow.result.warnings)
    assert flow.result.received("done") == []


def test_unreadable_tls_files_stop_the_node(tmp_path: Path) -> None:
    flow = run_loop(loop_flow("localhost", 8883, ca_file=str(tmp_path / "missing.pem")))
    assert statuses(flow, "in")[-1] == {"fill": "red", "shape": "ring",
                                        "text": "configuration problem"}
    [error] = [text for node, level, text in flow.result.logs if node == "in" and level == "error"]
    assert "cannot use the TLS files" in error and "missing.pem" in error
