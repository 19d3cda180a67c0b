"""Restart RabbitMQ, Mosquitto, PostgreSQL and InfluxDB, each in the middle of a stream that a
real worker process carries (see scenario_restart): no message is lost, and the worker's log
shows the node losing its server and reconnecting."""

from __future__ import annotations

import pytest

from tests.faults.scenario_restart import KINDS, restart_server


@pytest.mark.parametrize("kind", KINDS)
def test_server_restart_mid_stream_loses_nothing(kind: str) -> None:
    out = restart_server(kind)
    assert out.tally.lost == [], out.tally
    assert out.tally.unknown == [], out.tally
    assert out.bad_content == 0
    assert 0 < out.done_at_restart < out.tally.expected, "the restart was not mid-stream"
    assert out.reconnection is not None, (
        f"the worker's log has no 'connection lost' / 'write failed' / 'cannot connect' "
        f"warning followed by 'reconnected' for node {out.node}"
    )
    lost, back = out.reconnection
    assert lost["node"] == back["node"] == out.node
    assert lost["seen"] <= back["seen"]
    assert out.exit_code == 0
    # A server away is a warning of the node, not an error (pika's own records aside: it logs
    # each refused connection attempt as an error).
    ours = [e for e in out.errors if str(e.get("logger", "")).startswith("flowrt")]
    assert ours == [], ours[:3]
    if out.depth_at_end is not None:
        assert out.depth_at_end == 0, "messages left unacknowledged in the queue"
