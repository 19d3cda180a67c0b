"""mqtt-server: a broker that runs while its flow runs; paho clients connect to it, and the
node sends aedes's client events on output 1 and the published messages on output 2. A flow's
own mqtt-in and mqtt-out nodes use it as any broker."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from flowrt import file_access
from flowrt.compile import build_plan
from flowrt.errors import FlowrtError
from flowrt.file_access import FileAccess
from flowrt.load import Project, load_text
from tests.broker.broker_kit import Client
from tests.nodes.mqtt.mqtt_kit import eventually, free_port, running

SECRET = "the-Node-password-1"


def server_flow(port: int, **config: Any) -> str:
    nodes = {"broker": {"type": "mqtt-server", "port": port, **config}}
    return json.dumps({"flowrt": 1, "nodes": nodes})


def out(harness: Any, port: int) -> list[dict[str, Any]]:
    return list(harness.result.messages[("broker", port)])


def test_client_events_and_publishes_leave_on_the_two_outputs() -> None:
    port = free_port()

    async def scenario() -> None:
        async with running(server_flow(port)) as harness:
            await eventually(lambda: any(s.get("text") == "0 connected" for n, s in
                                         harness.result.statuses if n == "broker"),
                             "the broker's status")
            client = await asyncio.to_thread(Client, port, "dev-1")
            await asyncio.to_thread(client.subscribe, "a/+", 1)
            await asyncio.to_thread(client.publish, "a/b", b"hi", 1, True)
            await eventually(lambda: out(harness, 1), "the publish on output 2")
            await asyncio.to_thread(client.paho.unsubscribe, "a/+")
            await eventually(lambda: any(m["topic"] == "unsubscribe" for m in out(harness, 0)),
                             "the unsubscribe event")
            await asyncio.to_thread(client.close)
            await eventually(lambda: out(harness, 0)[-1]["topic"] == "clientDisconnect",
                             "the disconnect event")
            events = [(m["topic"], m["payload"]) for m in out(harness, 0)]
            client_info = {"id": "dev-1", "clean": True}
            assert events == [
                ("client", {"client": client_info}),
                ("clientReady", {"client": client_info}),
                ("subscribe", {"topic": "a/+", "qos": 1, "client": client_info}),
                ("unsubscribe", {"topic": "a/+", "client": client_info}),
                ("clientDisconnect", {"client": client_info}),
            ]
            [published] = out(harness, 1)
            assert published["topic"] == "publish"
            packet = published["payload"]["packet"]
            assert {k: packet[k] for k in ("cmd", "topic", "payload", "qos", "retain")} == {
                "cmd": "publish", "topic": "a/b", "payload": b"hi", "qos": 1, "retain": True}
            assert published["payload"]["client"] == client_info

    asyncio.run(scenario())


def test_a_flow_talks_to_its_own_broker_with_a_user() -> None:
    port = free_port()
    flow = {
        "flowrt": 1,
        "connections": {"local": {"type": "mqtt-broker", "url": f"mqtt://127.0.0.1:{port}",
                                  "username": "flow", "password": "${FLOW_PW}"}},
        "nodes": {
            "broker": {"type": "mqtt-server", "port": port,
                       "users": {"flow": "${FLOW_PW}", "dev": "${DEV_PW}"},
                       "acl": {"flow": {"subscribe": ["#"]},
                               "dev": {"publish": ["up/%u"]}}},
            "listen": {"type": "mqtt-in", "connection": "local", "topic": "up/#"},
        },
    }
    env = {"FLOW_PW": "flow-pass-42", "DEV_PW": SECRET}

    async def scenario() -> None:
        async with running(json.dumps(flow), env=env) as harness:
            await eventually(lambda: any(m["topic"] == "subscribe"
                                         for m in out(harness, 0)), "mqtt-in's subscription")
            bad = await asyncio.to_thread(Client, port, "x", "dev", "wrong")
            assert bad.code == 135  # not authorised
            await eventually(lambda: any(m["topic"] == "clientError" for m in out(harness, 0)),
                             "the refused login's clientError")
            [refused] = [m["payload"] for m in out(harness, 0) if m["topic"] == "clientError"]
            assert refused == {"client": {"id": "x", "clean": True},
                               "err": {"message": "not authorized", "errorCode": 5}}
            dev = await asyncio.to_thread(Client, port, "d", "dev", SECRET)
            await asyncio.to_thread(dev.publish, "up/other", b"forged")
            await asyncio.to_thread(dev.publish, "up/dev", b"21.5")
            await eventually(lambda: harness.result.messages[("listen", 0)], "the reading")
            assert [m["topic"] for m in harness.result.messages[("listen", 0)]] == ["up/dev"]
            assert [m["payload"]["packet"]["topic"] for m in out(harness, 1)] == ["up/dev"]
            await asyncio.to_thread(dev.close)
        text = repr(harness.result.logs) + repr(harness.result.statuses) + repr(
            harness.result.messages)
        assert SECRET not in text and "flow-pass-42" not in text

    asyncio.run(scenario())


@pytest.mark.parametrize("config", [{"host": "0.0.0.0"}, {"cert_file": "/tmp/x.pem"}])
def test_a_public_address_without_users_and_half_tls_are_flow_errors(
        config: dict[str, Any]) -> None:
    text = server_flow(free_port(), **config)
    with pytest.raises(FlowrtError) as caught:
        build_plan(Project(documents=[load_text(text, "server.yaml")]), env={})
    assert "broker" in str(caught.value)


def test_with_a_store_retained_messages_outlive_the_flow(tmp_path: Any) -> None:
    port = free_port()
    text = server_flow(port, store=str(tmp_path / "broker.db"))

    async def scenario() -> list[tuple[str, bytes, bool]]:
        async with running(text):
            first = await asyncio.to_thread(Client, port, "p1")
            await asyncio.to_thread(first.publish, "site/mode", b"eco", 1, True)
            await asyncio.to_thread(first.close)
        async with running(text):
            later = await asyncio.to_thread(Client, port, "p2")
            await asyncio.to_thread(later.subscribe, "site/#")
            await eventually(lambda: later.seen, "the retained message")
            await asyncio.to_thread(later.close)
            return later.seen

    assert asyncio.run(scenario()) == [("site/mode", b"eco", True)]


def test_a_password_written_in_the_flow_is_refused() -> None:
    text = server_flow(free_port(), users={"dev": "plain-password"})
    with pytest.raises(FlowrtError) as caught:
        build_plan(Project(documents=[load_text(text, "server.yaml")]), env={})
    assert "E039" in str(caught.value) and "plain-password" not in str(caught.value)


def test_a_store_outside_the_files_the_operator_allows_is_refused(tmp_path: Any) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    file_access.configure(FileAccess.for_policy("deny", [allowed]))
    port = free_port()
    outside = tmp_path / "elsewhere.db"

    async def scenario() -> Any:
        async with running(server_flow(port, store=str(outside))) as harness:
            await eventually(lambda: harness.result.errors or [
                s for n, s in harness.result.statuses if s.get("text") == "file refused"],
                "the refusal")
            return harness

    harness = asyncio.run(scenario())
    assert not outside.exists()
    shown = repr(harness.result.errors) + repr(harness.result.logs)
    assert "outside the directories" in shown, shown
