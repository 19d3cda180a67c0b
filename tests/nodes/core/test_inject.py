"""The inject node, on the engine's simulated clock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import FlowResult, run_flow


def inject(
    until: float | None = None, env: dict[str, str] | None = None, **options: Any
) -> FlowResult:
    flow = json.dumps({"flowrt": 1, "nodes": {"tick": {"type": "inject", **options}}})
    return run_flow(flow, until=until, env=env)


def times(result: FlowResult, start: float) -> list[float]:
    """When each message was made, in seconds after the start (from the default payload)."""
    return [round(m["payload"] / 1000 - start, 3) for m in result.sent("tick")]


@pytest.mark.parametrize(
    ("options", "until", "expected"),
    [
        ({"once": True}, None, [0.1]),
        ({"once": True, "once_delay": 2}, None, [2.0]),
        ({"repeat": 1}, 3.5, [1.0, 2.0, 3.0]),
        ({"repeat": 0.5, "once": True, "once_delay": 0}, 1.2, [0.0, 0.5, 1.0]),
        ({"repeat": 2, "once": True}, 4.5, [0.1, 2.1, 4.1]),
        ({}, None, []),
    ],
)
def test_schedule(options: dict[str, Any], until: float | None, expected: list[float]) -> None:
    result = inject(until=until, **options)
    assert result.errors == []
    assert result.runtime is not None
    assert times(result, result.runtime.clock.start) == expected


def test_cron_fires_on_the_minute() -> None:
    result = inject(until=180, cron="* * * * *")
    stamps = [m["payload"] for m in result.sent("tick")]
    assert len(stamps) in (2, 3)
    assert all(s % 60_000 == 0 for s in stamps)
    assert [b - a for a, b in zip(stamps, stamps[1:], strict=False)] == [60_000] * (len(stamps) - 1)


def test_properties_and_typed_values() -> None:
    result = inject(
        once=True,
        payload={"type": "json", "value": '{"n": 1}'},
        topic="readings",
        properties={
            "site": {"type": "env", "value": "SITE"},
            "payload.m": {"type": "jsonata", "value": "payload.n + 1"},
            "list": [1, 2],
        },
        env={"SITE": "plant-1"},
    )
    [msg] = result.sent("tick")
    assert msg["payload"] == {"n": 1, "m": 2}
    assert (msg["topic"], msg["site"], msg["list"]) == ("readings", "plant-1", [1, 2])
    assert "_msgid" in msg


def test_default_message_has_a_timestamp_payload_and_no_topic() -> None:
    [msg] = inject(once=True).sent("tick")
    assert isinstance(msg["payload"], int) and "topic" not in msg


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"cron": "61 * * * *"}, "invalid cron"),
        ({"cron": "* * * * *", "repeat": 5}, "repeat or cron"),
        ({"repeat": 0}, "repeat"),
        ({"once_delay": -1}, "at least 0"),
        ({"payload": {"type": "num", "value": "x"}}, "must be a number"),
        ({"properties": {"a..b": 1}}, "invalid property path"),
    ],
)
def test_invalid_config_fails_at_load(options: dict[str, Any], error: str) -> None:
    with pytest.raises(CheckError, match=error):
        inject(**options)
