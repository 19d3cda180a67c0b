"""amqps:// through a TLS-terminating proxy in front of the real RabbitMQ: the broker's
certificate checked against `ca_file` (and its host name), `verify: false`, client
certificates."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.nodes.amqp.rabbit import Rabbit, connected, flow_text, running
from tests.nodes.amqp.tls import Certificates, TlsProxy, make_certificates
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("amqp-tls"))


def upstream(rabbit: Rabbit) -> tuple[str, int]:
    parts = urlsplit(rabbit.url)
    return parts.hostname or "127.0.0.1", parts.port or 5672


async def round_trip(rabbit: Rabbit, port: int, host: str = "localhost",
                     **tls: Any) -> tuple[list[Any], list[str]]:
    """A message published on the plain port, consumed over amqps:// through the proxy."""
    queue = rabbit.name()
    await rabbit.declare(queue)
    flow = flow_text(rabbit, {
        "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "to": "seen"},
        "seen": {"type": "debug"},
    }, **tls)
    flow = flow.replace(rabbit.connection_entry()["url"], f"amqps://{host}:{port}/")
    async with running(flow, rabbit.env()) as h:
        await eventually(lambda: h.result.statuses and h.result.statuses[-1][1]["fill"] != "yellow",
                    "the first connection attempt")
        if h.result.statuses[-1][1]["text"] == "connected":
            await connected(h, "jobs")
            await rabbit.publish(queue, [b"over tls"])
            await eventually(lambda: h.result.received("seen"), "the message")
    return [m["payload"] for m in h.result.received("seen")], [t for _, t in h.result.warnings]


def test_the_broker_certificate_is_verified_against_ca_file(
    rabbit: Rabbit, certs: Certificates
) -> None:
    async def scenario() -> tuple[Any, Any, Any]:
        async with TlsProxy(certs, upstream(rabbit)) as proxy:
            trusted = await round_trip(rabbit, proxy.port, ca_file=str(certs.ca))
            unknown_ca = await round_trip(rabbit, proxy.port)
            wrong_name = await round_trip(rabbit, proxy.port, host="127.0.0.1",
                                          ca_file=str(certs.ca))
        return trusted, unknown_ca, wrong_name

    trusted, unknown_ca, wrong_name = asyncio.run(scenario())
    assert trusted == (["over tls"], [])
    assert unknown_ca[0] == [] and "certificate verify failed" in unknown_ca[1][0]
    assert wrong_name[0] == [] and "IP address mismatch" in wrong_name[1][0]


def test_verify_false_accepts_any_certificate(rabbit: Rabbit, certs: Certificates) -> None:
    async def scenario() -> tuple[Any, Any]:
        async with TlsProxy(certs, upstream(rabbit)) as proxy:
            return await round_trip(rabbit, proxy.port, host="127.0.0.1", verify=False)

    assert asyncio.run(scenario()) == (["over tls"], [])


def test_a_client_certificate_is_presented_when_the_broker_asks(
    rabbit: Rabbit, certs: Certificates, tmp_path: Path
) -> None:
    combined = tmp_path / "client-with-key.pem"
    combined.write_text(certs.client_cert.read_text() + certs.client_key.read_text())

    async def scenario() -> tuple[Any, Any, Any]:
        async with TlsProxy(certs, upstream(rabbit), client_certificates=True) as proxy:
            separate = await round_trip(rabbit, proxy.port, ca_file=str(certs.ca),
                                        cert_file=str(certs.client_cert),
                                        key_file=str(certs.client_key))
            together = await round_trip(rabbit, proxy.port, ca_file=str(certs.ca),
                                        cert_file=str(combined))
            without = await round_trip(rabbit, proxy.port, ca_file=str(certs.ca))
        return separate, together, without

    separate, together, without = asyncio.run(scenario())
    assert separate == (["over tls"], []) and together == (["over tls"], [])
    assert without[0] == [] and len(without[1]) >= 1
