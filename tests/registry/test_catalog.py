"""The published flow schema: valid JSON Schema, accepts good flows, rejects bad ones."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from flowrt.api import Connection, NodeConfig, Source, Transform, field
from flowrt.load import load_text
from flowrt.load.yaml_io import to_plain
from flowrt.registry import Registry
from flowrt.registry.catalog import build_flow_schema
from flowrt.registry.spec import spec_for


class Gen(Source):
    """Generates."""

    type = "gen"

    class Config(NodeConfig):
        count: int = field(1, description="How many.", ge=1)


class Step(Transform):
    """Steps."""

    type = "step"

    class Config(NodeConfig):
        size: float = field(description="Step size.")


class Db(Connection):
    """A database."""

    type = "db"

    class Config(NodeConfig):
        dsn: str = field(description="Where.")


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = build_flow_schema(Registry(spec_for(c, "t") for c in (Gen, Step, Db)))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


GOOD = """\
flowrt: 1
env: {SIZE: 2}
connections: {main: {type: db, dsn: x}}
nodes:
  g: {type: gen, count: 3, to: {0: [s]}}
  s: {type: step, size: '${SIZE}', label: Step}
  i: {type: 'subflow:sf', env: {A: 1}}
subflows:
  sf: {input: a, outputs: 1, nodes: {a: {type: step, size: 1, to: $out.0}}}
layout: {g: [10, 20]}
"""


def test_good_flow_is_valid(validator: Any) -> None:
    errors = list(validator.iter_errors(to_plain(load_text(GOOD).data)))
    assert errors == []


@pytest.mark.parametrize(
    "change",
    [
        ("count: 3", "count: 0"),
        ("size: '${SIZE}'", "size: big"),
        ("type: gen", "type: nope"),
        ("dsn: x", "dsn: 3"),
        ("layout: {g: [10, 20]}", "layout: {g: [10]}"),
        ("flowrt: 1", "flowrt: 2"),
        ("label: Step", "lable: Step"),
    ],
)
def test_bad_flows_are_invalid(validator: Any, change: tuple[str, str]) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    assert list(validator.iter_errors(to_plain(load_text(text).data)))
