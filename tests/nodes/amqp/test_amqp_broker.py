"""amqp-broker: its settings, what pika is given, and the errors a person sees when the broker
refuses the login or the virtual host, or cannot be reached."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import pytest
from flowrt_nodes.amqp.amqp_broker import AmqpBroker
from pydantic import ValidationError

from flowrt.check import check
from flowrt.load import Project, load_text
from tests.nodes.amqp.rabbit import Rabbit, flow_text, running
from tests.support.servers import free_port
from tests.support.waiting import eventually


def broker(**config: Any) -> AmqpBroker:
    return AmqpBroker("rabbit", AmqpBroker.Config(**config), ctx=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"url": "http://host/"}, "String should match pattern"),
        ({"url": "amqp:///vhost"}, "names no host"),
        ({"url": "amqp://host:port/"}, "bad port"),
        ({"url": "amqp://host/", "ca_file": "/ca.pem"}, "TLS settings need an `amqps://` url"),
        ({"url": "amqp://host/", "verify": False}, "TLS settings need an `amqps://` url"),
        ({"url": "amqps://host/", "key_file": "/k.pem"}, "`key_file` needs `cert_file`"),
        ({"heartbeat": -1}, "greater than or equal to 0"),
    ],
)
def test_configuration_mistakes_are_refused(config: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AmqpBroker.Config(**config)
    assert expected in str(caught.value)


def test_the_url_gives_host_port_vhost_and_login_and_fields_win_over_it() -> None:
    plain = broker(url="amqp://ann:secret@rabbit.local/plant%2Fnorth")
    params = plain.parameters("jobs")
    assert (plain.server, plain.vhost, plain.username) == ("rabbit.local:5672", "plant/north",
                                                          "ann")
    assert (params.host, params.port, params.virtual_host) == ("rabbit.local", 5672,
                                                               "plant/north")
    assert (params.credentials.username, params.credentials.password) == ("ann", "secret")
    assert params.heartbeat == 60 and params.ssl_options is None
    assert params.client_properties == {"connection_name": "flowrt/jobs"}

    chosen = broker(url="amqp://ann:secret@rabbit.local:5673/plant", vhost="/",
                    username="bob", password="other", heartbeat=0, connection_name="line-3")
    params = chosen.parameters("results")
    assert (chosen.server, params.virtual_host, params.heartbeat) == ("rabbit.local:5673", "/",
                                                                      0)
    assert (params.credentials.username, params.credentials.password) == ("bob", "other")
    assert params.client_properties == {"connection_name": "line-3/results"}

    bare = broker(url="amqp://10.0.0.5")
    assert (bare.vhost, bare.username, bare.port) == ("/", "guest", 5672)


def test_amqps_builds_a_tls_context_that_verifies_unless_told_not_to(tmp_path: Any) -> None:
    secure = broker(url="amqps://broker.example.com/").parameters("n").ssl_options
    assert broker(url="amqps://broker.example.com/").port == 5671
    assert secure.server_hostname == "broker.example.com"
    assert secure.context.verify_mode == ssl.CERT_REQUIRED and secure.context.check_hostname
    lax = broker(url="amqps://10.0.0.5:5671/", verify=False).parameters("n").ssl_options
    assert lax.context.verify_mode == ssl.CERT_NONE and not lax.context.check_hostname


def test_a_missing_tls_file_is_a_configuration_error_naming_it(tmp_path: Any) -> None:
    missing = tmp_path / "missing-ca.pem"
    with pytest.raises(Exception, match="cannot load the TLS files of AMQP connection 'rabbit'"):
        broker(url="amqps://host/", ca_file=str(missing)).parameters("n")


def test_a_password_written_inline_is_refused_by_the_checker() -> None:
    doc = load_text(
        "flowrt: 1\n"
        "connections:\n"
        "  rabbit: {type: amqp-broker, url: 'amqp://127.0.0.1/', password: guest}\n"
        "nodes:\n"
        "  jobs: {type: amqp-in, connection: rabbit, queue: jobs}\n",
        "inline.yaml",
    )
    codes = [d.code for d in check(Project(documents=[doc]))]
    assert "E039" in codes


def test_an_unknown_virtual_host_is_an_authentication_failure_not_retried(
    rabbit: Rabbit,
) -> None:
    async def scenario() -> tuple[list[tuple[str, str, str]], list[Any]]:
        flow = flow_text(rabbit, {"jobs": {"type": "amqp-in", "connection": "rabbit",
                                           "queue": "any"}}, vhost="no-such-vhost")
        async with running(flow, rabbit.env()) as h:
            await eventually(
                lambda: any(lvl == "error" for _, lvl, _ in h.result.logs), "the error"
            )
            await asyncio.sleep(0.3)  # a retry would log again
        return h.result.logs, h.result.statuses

    logs, statuses = asyncio.run(scenario())
    errors = [text for node, lvl, text in logs if lvl == "error"]
    assert len(errors) == 1
    assert f"the AMQP broker at {rabbit.server} refused access to virtual host 'no-such-vhost'"\
        in errors[0]
    assert statuses[-1] == ("jobs", {"fill": "red", "shape": "ring",
                                     "text": "authentication failed"})


def test_a_broker_that_cannot_be_reached_is_retried_showing_disconnected(rabbit: Rabbit) -> None:
    port = free_port()

    async def scenario() -> tuple[list[str], list[Any]]:
        flow = flow_text(rabbit, {"jobs": {"type": "amqp-in", "connection": "rabbit",
                                           "queue": "any"}})
        flow = flow.replace(rabbit.connection_entry()["url"], f"amqp://127.0.0.1:{port}/")
        async with running(flow, rabbit.env()) as h:
            await eventually(lambda: len(h.result.warnings) >= 2, "two attempts")
        return [text for _, text in h.result.warnings], h.result.statuses

    warnings, statuses = asyncio.run(scenario())
    assert f"the AMQP broker at 127.0.0.1:{port} cannot be reached" in warnings[0]
    assert "retry in" in warnings[0]
    assert ("jobs", {"fill": "red", "shape": "ring", "text": "disconnected"}) in statuses


def test_a_refused_login_stops_the_source_once_naming_user_and_server(rabbit: Rabbit) -> None:
    async def scenario() -> tuple[list[str], list[Any]]:
        flow = flow_text(rabbit, {"jobs": {"type": "amqp-in", "connection": "rabbit",
                                           "queue": "any"}})
        async with running(flow, {"AMQP_PASSWORD": "not-the-password"}) as h:
            await eventually(
                lambda: any(lvl == "error" for _, lvl, _ in h.result.logs), "the error"
            )
            await asyncio.sleep(0.3)  # a retry would log again
        return [t for _, lvl, t in h.result.logs if lvl == "error"], h.result.statuses

    errors, statuses = asyncio.run(scenario())
    assert len(errors) == 1
    user = rabbit.connection_entry()["username"]
    assert (f"the AMQP broker at {rabbit.server} refused the login of user '{user}' "
            "(ACCESS_REFUSED): check `username` and `password`") in errors[0]
    assert "not-the-password" not in errors[0]
    assert statuses[-1] == ("jobs", {"fill": "red", "shape": "ring",
                                     "text": "authentication failed"})


def test_an_ipv6_broker_is_named_with_its_brackets() -> None:
    """``::1:5672`` names no address; errors and logs write ``[::1]:5672``."""
    assert broker(url="amqp://[::1]/").server == "[::1]:5672"
    assert broker(url="amqp://ann:secret@[::1]:5673/plant").server == "[::1]:5673"
