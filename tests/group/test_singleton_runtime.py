"""Runtimes in a group: a timer runs on one worker only and moves when that worker stops; an
MQTT subscription is shared among the workers by the broker (Mosquitto), each message once."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import paho.mqtt.client as mqtt

from flowrt.compile import build_plan
from flowrt.group import Group
from flowrt.load import Project, load_text
from flowrt.run.runtime import Runtime
from flowrt.run.sources import singletons
from tests.support.servers import url
from tests.support.waiting import eventually


class Worker:
    """One runtime of the flow in ``text``, as a worker of the group; records what it sent."""

    def __init__(self, name: str, group: str, pg: str, text: str) -> None:
        plan, _ = build_plan(Project(documents=[load_text(text, f"{name}.yaml")]), env={})
        self.sent: list[tuple[str, Any]] = []
        self.group = Group(group, pg, worker=name, poll=0.2)
        self.rt = Runtime(plan, env={}, group=self.group,
                          tap=lambda node, port, msg: self.sent.append((node, msg)))
        self.statuses: list[tuple[str, dict[str, Any]]] = []
        self.rt.events.hooks.status.append(lambda node, s: self.statuses.append((node, s)))

    async def start(self) -> None:
        await self.group.start()
        await self.rt.start()

    async def stop(self) -> None:
        await self.rt.stop(timeout=5)
        await self.group.stop()

    def ticks(self) -> int:
        return sum(1 for node, _ in self.sent if node == "tick")

    def payloads(self, node: str) -> list[Any]:
        return [msg["payload"] for n, msg in self.sent if n == node]


TICK = json.dumps({"flowrt": 1, "nodes": {
    "tick": {"type": "inject", "repeat": 0.1, "to": "log"},
    "log": {"type": "debug", "console": False},
}})


def test_a_timer_runs_on_one_worker_and_moves_when_that_worker_stops(
    group_name: str, pg: str
) -> None:
    async def scenario() -> None:
        a = Worker("a", group_name, pg, TICK)
        b = Worker("b", group_name, pg, TICK)
        await a.start()
        await b.start()
        try:
            await eventually(lambda: a.ticks() + b.ticks() >= 10, "ten ticks")
            assert (a.ticks() == 0) != (b.ticks() == 0), "the timer ran on both workers"
            holder, standby = (a, b) if a.ticks() else (b, a)
            assert ("tick", {"fill": "grey", "shape": "ring",
                             "text": "standby: another worker runs it"}) in standby.statuses
            assert singletons(holder.rt) == ["tick"]
            await holder.stop()
            frozen = holder.ticks()
            await eventually(lambda: standby.ticks() >= 10, "the other worker to tick")
            assert holder.ticks() == frozen
            texts = [s.get("text") for node, s in standby.statuses if node == "tick"]
            assert texts[-1] == f"running on {standby.group.worker}"
        finally:
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


def test_an_mqtt_subscription_is_shared_among_the_workers_each_message_once(
    group_name: str, pg: str
) -> None:
    topic = f"flowrt/test/group/{uuid.uuid4().hex[:8]}"
    broker = url("mqtt")
    text = json.dumps({"flowrt": 1,
        "connections": {"bus": {"type": "mqtt-broker", "url": broker}},
        "nodes": {"in": {"type": "mqtt-in", "connection": "bus", "topic": topic,
                         "to": "log"},
                  "log": {"type": "debug", "console": False}}})

    async def scenario() -> None:
        a = Worker("a", group_name, pg, text)
        b = Worker("b", group_name, pg, text)
        await a.start()
        await b.start()
        try:
            assert singletons(a.rt) == [], "a shared subscription runs on every worker"

            def subscribed(w: Worker) -> bool:
                return any(n == "in" and s.get("fill") == "green" for n, s in w.statuses)

            await eventually(lambda: subscribed(a) and subscribed(b), "both subscribed")
            await asyncio.to_thread(_publish, broker, topic, 200)
            await eventually(lambda: len(a.payloads("in")) + len(b.payloads("in")) >= 200,
                             "200 messages")
            await asyncio.sleep(0.5)
            got = a.payloads("in") + b.payloads("in")
            assert sorted(got) == list(range(200)), "each message once, in the whole group"
            assert a.payloads("in") and b.payloads("in"), "the broker split them"
        finally:
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


def _publish(broker: str, topic: str, count: int) -> None:
    host, port = broker.removeprefix("mqtt://").split(":")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect(host, int(port))
    client.loop_start()
    try:
        for n in range(count):
            client.publish(topic, json.dumps(n), qos=1).wait_for_publish(10)
    finally:
        client.loop_stop()
        client.disconnect()
