"""mqtt-in on a Mosquitto with its stock limits, into a sink that batches: the broker sends a
client at most 20 unacknowledged QoS 1 messages, the flow acknowledges them once written, and
the sink's batches (up to 500, waiting up to 30 s) must not wait for messages the broker will
not send before the acknowledgements. Before flowrt/run/inflow.py every 20 messages waited out
the whole interval: this test's 300 messages took 15 batches of 30 s."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.nodes.mqtt.mqtt_kit import (
    WAIT,
    PrivateMosquitto,
    address,
    eventually,
    running,
    unique,
    until_connected,
)
from tests.nodes.postgres.pg_testing import PG_URL, Database

COUNT = 300


def publish_all(url: str, topic: str, count: int) -> None:
    """Publish ``count`` QoS 1 messages as fast as the broker takes them."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.connect(*address(url), keepalive=30)
    client.loop_start()
    try:
        infos = [client.publish(topic, json.dumps({"n": n}), qos=1) for n in range(count)]
        for info in infos:
            info.wait_for_publish(WAIT)
            assert info.is_published()
    finally:
        client.loop_stop()
        client.disconnect()


def test_a_stock_broker_window_does_not_stall_a_batching_sink(
    private_broker: Callable[..., PrivateMosquitto],
) -> None:
    # as Debian configures it: anonymous on loopback, no max_inflight_messages or
    # max_queued_messages lines (20 and 1,000)
    server = private_broker("allow_anonymous true").start()
    db = Database(PG_URL)
    table = db.table("n integer primary key")
    topic = unique()
    text = json.dumps({
        "flowrt": 1,
        "connections": {
            "broker": {"type": "mqtt-broker", "url": server.url, "client_id": unique("c")[-10:]},
            "db": {"type": "postgres", "dsn": PG_URL},
        },
        "nodes": {
            "in": {"type": "mqtt-in", "connection": "broker", "topic": topic, "qos": 1,
                   "to": "rows"},
            "rows": {"type": "postgres-out", "connection": "db", "table": table,
                     "batch_size": 500, "batch_interval": 30},
        },
    })

    def written() -> int:
        return int(db.rows(f"SELECT count(*) FROM {table}")[0][0])

    async def scenario() -> dict[str, int]:
        async with running(text, timeout=600) as flow:
            await until_connected(flow, "in")
            await asyncio.to_thread(publish_all, server.url, topic, COUNT)
            await eventually(lambda: written() == COUNT, f"{COUNT} rows", timeout=300)
            assert flow.runtime is not None
            return dict(flow.runtime.queues["rows"].batches)

    try:
        batches = asyncio.run(scenario())
        assert sorted(r[0] for r in db.rows(f"SELECT n FROM {table}")) == list(range(COUNT))
    finally:
        db.drop_all()
    assert batches["interval"] == 0, f"a batch waited out its 30 s: {batches}"
    assert batches["idle"] >= 1
