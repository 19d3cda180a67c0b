"""Delivery checks: the `guarantee` key (E043, E024) and sinks on an at-least-once path that
cannot confirm (W109), followed through wires, links, files and subflow instances."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.api import Confirmation, Message, NodeConfig, Sink, Source, field
from flowrt.check import check
from flowrt.diagnostics import Diagnostic
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.registry.catalog import build_flow_schema, node_schema
from flowrt.registry.discover import default_registry
from flowrt.registry.spec import spec_for

HEAD = """\
flowrt: 1
id: {id}
connections:
  rabbit: {{type: amqp-broker, url: "amqp://127.0.0.1:5672/"}}
  plant: {{type: mqtt-broker, url: "mqtt://127.0.0.1:1883"}}
nodes:
"""


def flow(nodes: str, flow_id: str = "f", extra: str = "") -> str:
    return HEAD.format(id=flow_id) + nodes + extra


def diagnose(*texts: str, env: dict[str, str] | None = None, strict: bool = False,
             registry: Registry | None = None) -> list[Diagnostic]:
    docs = [load_text(t, f"flows/f{i}.yaml") for i, t in enumerate(texts)]
    return check(Project(documents=docs), registry or default_registry(), env=env or {},
                 strict=strict)


def codes(found: list[Diagnostic], *wanted: str) -> list[tuple[str, str | None]]:
    """(code, node) of the diagnostics with these codes; the flow must have no errors."""
    assert [d for d in found if d.severity == "error"] == []
    return [(d.code, d.node) for d in found if d.code in wanted]


AMQP_IN = "  orders: {type: amqp-in, connection: rabbit, queue: orders, to: %s}\n"
MQTT_OUT = "  %s: {type: mqtt-out, connection: plant, topic: out, qos: %s}\n"


# W109 ---------------------------------------------------------------------------------------

def test_a_qos_0_publish_on_an_amqp_path_is_named_with_the_source_why_and_the_fix() -> None:
    found = diagnose(flow(AMQP_IN % "alert" + MQTT_OUT % ("alert", 0)))
    [w] = [d for d in found if d.code == "W109"]
    assert (w.severity, w.node, w.node_type, w.line) == ("warning", "alert", "mqtt-out", 8)
    assert "'orders'" in w.message
    assert "qos: 0" in w.message and "before the broker has the message" in w.message
    assert "Set `qos: 1`" in w.hint and "`guarantee: at-most-once` on 'orders'" in w.hint


@pytest.mark.parametrize("qos", [1, 2])
def test_a_publish_the_broker_acknowledges_is_not_warned_about(qos: Any) -> None:
    found = diagnose(flow(AMQP_IN % "alert" + MQTT_OUT % ("alert", qos)))
    assert codes(found, "W109") == []


def test_a_publish_without_qos_is_at_qos_0_and_warned_about() -> None:
    found = diagnose(flow(AMQP_IN % "alert" + MQTT_OUT % ("alert", "null")))
    [w] = [d for d in found if d.code == "W109"]
    assert "without `qos`" in w.message and "QoS 0" in w.message
    assert "Set `qos: 1`" in w.hint


def test_an_at_most_once_source_is_not_warned_about() -> None:
    source = "  orders: {type: amqp-in, connection: rabbit, queue: o, guarantee: at-most-once, " \
             "to: alert}\n"
    assert codes(diagnose(flow(source + MQTT_OUT % ("alert", 0))), "W109") == []
    explicit = source.replace("at-most-once", "at-least-once")
    assert codes(diagnose(flow(explicit + MQTT_OUT % ("alert", 0))), "W109") == [
        ("W109", "alert")]


@pytest.mark.parametrize(("qos", "warned"), [(0, False), (1, True), (2, False)])
def test_mqtt_in_is_at_least_once_at_qos_1(qos: int, warned: bool) -> None:
    # QoS 2 is acknowledged on arrival: MQTT cannot redeliver it once the broker released it
    source = f"  readings: {{type: mqtt-in, connection: plant, topic: a/#, qos: {qos}, " \
             "to: alert}\n"
    found = codes(diagnose(flow(source + MQTT_OUT % ("alert", 0))), "W109")
    assert found == ([("W109", "alert")] if warned else [])


def test_a_timer_acknowledges_nothing_so_its_sinks_are_not_warned_about() -> None:
    found = diagnose(flow("  tick: {type: inject, to: alert}\n" + MQTT_OUT % ("alert", 0)))
    assert codes(found, "W109") == []


def test_the_path_goes_through_transforms_and_every_port() -> None:
    nodes = (AMQP_IN % "parse"
             + "  parse: {type: json, to: route}\n"
             + "  route: {type: switch, property: payload.kind, rules: [{eq: a}, {eq: b}], "
               "to: {1: slow}}\n"
             + "  slow: {type: delay, delay: 1, to: alert}\n"
             + MQTT_OUT % ("alert", 0))
    assert codes(diagnose(flow(nodes)), "W109") == [("W109", "alert")]


def test_a_sink_no_source_reaches_is_not_warned_about() -> None:
    nodes = AMQP_IN % "ok" + MQTT_OUT % ("ok", 1) + "  tick: {type: inject, to: alert}\n" \
        + MQTT_OUT % ("alert", 0)
    assert codes(diagnose(flow(nodes)), "W109") == []


def test_link_out_to_a_link_in_of_another_file_is_followed() -> None:
    first = flow(AMQP_IN % "hand" + "  hand: {type: link-out, links: [catch_it]}\n", "one")
    second = flow("  catch_it: {type: link-in, to: alert}\n" + MQTT_OUT % ("alert", 0), "two",
                  ).replace("  rabbit:", "  rabbit2:").replace("  plant:", "  plant2:")
    second = second.replace("connection: plant", "connection: plant2")
    found = diagnose(first, second)
    assert codes(found, "W109") == [("W109", "alert")]
    [w] = [d for d in found if d.code == "W109"]
    assert w.file == "flows/f1.yaml" and "'orders'" in w.message


def test_a_link_call_path_is_followed_and_so_is_what_follows_the_call() -> None:
    nodes = (AMQP_IN % "call"
             + "  call: {type: link-call, target: entry, to: after}\n"
             + "  entry: {type: link-in, to: [inside, back]}\n"
             + "  back: {type: link-out, mode: return}\n"
             + MQTT_OUT % ("inside", 0) + MQTT_OUT % ("after", 0))
    assert sorted(codes(diagnose(flow(nodes)), "W109")) == [("W109", "after"),
                                                            ("W109", "inside")]


SUBFLOW = """\
subflows:
  publish:
    params:
      QOS: {default: 0}
    input: pub
    outputs: 1
    nodes:
      pub: {type: mqtt-out, connection: plant, topic: out, qos: "${QOS}"}
      pass: {type: change, rules: [{set: topic, to: t}], to: $out}
  relay:
    input: step
    outputs: 1
    nodes:
      step: {type: change, rules: [{set: topic, to: t}], to: $out.0}
  listen:
    outputs: 1
    nodes:
      inbox: {type: amqp-in, connection: rabbit, queue: inbox, to: $out}
