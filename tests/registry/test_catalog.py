"""The published flow schema: valid JSON Schema, accepts good flows, rejects bad ones."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from flowrt.api import Connection, NodeConfig, Source, Transform, field
from flowrt.load import load_text
from flowrt.load.view import RESERVED_NODE_KEYS
from flowrt.load.yaml_io import to_plain
from flowrt.registry import Registry
from flowrt.registry.catalog import build_flow_schema, node_schema
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
  s: {type: step, size: '${SIZE}', label: Step, origin: {id: a1b2c3d4e5f60718, type: change}}
  i: {type: 'subflow:sf', env: {A: 1}, origin: {id: 0f0f0f0f0f0f0f0f, type: 'subflow:ab12'}}
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
        ("type: change}", "type: change, z: t1}"),
        ("{id: a1b2c3d4e5f60718, type: change}", "{type: change}"),
        ("{id: a1b2c3d4e5f60718,", "{id: 17,"),
        ("dsn: x}", "dsn: x, origin: {id: e1e1, type: mqtt-broker}}"),
    ],
)
def test_bad_flows_are_invalid(validator: Any, change: tuple[str, str]) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    assert list(validator.iter_errors(to_plain(load_text(text).data)))


def test_the_reserved_node_keys_are_the_keys_the_schema_offers_besides_the_config() -> None:
    """The loader's list (what is not configuration) and the schema's (what a node may hold)
    name the same keys."""
    schema = node_schema(spec_for(Gen, "t"))
    config = set(Gen.Config.model_fields)
    assert set(schema["properties"]) - config == set(RESERVED_NODE_KEYS)
