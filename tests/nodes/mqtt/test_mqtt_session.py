"""The MQTT session (nodes/mqtt/mqtt_session.py) closed while it connects, at every moment
around the broker's CONNACK, against the test broker."""

from __future__ import annotations

import asyncio

from flowrt_nodes.mqtt.mqtt_broker import MqttBroker
from flowrt_nodes.mqtt.mqtt_session import MqttSession

from tests.nodes.mqtt.mqtt_kit import WAIT, flow_text, running, unique


async def close_as_the_broker_answers(connection: MqttBroker, turns: int) -> str:
    """Connect a new session, close it ``turns`` turns of the loop after the CONNACK came, and
    return its state once its connecting has ended."""
    session = MqttSession(connection.settings(), connection.ctx)
    asking = asyncio.get_running_loop().create_task(session.connected())
    await asyncio.sleep(0)
    connecting = session._connecting
    assert connecting is not None
    give_up = asyncio.get_running_loop().time() + WAIT  # a broker that never answers
    while session._connack is None or not session._connack.done():
        assert asyncio.get_running_loop().time() < give_up, "no CONNACK from the test broker"
        await asyncio.sleep(0)
    for _ in range(turns):
        await asyncio.sleep(0)
    await session.close()
    await asyncio.wait({asking, connecting}, timeout=WAIT)  # a hang fails below
    assert connecting.done(), f"the connecting outlived close() ({turns} turns)"
    if asking.done() and not asking.cancelled():
        asking.exception()  # NotConnected, or none: either may come (closed before or after)
    state: str = session.state
    return state


def test_a_session_closed_as_the_broker_answers_stays_closed(broker: str) -> None:
    """Python 3.11's asyncio.wait_for swallowed the cancellation close() sent as the CONNACK
    arrived: the connecting went on and marked the closed session connected."""
    nodes = {"out": {"type": "mqtt-out", "connection": "broker", "topic": unique()}}

    async def scenario() -> list[str]:
        async with running(flow_text(nodes, broker)) as flow:
            runtime = flow.result.runtime
            assert runtime is not None
            connection = runtime.connections["broker"]
            assert isinstance(connection, MqttBroker)
            return [await close_as_the_broker_answers(connection, i % 4) for i in range(24)]

    states = asyncio.run(scenario())
    assert states == ["closed"] * len(states)