"""


def test_a_sink_inside_a_subflow_instance_is_warned_about_with_the_instance_parameters() -> None:
    nodes = AMQP_IN % "[low, high]" + "  low: {type: 'subflow:publish'}\n" \
        + "  high: {type: 'subflow:publish', env: {QOS: 1}}\n"
    found = diagnose(flow(nodes, extra=SUBFLOW))
    [w] = [d for d in found if d.code == "W109"]
    assert (w.node, w.line) == ("pub", 17)  # the declaration inside the subflow
    assert "'orders'" in w.message


def test_an_instance_leads_on_only_from_its_outputs() -> None:
    # `publish` never sends its input to $out (`pass` is not wired from the input)
    blocked = AMQP_IN % "inst" + "  inst: {type: 'subflow:publish', env: {QOS: 1}, to: alert}\n" \
        + MQTT_OUT % ("alert", 0)
    assert codes(diagnose(flow(blocked, extra=SUBFLOW)), "W109") == []
    through = AMQP_IN % "inst" + "  inst: {type: 'subflow:relay', to: alert}\n" \
        + MQTT_OUT % ("alert", 0)
    assert codes(diagnose(flow(through, extra=SUBFLOW)), "W109") == [("W109", "alert")]


def test_a_source_inside_a_subflow_is_named_by_its_instance() -> None:
    nodes = "  in1: {type: 'subflow:listen', to: alert}\n" + MQTT_OUT % ("alert", 0)
    [w] = [d for d in diagnose(flow(nodes, extra=SUBFLOW)) if d.code == "W109"]
    assert "'in1/inbox'" in w.message


def test_disabled_nodes_and_flows_carry_nothing() -> None:
    sink_off = AMQP_IN % "alert" + MQTT_OUT.replace("}", ", disabled: true}") % ("alert", 0)
    assert codes(diagnose(flow(sink_off)), "W109") == []
    step_off = AMQP_IN % "step" + "  step: {type: change, rules: [{set: topic, to: t}], " \
        "disabled: true, to: alert}\n" + MQTT_OUT % ("alert", 0)
    assert codes(diagnose(flow(step_off)), "W109") == []
    flow_off = flow(AMQP_IN % "alert" + MQTT_OUT % ("alert", 0)).replace(
        "id: f\n", "id: f\ndisabled: true\n")
    assert codes(diagnose(flow_off), "W109") == []


def test_one_warning_per_sink_names_every_source_reaching_it() -> None:
    nodes = AMQP_IN % "alert" + "  jobs: {type: amqp-in, connection: rabbit, queue: j, " \
        "to: alert}\n" + MQTT_OUT % ("alert", 0)
    [w] = [d for d in diagnose(flow(nodes)) if d.code == "W109"]
    assert "sources 'jobs', 'orders'" in w.message


def test_a_value_known_only_at_run_time_is_not_guessed() -> None:
    nodes = AMQP_IN % "alert" + '  alert: {type: mqtt-out, connection: plant, qos: "${Q}"}\n'
    assert codes(diagnose(flow(nodes)), "W109") == []  # W104 says ${Q} has no value
    assert codes(diagnose(flow(nodes), env={"Q": "0"}), "W109") == [("W109", "alert")]


def test_strict_makes_it_an_error() -> None:
    found = diagnose(flow(AMQP_IN % "alert" + MQTT_OUT % ("alert", 0)), strict=True)
    assert [d.severity for d in found if d.code == "W109"] == ["error"]


class Acked(Source):
    """Reads with acknowledgements."""

    type = "acked"

    @classmethod
    def acknowledges(cls, config: Any) -> bool:
        return True


class Hopeful(Sink):
    """Writes without waiting, when told to."""

    type = "hopeful"

    class Config(NodeConfig):
        wait: bool = field(False, description="Wait for the server.")

    @classmethod
    def confirms(cls, config: Any) -> Confirmation:
        return Confirmation(config.wait)

    async def write(self, batch: list[Message]) -> None:
        return None


def test_a_sink_with_no_explanation_gets_a_generic_one() -> None:
    registry = Registry(spec_for(cls, "test") for cls in (Acked, Hopeful))
    text = "flowrt: 1\nnodes:\n  src: {type: acked, to: [a, b]}\n  a: {type: hopeful}\n" \
        "  b: {type: hopeful, wait: true}\n"
    [w] = diagnose(text, registry=registry)
    assert (w.code, w.node) == ("W109", "a")
    assert "returns before the server has the messages" in w.message
    assert "flowrt nodes show hopeful" in w.hint


# the guarantee key ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("node", "what"),
    [
        ("{type: switch, property: payload, rules: [{eq: 1}], guarantee: at-most-once}",
         "a switch node"),
        ("{type: postgres-out, connection: db, table: t, guarantee: at-least-once}",
         "a postgres-out node"),
        ("{type: catch, guarantee: at-most-once}", "a catch node"),
        ("{type: 'subflow:relay', guarantee: at-most-once}", "a subflow instance"),
    ],
)
def test_guarantee_on_a_node_that_reads_nothing_is_E043(node: str, what: str) -> None:
    text = flow(AMQP_IN % "show" + f"  it: {node}\n  show: {{type: debug}}\n",
                extra=SUBFLOW).replace(
        "connections:\n", "connections:\n  db: {type: postgres, dsn: 'postgresql://h/d'}\n")
    found = diagnose(text)
    [e] = [d for d in found if d.code == "E043"]
    assert (e.severity, e.node) == ("error", "it")
    assert what in e.message and "amqp-in" in e.hint
    assert e.line == 9 and e.column > 10  # points at the key
    assert [d.code for d in found if d.severity == "error"] == ["E043"]  # no E023 as well


def test_guarantee_values_are_checked() -> None:
    bad = flow("  orders: {type: amqp-in, connection: rabbit, queue: o, "
               "guarantee: exactly-once}\n")
    [e] = [d for d in diagnose(bad) if d.severity == "error"]
    assert e.code == "E024" and "at-least-once" in e.message
    ref = bad.replace("exactly-once", '"${G}"')
    [e] = [d for d in diagnose(ref, env={"G": "at-most-once"}) if d.severity == "error"]
    assert e.code == "E024" and "${VAR}" in e.message


@pytest.mark.parametrize("node", [
    "{type: inject, guarantee: at-most-once}",
    "{type: mqtt-in, connection: plant, topic: a, qos: 0, guarantee: at-least-once}",
    "{type: amqp-in, connection: rabbit, queue: o, guarantee: at-most-once}",
])
def test_guarantee_on_any_source_is_accepted(node: str) -> None:
    found = diagnose(flow(f"  src: {node}\n"))
    assert [d for d in found if d.severity == "error"] == []


def test_the_schema_offers_guarantee_on_source_types_only() -> None:
    registry = default_registry()
    for type_ in ("amqp-in", "mqtt-in", "inject", "http-in"):
        assert "guarantee" in node_schema(registry[type_])["properties"], type_
    for type_ in ("switch", "postgres-out", "catch", "link-in"):
        assert "guarantee" not in node_schema(registry[type_])["properties"], type_
    published = build_flow_schema(registry)["$defs"]["node.amqp-in"]["properties"]["guarantee"]
    assert published["enum"] == ["at-least-once", "at-most-once"]
