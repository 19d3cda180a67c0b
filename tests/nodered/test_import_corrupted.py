"""Property: a real Node-RED export with one field of one node corrupted still imports. The
import never raises, writes files the checker passes (no error: the exit status is 0), and
reports the corrupted node; when the import gives it up, the node stands in the flow as an
`unsupported` node that keeps the corrupted properties as they were.

The exports are the example flows of Node-RED's @node-red/nodes package (installed with npm,
see helpers.nodered_home) and the representative export of test_roundtrip.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowrt.nodered import convert, read_data
from flowrt.nodered.builder import KEPT_ELSEWHERE
from flowrt.nodered.export_values import unescape
from tests.nodered.helpers import errors, examples_dir, nodered_home
from tests.nodered.test_import_fuzz import REGISTRY, assert_loads
from tests.nodered.test_roundtrip import REPRESENTATIVE

STRUCTURAL = {"tab", "subflow", "group", "junction"}


def _exports() -> list[tuple[str, list[dict[str, Any]]]]:
    nodered_home()
    found = [("test_roundtrip.REPRESENTATIVE", REPRESENTATIVE)]
    for path in sorted(examples_dir().rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list) and any(_corruptible(n) for n in data):
            found.append((str(path.relative_to(examples_dir())), data))
    return found


def _corruptible(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") not in STRUCTURAL and "id" in node


EXPORTS: list[tuple[str, list[dict[str, Any]]]] = []

ODD_TEXT = ["", " ", "0", "-1", "1e999", "NaN", "true", "null", "[", "{", "}", "]", "$$(",
            "$.a[", "(", "[a-", "*", "\\", "${", "${X", "${X}", "$(X)", "{{", "{{#a}}",
            "msg.", "msg..a", "payload[", "a\nb", "\u0000", "\ud7ff", "x" * 300]
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
              st.sampled_from(ODD_TEXT)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["t", "p", "v", "vt", "to", "tot",
                                                             "type", "value", "x", "id"]),
                                            inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], str, str]:
    if not EXPORTS:
        EXPORTS.extend(_exports())
    name, nodes = draw(st.sampled_from(EXPORTS))
    nodes = json.loads(json.dumps(nodes))
    target = draw(st.sampled_from([n for n in nodes if _corruptible(n)]))
    keys = sorted(k for k in target if k not in ("id", "z"))
    key = draw(st.one_of(st.sampled_from(keys), st.sampled_from(["rules", "wires", "links"]))
               if keys else st.just("wires"))
    if key == "type":
        value: Any = draw(st.one_of(values, st.sampled_from(
            ["inject", "debug", "change", "switch", "function", "mqtt-broker", "ui_button",
             "subflow:nope", "link in", "exec"])).filter(_not_structural))
    elif _items(target.get(key)) and draw(st.booleans()):
        value = target[key]  # one property of one item (a rule, a header): its expression
        item = draw(st.sampled_from(_items(value)))
        item[draw(st.sampled_from(sorted(item)))] = draw(st.one_of(st.sampled_from(ODD_TEXT),
                                                                   values))
    elif key == "rules" or (isinstance(target.get(key), list) and draw(st.booleans())):
        value = draw(st.lists(values, max_size=3))
    else:
        value = draw(values)
    target[key] = value
    return name, nodes, target["id"], key


def _items(value: Any) -> list[dict[str, Any]]:
    """The non-empty mappings in a list property (rules, props, headers)."""
    return [v for v in value if isinstance(v, dict) and v] if isinstance(value, list) else []


def _not_structural(value: Any) -> bool:
    return not (isinstance(value, str) and value in STRUCTURAL)


@given(case=corrupted())
@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_a_corrupted_field_makes_at_most_that_node_unsupported(
        case: tuple[str, list[dict[str, Any]], str, str]) -> None:
    name, nodes, nr_id, key = case
    conversion = convert(read_data(nodes, name), {}, Path(name).name, REGISTRY)
    report = conversion.report
    assert not errors(conversion), (name, nr_id, key, errors(conversion))
    found = [e for e in report.entries if e.nr_id == nr_id]
    assert found or any(p.node == nr_id for p in report.problems), (name, nr_id, key)
    for entry in found:
        if entry.status != "unsupported" or entry.kind != "node":
            continue
        assert entry.reason
        raw = next(n for n in nodes if isinstance(n, dict) and n.get("id") == nr_id)
        made = [out for flow in conversion.flows for out in flow.all_nodes()
                if out.nr_id == nr_id and out.id == entry.flowrt_id]
        assert len(made) == 1 and made[0].type == "unsupported", (name, nr_id, key)
        kept = unescape(made[0].config["nodered"])
        assert _same(kept, {k: v for k, v in raw.items() if k not in KEPT_ELSEWHERE})
    assert_loads(conversion.texts())


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON data (a float that is an integer equals that integer)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
