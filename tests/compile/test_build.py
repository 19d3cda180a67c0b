"""build_plan: subflow expansion, ${VAR} substitution, disabled nodes, refusing broken flows."""

from __future__ import annotations

import pytest

from flowrt.compile import build_plan
from flowrt.errors import CheckError
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.testing import run_flow
from tests.run.conftest import WRITTEN

SUBFLOWS = """
flowrt: 1
env: {STEP: 5}
subflows:
  bump:
    params: {AMOUNT: {default: 1}}
    input: first
    outputs: 2
    nodes:
      first: {type: add, amount: "${AMOUNT}", to: [$out.0, second]}
      second: {type: add, amount: "${STEP}", to: $out.1}
  twice:
    input: inner
    outputs: 1
    nodes:
      inner: {type: "subflow:bump", env: {AMOUNT: 100}, to: {0: $out, 1: $out}}
nodes:
  a: {type: "subflow:bump", env: {AMOUNT: 10}, to: {0: low, 1: high}}
  b: {type: "subflow:twice", to: nested}
  low: {type: collect}
  high: {type: collect}
  nested: {type: collect}
"""


def plan_of(text: str, registry: Registry, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    plan, _ = build_plan(Project(documents=[load_text(text, "f.yaml")]), registry, env=env or {})
    return plan


def test_subflow_instances_expand_into_prefixed_nodes(registry: Registry) -> None:
    plan = plan_of(SUBFLOWS, registry)
    assert set(plan.nodes) == {
        "a/first", "a/second", "b/inner/first", "b/inner/second", "low", "high", "nested",
    }
    assert plan.nodes["a/first"].wires == (("low", "a/second"),)
    assert plan.nodes["a/second"].wires == (("high",),)
    assert plan.nodes["b/inner/first"].wires == (("nested", "b/inner/second"),)
    assert plan.nodes["b/inner/second"].wires == (("nested",),)
    assert plan.nodes["a/first"].config.amount == 10  # the instance's value
    assert plan.nodes["a/second"].config.amount == 5  # the flow's env, seen inside
    assert plan.nodes["b/inner/first"].config.amount == 100
    assert plan.nodes["b/inner/first"].scope == ("b", "b/inner")
    assert plan.nodes["b/inner/first"].raw_id == "first"
    assert sorted(plan.entries()) == ["a/first", "b/inner/first"]


def test_subflow_instances_run(registry: Registry) -> None:
    run_flow(SUBFLOWS, inputs=[{"payload": 0}], registry=registry)
    assert WRITTEN["low"] == [10]
    assert WRITTEN["high"] == [15]
    assert sorted(WRITTEN["nested"]) == [100, 105]


def test_a_parameter_default_applies_when_the_instance_gives_none(registry: Registry) -> None:
    plan = plan_of(SUBFLOWS.replace("env: {AMOUNT: 10}, ", ""), registry)
    assert plan.nodes["a/first"].config.amount == 1


def test_process_environment_fills_references(registry: Registry) -> None:
    text = "flowrt: 1\nnodes:\n  a: {type: add, amount: '${N:-3}'}\n"
    assert plan_of(text, registry).nodes["a"].config.amount == 3
    assert plan_of(text, registry, {"N": "7"}).nodes["a"].config.amount == 7


def test_disabled_nodes_and_wires_to_them_are_left_out(registry: Registry) -> None:
    plan = plan_of(
        """
flowrt: 1
nodes:
  a: {type: add, to: [b, c]}
  b: {type: add, disabled: true, to: c}
  c: {type: collect}
""",
        registry,
    )
    assert set(plan.nodes) == {"a", "c"}
    assert plan.nodes["a"].wires == (("c",),)


def test_a_disabled_flow_plans_nothing(registry: Registry) -> None:
    plan = plan_of("flowrt: 1\ndisabled: true\nnodes:\n  a: {type: add}\n", registry)
    assert plan.nodes == {}


def test_a_flow_with_errors_is_refused_with_every_diagnostic(registry: Registry) -> None:
    with pytest.raises(CheckError) as info:
        plan_of(
            "flowrt: 1\nnodes:\n  a: {type: add, amount: x, to: nowhere}\n  b: {type: nope}\n",
            registry,
        )
    assert sorted(d.code for d in info.value.diagnostics) == ["E022", "E030", "E031"]


ORIGINS = """
flowrt: 1
subflows:
  bump:
    input: first
    outputs: 1
    nodes:
      first: {type: add, amount: 1, to: $out, origin: {id: "1111", type: change}}
  twice:
    input: inner
    outputs: 1
    nodes:
      inner: {type: "subflow:bump", to: $out, origin: {id: "2222", type: "subflow:bb"}}
      plain: {type: collect}
nodes:
  a: {type: "subflow:bump", to: low, origin: {id: aaaa, type: "subflow:bb"}}
  b: {type: "subflow:twice", to: low, origin: {id: bbbb, type: "subflow:tt"}}
  c: {type: "subflow:bump", to: low}
  low: {type: collect, origin: {id: "9999", type: debug}}
  mine: {type: collect}
"""


def test_the_origin_goes_into_the_plan_with_node_red_ids_inside_instances(
    registry: Registry,
) -> None:
    plan = plan_of(ORIGINS, registry)
    origin = {node_id: (pn.origin.id, pn.origin.type) if pn.origin else None
              for node_id, pn in plan.nodes.items()}
    assert origin == {
        "low": ("9999", "debug"),
        "mine": None,
        "a/first": ("aaaa-1111", "change"),  # Node-RED's <instance>-<inner>
        "b/inner/first": ("bbbb-2222-1111", "change"),
        "b/plain": None,
        "c/first": None,  # an instance written in flowrt: no Node-RED id to build on
    }
