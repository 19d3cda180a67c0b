"""A slow sink: the worker's memory stays bounded, and back-pressure reaches the source: the
broker keeps what the worker has not taken (see scenario_slow for the arithmetic)."""

from __future__ import annotations

import pytest

from tests.faults.scenario_slow import slow_amqp, slow_mqtt

MB = 1 << 20
GROWTH = 24 * MB
"""The most RSS may grow while the sink is slow: under a third of the 80 MB of payloads the
sink's own buffer (10,000 messages of 8 KB) would hold without back-pressure at the source,
and far above the window's 0.8 MB."""


def test_amqp_slow_sink_holds_only_the_prefetch() -> None:
    out = slow_amqp()
    assert len(out.samples) >= 20
    assert out.max_held <= out.bound, f"the worker held {out.max_held} > prefetch {out.bound}"
    assert out.rss_peak - out.rss_start < GROWTH, (out.rss_start, out.rss_peak)
    # The broker keeps the rest: its ready count never fell below what the sink had written
    # plus one window.
    for sample in out.samples:
        assert sample.ready is not None
        assert sample.ready >= out.messages - sample.rows - out.bound, sample
    assert out.samples[-1].ready is not None and out.samples[-1].ready > out.messages // 2
    assert out.samples[-1].rows > out.samples[0].rows, "the sink wrote nothing meanwhile"
    assert out.lost == 0 and out.duplicated == 0
    assert out.exit_code == 0
    assert out.errors == []


@pytest.mark.parametrize(("protocol", "window"), [("3.1.1", 50), ("5", 10)])
def test_mqtt_stalled_then_slow_sink_holds_only_the_receive_maximum(
    protocol: str, window: int
) -> None:
    """MQTT 5 tells the broker the window (10, below Mosquitto's own 20): a stalled flow gets
    exactly 10. MQTT 3.1.1 cannot: while the connection subscribes it reads whatever comes
    (Mosquitto's own window of 20, below the 50 asked for). Once acknowledgements flow,
    Mosquitto 2.0.11 sends more than any window; the connection's pause keeps the flow to it."""
    out = slow_mqtt(protocol, receive_maximum=window)
    assert out.samples and out.later
    assert 0 < out.max_held <= out.bound, [s.held for s in out.samples]
    if protocol == "5":
        assert out.max_held == out.bound, [s.held for s in out.samples]
    assert max(s.held for s in out.later) <= out.bound, [s.held for s in out.later]
    assert out.later[-1].rows > 0, "the sink wrote nothing once the stall ended"
    peak = max(s.rss for s in out.samples + out.later)
    assert peak - out.rss_start < GROWTH, (out.rss_start, peak)
    assert out.lost == 0
    assert out.exit_code == 0
    assert out.errors == []
