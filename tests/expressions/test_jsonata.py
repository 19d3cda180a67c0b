from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from flowrt.errors import NodeError
from flowrt.expressions.jsonata import JsonataExpression, compile_expression, uses_legacy_msg
from flowrt.expressions.props import MISSING
from tests.expressions.jsonata_cases import LEGACY_CASES, TOPIC
from tests.expressions.test_typed_value import Stores


def test_expression_is_parsed_at_load() -> None:
    class Config(BaseModel):
        expr: JsonataExpression

    assert Config(expr="payload.a").expr == "payload.a"
    with pytest.raises(ValidationError, match="invalid JSONata"):
        Config(expr="payload +")


@pytest.mark.parametrize(
    ("expression", "data", "variables", "expected"),
    [
        ("$I & '/' & $N", {}, {"I": 1, "N": 3}, "1/3"),
        ("payload.x", {"payload": {"x": None}}, None, None),
        ("payload.y", {"payload": {}}, None, MISSING),
        ("$flowContext('cfg.limit[0]')", {}, None, 5),
        ("$flowContext('absent')", {}, None, MISSING),
        ("$globalContext('site') & $env('UNIT')", {}, None, "plant-1C"),
    ],
)
def test_expression_evaluates(expression: str, data: Any, variables: Any, expected: Any) -> None:
    ctx: Any = Stores()
    assert compile_expression(expression, ctx)(data, variables) == expected


def test_expression_failure_is_a_node_error() -> None:
    ctx: Any = Stores()
    run = compile_expression("$number(payload)", ctx)
    with pytest.raises(NodeError, match="failed"):
        run({"payload": "abc"}, None)


@pytest.mark.parametrize(("expression", "payload", "expected"), LEGACY_CASES,
                         ids=[c[0] for c in LEGACY_CASES])
def test_legacy_msg_expression_reads_msg_as_node_red_does(
    expression: str, payload: Any, expected: Any
) -> None:
    ctx: Any = Stores()
    run = compile_expression(expression, ctx)
    assert run({"payload": payload, "topic": TOPIC}, None) == expected


@pytest.mark.parametrize(
    ("expression", "legacy"),
    [  # Node-RED's test: msg as a word, not after a letter, digit, _, quote or dot
        ("msg.payload", True), ("msg", True), ("$msg", True), ("(msg)", True),
        ("'a msg b'", True), ('"msg"', False), ("'msg'", False), ("payload.msg", False),
        ("msgs", False), ("_msg", False), ("msg_id", False), ("a.msg", False),
        ("payload", False), ("msg\n", True),
    ],
)
def test_legacy_form_is_detected_by_node_reds_rule(expression: str, legacy: bool) -> None:
    assert uses_legacy_msg(expression) is legacy


def test_legacy_expression_takes_the_fast_path_and_variables_alike() -> None:
    ctx: Any = Stores()
    run = compile_expression("msg.payload * $I", ctx)
    assert run({"payload": 3}, {"I": 2}) == 6
    assert compile_expression("msg.payload * 2", ctx)({"payload": 3}, None) == 6
