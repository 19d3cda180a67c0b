"""Property: any bytes, any JSON or YAML structure, and any flow-shaped structure made of the
registry's real node types and fields goes through ``load_text`` (or ``load_project``) and
``check`` with diagnostics as the only answer: no exception but ``LoadError`` from
``load_text``, and every diagnostic with a known code and a position.

tests/check/test_properties.py mutates valid flows at the text level; this generates structures
from nothing, so it reaches shapes no mutation of a sensible file produces (a node that is a
list, a wire that is a mapping, a subflow whose nodes are numbers, every node type of the
registry with fields of every type).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from flowrt.check import check
from flowrt.diagnostics import CODES, Diagnostic
from flowrt.errors import LoadError
from flowrt.load import Project, load_project, load_text
from flowrt.registry import default_registry

REGISTRY = default_registry()
TYPES = sorted(spec.type for spec in REGISTRY)
FIELDS = sorted({name for spec in REGISTRY for name in spec.fields})
KEYS = ["flowrt", "id", "label", "env", "connections", "nodes", "subflows", "layout", "type",
        "to", "disabled", "info", "params", "input", "outputs", "connection", "links", "scope",
        "properties", "headers", "password", "token"]  # fmt: skip
IDS = ["a", "b", "c", "mq", "db", "sub", "$out", "$out.0", "$out.7", ""]
STRINGS = ["", "payload", "msg.payload", "${X}", "${X:-1}", "${A}${B}", "$${X}", "${", "0",
           "true", "null", "subflow:sub", "subflow:none", "amqp://u:pw@h/", "Bearer abc",
           "\x00", "☃", "a" * 300]  # fmt: skip

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(STRINGS),
    st.text(max_size=12),
)
keys = st.one_of(st.sampled_from(KEYS + FIELDS + IDS), st.text(max_size=8))
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(keys, inner, max_size=6)),
    max_leaves=40,
)


def wiring() -> st.SearchStrategy[Any]:
    target = st.sampled_from(IDS)
    return st.one_of(target, st.lists(target, max_size=3),
                     st.dictionaries(st.one_of(st.integers(-1, 3), st.sampled_from(["0", "x"])),
                                     st.one_of(target, st.lists(target, max_size=2)),
                                     max_size=3),
                     structures)


@st.composite
def node(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(structures)  # a node that is not a mapping at all
    kind = draw(st.one_of(st.sampled_from(TYPES), st.sampled_from(["subflow:sub", "nope", 3])))
    spec = REGISTRY.get(kind) if isinstance(kind, str) else None
    names = sorted(spec.fields) if spec is not None else FIELDS
    data: dict[Any, Any] = {"type": kind}
    for name in draw(st.lists(st.sampled_from(names or ["x"]), max_size=4, unique=True)):
        data[name] = draw(structures)
    if draw(st.booleans()):
        data["to"] = draw(wiring())
    if draw(st.integers(0, 5)) == 0:
        data[draw(st.sampled_from(["disabled", "label", "env", "info"]))] = draw(structures)
    return data


@st.composite
def flow(draw: st.DrawFn) -> Any:
    doc: dict[Any, Any] = {
        "flowrt": draw(st.sampled_from([1, 1, 1, 2, "1", None])),
        "id": draw(st.sampled_from(["f", "g", "", 5])),
    }
    nodes = st.dictionaries(st.sampled_from(IDS[:5]), node(), max_size=5)
    doc["nodes"] = draw(st.one_of(nodes, nodes, structures))
    if draw(st.booleans()):
        conns = st.dictionaries(st.sampled_from(["mq", "db", "x"]), node(), max_size=2)
        doc["connections"] = draw(conns)
    if draw(st.booleans()):
        doc["subflows"] = {"sub": {
            "input": draw(st.sampled_from(IDS)),
            "outputs": draw(st.one_of(st.integers(-1, 3), structures)),
            "params": draw(st.one_of(st.dictionaries(st.sampled_from(["X", "Y"]), st.one_of(
                st.dictionaries(st.sampled_from(["default", "description"]), scalars,
                                max_size=2), structures), max_size=2), structures)),
            "nodes": draw(st.one_of(nodes, structures)),
        }}
    for key in draw(st.lists(st.sampled_from(["env", "layout", "label", "disabled"]),
                             max_size=2, unique=True)):
        doc[key] = draw(structures)
    return doc


def assert_diagnostics(found: Any) -> None:
    assert isinstance(found, list)
    for d in found:
        assert isinstance(d, Diagnostic)
        assert d.code in CODES, d
        assert isinstance(d.line, int) and d.line >= 0 and isinstance(d.column, int), d
        str(d)
        d.to_json()


def load_and_check(text: str, name: str) -> None:
    try:
        doc = load_text(text, name)
    except LoadError as exc:
        assert_diagnostics(exc.diagnostics)
        assert exc.diagnostics
        return
    assert_diagnostics(check(Project([doc]), REGISTRY, env={"X": "1"}))


def as_yaml(data: Any) -> str:
    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


@given(raw=st.binary(max_size=400))
@SETTINGS
def test_any_bytes_in_a_flow_file(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "flow.yaml"
        path.write_bytes(raw)
        project = load_project([path])
        assert_diagnostics(project.diagnostics)
        assert_diagnostics(check(project, REGISTRY, env={}))


@given(text=st.text(max_size=300))
@SETTINGS
def test_any_text(text: str) -> None:
    load_and_check(text, "flows/any.yaml")


@given(data=structures, fmt=st.sampled_from(["json", "yaml"]))
@SETTINGS
def test_any_structure(data: Any, fmt: str) -> None:
    text = json.dumps(data) if fmt == "json" else as_yaml(data)
    load_and_check(text, f"flows/any.{fmt}")


@given(data=flow(), fmt=st.sampled_from(["json", "yaml"]))
@settings(SETTINGS, max_examples=300)
def test_flow_shaped_structures_of_real_node_types(data: Any, fmt: str) -> None:
    text = json.dumps(data) if fmt == "json" else as_yaml(data)
    load_and_check(text, f"flows/flow.{fmt}")


@given(depth=st.integers(60, 3000), kind=st.sampled_from(["[", "{a: ", "- "]))
@settings(SETTINGS, max_examples=20)
def test_deep_nesting_is_a_diagnostic(depth: int, kind: str) -> None:
    if kind == "- ":
        text = "".join("  " * i + "- \n" for i in range(depth))
    else:
        text = "x: " + kind * depth + "1" + ("]" if kind == "[" else "}") * depth
    load_and_check(text, "flows/deep.yaml")
