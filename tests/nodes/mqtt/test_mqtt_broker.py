"""The mqtt-broker connection: its configuration rules as `flowrt validate` reports them,
credentials (refused ones stop the nodes), the will, birth and close messages, client ids."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from flowrt.check import check
from flowrt.diagnostics import Diagnostic
from flowrt.load import Project, load_text
from tests.nodes.mqtt.mqtt_kit import (
    WAIT,
    Probe,
    eventually,
    flow_text,
    free_port,
    running,
    statuses,
    unique,
    until_connected,
)

ROOT = Path(__file__).resolve().parents[3]


def diagnose(connection: dict[str, Any], env: dict[str, str] | None = None) -> list[Diagnostic]:
    text = flow_text({"in": {"type": "mqtt-in", "connection": "broker", "topic": "a/b"}},
                     **connection)
    return [d for d in check(Project(documents=[load_text(text, "flow.json")]), env=env or {})
            if d.severity == "error"]


@pytest.mark.parametrize(
    ("connection", "words"),
    [
        ({"url": "http://127.0.0.1:1883"}, "mqtt:// or mqtts://"),
        ({"url": "mqtt://"}, "names no host"),
        ({"url": "mqtt://bob:secret@127.0.0.1"}, "may not hold credentials"),
        ({"url": "mqtt://127.0.0.1/plant"}, "path or query"),
        ({"url": "mqtt://127.0.0.1:99999"}, "bad port"),
        ({"url": "mqtt://127.0.0.1", "ca_file": "/etc/ca.pem"}, "need an mqtts:// url"),
        ({"url": "mqtts://127.0.0.1", "cert_file": "/etc/c.pem"}, "cert_file and key_file"),
        ({"url": "mqtt://127.0.0.1", "password": "${PW}"}, "needs a username"),
        ({"url": "mqtt://127.0.0.1", "protocol": "4"}, "protocol"),
        ({"url": "mqtt://127.0.0.1", "keepalive": 1}, "keepalive"),
        ({"url": "mqtt://127.0.0.1", "will": {"topic": "a/+"}}, "wildcard"),
        ({"url": "mqtt://127.0.0.1", "birth": {"topic": "a", "qos": 3}}, "qos"),
    ],
)
def test_bad_connections_are_reported_with_their_place(
    connection: dict[str, Any], words: str
) -> None:
    found = diagnose(connection, env={"PW": "x"})
    assert found, f"no error for {connection}"
    assert any(words in d.message for d in found), [str(d) for d in found]
    assert all(d.file == "flow.json" and d.line > 0 for d in found), [str(d) for d in found]


def test_a_password_written_inline_is_refused_and_a_reference_is_accepted() -> None:
    inline = diagnose({"url": "mqtt://127.0.0.1", "username": "u", "password": "hunter2"})
    assert [d.code for d in inline] == ["E039"]
    assert "hunter2" not in str(inline[0])
    assert diagnose({"url": "mqtt://127.0.0.1", "username": "u", "password": "${MQTT_PW}"},
                    env={"MQTT_PW": "hunter2"}) == []


@pytest.mark.parametrize("protocol", ["3.1.1", "5", 5])
def test_good_connections_pass(protocol: Any) -> None:
    assert diagnose({
        "url": "mqtts://broker.example.com", "protocol": protocol, "ca_file": "/etc/ca.pem",
        "will": {"topic": "plant/state", "payload": "offline", "qos": 1, "retain": True},
        "client_id": "worker-1", "clean_session": True, "session_expiry": 0,
    }) == []


def auth_flow(url: str, topic: str, protocol: str) -> str:
    nodes = {
        "in": {"type": "mqtt-in", "connection": "broker", "topic": topic, "to": "done"},
        "done": {"type": "debug", "active": False},
    }
    return flow_text(nodes, url, username="flowrt", password="${MQTT_PASSWORD}",
                     protocol=protocol, client_id="auth-" + protocol)


@pytest.mark.parametrize("protocol", ["3.1.1", "5"])
def test_wrong_password_stops_the_node_and_says_to_check_the_credentials(
    private_broker: Any, protocol: str
) -> None:
    server = private_broker()
    server.lines = (f"password_file {server.password('flowrt', 'right')}",
                    "allow_anonymous false")
    server.start()

    async def scenario() -> None:
        text = auth_flow(server.url, "auth/#", protocol)
        async with running(text, {"MQTT_PASSWORD": "wrong"}) as flow:
            await eventually(lambda: any("credentials" in line for _, _, line in
                                         flow.result.logs), "the refusal in the log")
            logs = [line for node, level, line in flow.result.logs if node == "in"]
            assert statuses(flow, "in")[-1]["fill"] == "red", statuses(flow, "in")
            refusal = [line for line in logs if "credentials" in line]
            assert f"127.0.0.1:{server.port} as 'flowrt'" in refusal[0], refusal
            assert "wrong" not in " ".join(logs)
            await asyncio.sleep(0.5)  # it is not retried: no more attempts show up
            attempts = [s for s in statuses(flow, "in") if s["text"] == "connecting"]
            assert len(attempts) == 1, statuses(flow, "in")
        async with running(text, {"MQTT_PASSWORD": "right"}) as flow:
            await until_connected(flow, "in")
            probe = Probe(server.url, username="flowrt", password="right")
            probe.publish("auth/x", "let in")
            probe.close()
            await eventually(lambda: len(flow.result.received("done")) == 1, "the message")

    asyncio.run(scenario())


def test_unreachable_broker_shows_red_and_names_the_address(private_broker: Any) -> None:
    server = private_broker()  # not started: nothing listens on its port

    async def scenario() -> None:
        nodes = {"in": {"type": "mqtt-in", "connection": "broker", "topic": "x"}}
        async with running(flow_text(nodes, server.url)) as flow:
            def about_connecting() -> list[str]:
                return [line for _, level, line in flow.result.logs
                        if level == "warning" and "cannot" in line]

            await eventually(lambda: bool(about_connecting()), "a warning about the connection")
            assert statuses(flow, "in")[-1]["fill"] == "red"
            warning = about_connecting()[0]
            assert f"mqtt://127.0.0.1:{server.port}" in warning
            assert "connection refused" in warning

    asyncio.run(scenario())


def test_generated_client_ids_let_two_workers_run_the_same_flow(broker: str) -> None:
    topic = unique()
    nodes = {
        "in": {"type": "mqtt-in", "connection": "broker", "topic": topic, "to": "done"},
        "done": {"type": "debug", "active": False},
    }

    async def scenario() -> None:
        text = flow_text(nodes, broker)
        async with running(text) as one, running(text) as two:
            await until_connected(one, "in")
            await until_connected(two, "in")
            probe = Probe(broker)
            probe.publish(topic, "both")
            probe.close()
            for flow in (one, two):
                await eventually(lambda f=flow: len(f.result.received("done")) == 1, "delivery")
            assert connected_throughout(one) and connected_throughout(two)

    asyncio.run(scenario())


def connected_throughout(flow: Any) -> bool:
    return [s["fill"] for s in statuses(flow, "in")] == ["yellow", "green"]


def run_flowrt(flow: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", str(flow)], cwd=ROOT, text=True,
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def wait_for(probe: Probe, payload: bytes) -> None:
    asyncio.run(eventually(lambda: payload in probe.payloads(), f"{payload!r} from the broker",
                           timeout=WAIT))


@pytest.mark.parametrize("protocol", ["3.1.1", "5"])
def test_birth_then_will_when_killed_and_close_message_when_stopped(
    broker: str, tmp_path: Path, protocol: str
) -> None:
    state = unique() + "/state"
    flow = tmp_path / "will.yaml"
    flow.write_text(textwrap.dedent(f"""\
        flowrt: 1
        connections:
          broker:
            type: mqtt-broker
            url: {broker}
            protocol: "{protocol}"
            keepalive: 5
            will: {{topic: {state}, payload: dead, qos: 1}}
            birth: {{topic: {state}, payload: alive, qos: 1}}
            close: {{topic: {state}, payload: bye, qos: 1}}
        nodes:
          in: {{type: mqtt-in, connection: broker, topic: {state}/in}}
        """))
    probe = Probe(broker).subscribe(state)
    try:
        killed = run_flowrt(flow, {})
        wait_for(probe, b"alive")
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=WAIT)
        wait_for(probe, b"dead")
        assert b"bye" not in probe.payloads()

        stopped = run_flowrt(flow, {})
        asyncio.run(eventually(lambda: probe.payloads().count(b"alive") == 2, "a second birth"))
        stopped.send_signal(signal.SIGINT)
        _, err = stopped.communicate(timeout=WAIT)
        assert stopped.returncode == 0, err
        wait_for(probe, b"bye")
        assert probe.payloads() == [b"alive", b"dead", b"alive", b"bye"]
    finally:
        probe.close()


def test_a_refused_subscription_stops_the_node_and_says_why() -> None:
    """Mosquitto grants every subscription; amqtt with its taboo plugin refuses some."""
    from amqtt.broker import Broker

    port = free_port()
    nodes = {
        "denied": {"type": "mqtt-in", "connection": "broker", "topic": "prohibited"},
        "allowed": {"type": "mqtt-in", "connection": "broker", "topic": "allowed/#",
                    "to": "done"},
        "done": {"type": "debug", "active": False},
    }

    async def scenario() -> None:
        broker = Broker({
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
                "amqtt.plugins.topic_checking.TopicTabooPlugin": {},
            },
        })
        await broker.start()
        try:
            async with running(flow_text(nodes, f"mqtt://127.0.0.1:{port}")) as flow:
                await until_connected(flow, "allowed")
                await eventually(lambda: statuses(flow, "denied")[-1]["fill"] == "red", "red")
        finally:
            await broker.shutdown()
        refusal = [line for node, level, line in flow.result.logs
                   if node == "denied" and level == "error"]
        assert refusal and "refused the subscription to 'prohibited'" in refusal[0], refusal
        assert "access rules" in refusal[0]
        assert statuses(flow, "allowed")[-1]["fill"] == "green"

    asyncio.run(scenario())


def session_present(url: str, client_id: str, protocol: str) -> bool:
    """Whether the broker still holds a session for ``client_id`` (and then drop it)."""
    import threading

    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from tests.nodes.mqtt.mqtt_kit import address

    found: list[bool] = []
    answered = threading.Event()
    if protocol == "5":
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                             protocol=mqtt.MQTTv5)
    else:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                             protocol=mqtt.MQTTv311, clean_session=False)

    def on_connect(_c: Any, _u: Any, flags: Any, *_: Any) -> None:
        found.append(flags.session_present)
        answered.set()

    client.on_connect = on_connect
    client.connect(*address(url), keepalive=30, **({"clean_start": False}
                                                   if protocol == "5" else {}))
    client.loop_start()
    assert answered.wait(WAIT)
    client.disconnect()
    client.loop_stop()
    if protocol != "5":  # this look made a session of its own: end it
        clean = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                            protocol=mqtt.MQTTv311, clean_session=True)
        clean.connect(*address(url), keepalive=30)
        clean.loop_start()
        clean.disconnect()
        clean.loop_stop()
    return found[0]


@pytest.mark.parametrize("protocol", ["3.1.1", "5"])
def test_a_graceful_stop_ends_a_session_nobody_can_resume(broker: str, protocol: str) -> None:
    nodes = {"in": {"type": "mqtt-in", "connection": "broker", "topic": unique()}}
    fixed = "flowrt-test-kept-" + unique("").rsplit("/", 1)[1]

    async def scenario() -> tuple[str, str]:
        ids = []
        for client_id in (None, fixed):
            extra = {"client_id": client_id} if client_id else {}
            async with running(flow_text(nodes, broker, protocol=protocol,
                                         **extra)) as flow:
                await until_connected(flow, "in")
                runtime = flow.result.runtime
                assert runtime is not None
                ids.append(runtime.connections["broker"].session.settings.client_id)
        return ids[0], ids[1]

    generated, kept = asyncio.run(scenario())
    assert generated.startswith("flowrt-")
    assert session_present(broker, kept, protocol) is True
    assert session_present(broker, generated, protocol) is False
