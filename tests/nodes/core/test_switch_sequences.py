"""The switch's recreate_sequences (Node-RED's "recreate message sequences"), through the engine."""

from __future__ import annotations

import json
from typing import Any

from flowrt.testing import FlowResult, run_flow


def part(payload: Any, index: int, count: int | None = 5, seq: str = "s1") -> dict[str, Any]:
    parts: dict[str, Any] = {"id": seq, "index": index}
    if count is not None:
        parts["count"] = count
    return {"payload": payload, "parts": parts}


def run(rules: list[Any], inputs: list[dict[str, Any]], until: float | None = None,
        **options: Any) -> FlowResult:
    node = {"type": "switch", "rules": rules, "recreate_sequences": True, **options}
    return run_flow(json.dumps({"flowrt": 1, "nodes": {"sw": node}}), inputs=inputs, until=until)


def sequence(result: FlowResult, port: int) -> list[tuple[Any, int, int]]:
    """(payload, index, count) of what a port sent; checks the port's messages share one id."""
    sent = result.sent("sw", port)
    assert len({m["parts"]["id"] for m in sent}) <= 1
    return [(m["payload"], m["parts"]["index"], m["parts"]["count"]) for m in sent]


def test_each_output_gets_a_complete_sequence_of_its_own() -> None:
    result = run([{"gt": 2}, {"else": True}], [part(p, p) for p in range(5)])
    assert result.errors == []
    assert sequence(result, 0) == [(3, 0, 2), (4, 1, 2)]
    assert sequence(result, 1) == [(0, 0, 3), (1, 1, 3), (2, 2, 3)]
    ids = {result.sent("sw", 0)[0]["parts"]["id"], result.sent("sw", 1)[0]["parts"]["id"]}
    assert len(ids) == 2 and "s1" not in ids


def test_nothing_leaves_before_the_sequence_is_complete() -> None:
    result = run([{"gte": 0}], [part(p, p) for p in range(4)], until=60)
    assert result.sent("sw") == [] and result.errors == []


def test_the_count_may_come_with_any_part() -> None:
    inputs = [part(0, 0, None), part(2, 2, 3), part(1, 1, None)]
    result = run([{"index_between": [0, 1]}], inputs)
    assert sequence(result, 0) == [(0, 0, 2), (1, 1, 2)]  # in the order they came


def test_interleaved_sequences_and_messages_without_parts() -> None:
    inputs = [part(1, 0, 2, "a"), part(10, 0, 2, "b"), {"payload": 7}, part(2, 1, 2, "a"),
              part(20, 1, 2, "b")]
    result = run([{"lt": 5}, {"gte": 5}], inputs)
    assert result.errors == []
    assert [m["payload"] for m in result.sent("sw", 1)] == [7, 10, 20]
    assert "parts" not in result.sent("sw", 1)[0]
    assert sequence(result, 0) == [(1, 0, 2), (2, 1, 2)]
    tens = result.sent("sw", 1)[1:]
    assert [(m["parts"]["index"], m["parts"]["count"]) for m in tens] == [(0, 2), (1, 2)]


def test_jsonata_sees_the_position_and_count() -> None:
    result = run([{"jsonata": "$I % 2 = 1"}], [part(p, p) for p in range(5)])
    assert sequence(result, 0) == [(1, 0, 2), (3, 1, 2)]


def test_a_message_whose_rule_fails_is_reported_and_left_out() -> None:
    rules = [{"lt": {"type": "jsonata", "value": "$number(payload)"}}, {"else": True}]
    result = run(rules, [part(0, 0, 3), part("x", 1, 3), part(2, 2, 3)])
    assert len(result.errors) == 1 and result.errors[0].node == "sw"
    assert sequence(result, 1) == [(0, 0, 2), (2, 1, 2)]


def test_more_messages_than_max_messages_are_dropped_with_an_error() -> None:
    inputs = [part(p, p, 10) for p in range(4)] + [part(p, p, 2, "next") for p in range(2)]
    result = run([{"gte": 0}], inputs, max_messages=3)
    [error] = result.errors
    assert error.node == "sw" and "more than 3 messages" in error.message
    assert sequence(result, 0) == [(0, 0, 2), (1, 1, 2)]  # the next sequence still goes
    assert result.sent("sw")[0]["parts"]["id"] != "next"


def test_the_messages_sent_are_copies() -> None:
    msg = part({"deep": [1]}, 0, 1)
    result = run([{"is": "not null"}, {"is": "not null"}], [msg])
    first, second = result.sent("sw", 0)[0], result.sent("sw", 1)[0]
    assert first["payload"] == second["payload"] == {"deep": [1]}
    assert first["parts"]["id"] != second["parts"]["id"]
    assert msg["parts"] == {"id": "s1", "index": 0, "count": 1}


def test_a_tail_rule_keeps_the_sequence_until_its_count_is_known() -> None:
    node = {"type": "switch", "rules": [{"tail": 2}, {"else": True}]}
    flow = json.dumps({"flowrt": 1, "nodes": {"sw": node}})
    inputs = [part(p, p, None) for p in range(3)] + [part(3, 3, 4)]
    result = run_flow(flow, inputs=inputs)
    assert result.errors == []
    # sent as they are (same sequence id and indexes), with the count now set
    assert [(m["payload"], m["parts"]) for m in result.sent("sw", 0)] == [
        (2, {"id": "s1", "index": 2, "count": 4}), (3, {"id": "s1", "index": 3, "count": 4})]
    assert result.payloads("sw", 1) == [0, 1]
    held = run_flow(flow, inputs=inputs[:3], until=60)
    assert held.sent("sw", 0) == held.sent("sw", 1) == [] and held.errors == []
