from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from flowrt.errors import NodeError
from flowrt.expressions.jsonata import JsonataExpression, compile_expression
from flowrt.expressions.props import MISSING
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
