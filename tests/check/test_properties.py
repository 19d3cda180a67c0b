"""Property: whatever a flow file turns into, load and check answer with diagnostics, never raise.

Valid flows (YAML and JSON, using every feature the checker looks at) are mutated at the text
level the way hands and tools break files: lines deleted, duplicated or re-indented, bytes
inserted, keys renamed, values swapped for values of other types. Each result goes through
``load_text`` and ``check`` (one file), and through ``load_project`` and ``check`` (the file on
disk, next to an intact file of the same project). No exception may escape but ``LoadError``
from ``load_text``, and every diagnostic must carry a known code.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowrt.check import check
from flowrt.diagnostics import CODES, Diagnostic
from flowrt.errors import LoadError
from flowrt.load import Project, load_project, load_text
from flowrt.registry import Registry

YAML_FLOW = """\
# a flow that exercises every check
flowrt: 1
id: main
label: Main flow
env:
  EVERY: 2
  LIMIT: 5
connections:
  mq: {type: broker, url: '${MQ_URL:-mqtt://127.0.0.1}', password: '${MQ_PASSWORD}'}
nodes:
  tick:
    type: tick
    every: ${EVERY}
    to: [route, pass]
  route:
    type: route
    rules: [a, b, c]
    to: {0: pass, 1: [wait, out], 2: [to-other, sub]}
  pass: {type: pass, property: payload.value, mode: safe, limit: '${LIMIT}', to: out}
  wait: {type: wait, seconds: 0.5, to: pass}
  out: {type: publish, connection: mq, topic: alerts}
  to-other: {type: link-out, links: [from-main]}
  sub: {type: 'subflow:double', env: {FACTOR: 3}, to: out}
  errors: {type: watch, scope: [route, pass], to: out}
subflows:
  double:
    label: Double it
    params: {FACTOR: {default: 2, description: Multiplier}}
    input: first
    outputs: 1
    nodes:
      first: {type: pass, limit: 1, to: $out.0}
layout:
  tick: [10, 20]
  route: [110, 20]
"""

OTHER_FLOW = """\
flowrt: 1
id: other
nodes:
  from-main: {type: link-in, to: store}
  store: {type: publish, connection: mq}
"""

JSON_FLOW = json.dumps(
    {
        "flowrt": 1,
        "id": "main",
        "connections": {"mq": {"type": "broker", "url": "mqtt://127.0.0.1"}},
        "nodes": {
            "tick": {"type": "tick", "every": 1, "to": ["route"]},
            "route": {
                "type": "route",
                "rules": ["a", "b"],
                "to": {"0": "out", "1": ["out", "to-other"]},
            },
            "out": {"type": "publish", "connection": "mq"},
            "to-other": {"type": "link-out", "links": ["from-main"]},
        },
        "layout": {"tick": [1, 2]},
    },
    indent=2,
)

SEEDS = {"main.yaml": YAML_FLOW, "main.json": JSON_FLOW}

KEYS = [
    "flowrt", "id", "env", "connections", "nodes", "subflows", "layout", "type", "to", "rules",
    "links", "scope", "connection", "params", "input", "outputs", "every", "limit", "label",
]  # fmt: skip

OTHER_VALUES = [
    "null", "~", "true", "-1", "0", "1e400", "3.5", "'x'", '""', "[]", "{}", "[1, [2]]",
    "{a: {b: c}}", "'${NOPE}'", "'${EVERY'", "$out.9", "'subflow:nope'", "&a [*a]", "*a",
    "!!binary aGk=", "!custom 1", "2024-01-01", "0x1F", ".nan", "'\\u0000'", "|\n  text",
]  # fmt: skip


INSERTED_LINES = [
    "%YAML 1.1", "%YAML 1.3", "%YAML 2.0", "%YAML", "%TAG !e! tag:e.com,2000:", "%FOO bar",
    "---", "...", "? [a, b]", ": value", "<<: *a", "<<: {a: 1}", "key: &a value", "ref: *a",
    "- item", "x: !!set {a, b}", "x: !!omap [a: 1]", "x: !!python/object:os.system x",
    "x: !e!thing 1", "\t", "'open", "{", "]", "|", ">-", "#", "x: 1e5", "x: 0o17", "x: 1_000",
    "x: 2001-12-14 21:59:43.10 -5", "x: =", "x: <<", "! x: 1", "&a : b",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed flow with one to four text-level mutations applied."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    lines = SEEDS[name].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(
                ["delete", "duplicate", "indent", "bytes", "rename", "value", "swap", "insert"]
            )
        )
        line = lines[i]
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "indent":
            spaces = len(line) - len(line.lstrip(" "))
            lines[i] = " " * max(0, spaces + draw(st.sampled_from([-4, -2, -1, 1, 2, 3]))) + (
                line.lstrip(" ")
            )
        elif kind == "bytes":
            at = draw(st.integers(0, len(line)))
            junk = draw(st.binary(min_size=1, max_size=4)).decode("latin-1")
            lines[i] = line[:at] + junk + line[at:]
        elif kind == "rename":
            key = draw(st.sampled_from(KEYS))
            new = draw(st.sampled_from([*KEYS, key + "s", key.upper(), "x-" + key, "", "0"]))
            lines[i] = line.replace(key, new, 1)
        elif kind == "value" and ":" in line:
            head = line.rsplit(":", 1)[0]
            lines[i] = f"{head}: {draw(st.sampled_from(OTHER_VALUES))}"
        elif kind == "insert":
            indent = " " * draw(st.sampled_from([0, 2, 4, 6]))
            lines.insert(i, indent + draw(st.sampled_from(INSERTED_LINES)))
        elif kind == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    text = "\n".join(lines)
    # Bytes stand for what a file on disk may hold: some insertions are not valid UTF-8.
    encoding = draw(st.sampled_from(["utf-8", "latin-1"]))
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    return name, raw


def assert_diagnostics(found: Any) -> None:
    assert isinstance(found, list)
    for d in found:
        assert isinstance(d, Diagnostic)
        assert d.code in CODES, d
        assert d.severity == CODES[d.code].severity or d.code.startswith("W"), d
        assert isinstance(d.line, int) and isinstance(d.column, int) and d.line >= 0


PROPERTY = settings(
    max_examples=150,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(case=mutated())
def test_load_text_and_check_never_raise(registry: Registry, case: tuple[str, bytes]) -> None:
    name, raw = case
    text = raw.decode("utf-8", errors="replace")
    try:
        doc = load_text(text, f"flows/{name}")
    except LoadError as exc:
        assert exc.diagnostics
        assert_diagnostics(exc.diagnostics)
        return
    other = load_text(OTHER_FLOW, "flows/other.yaml")
    assert_diagnostics(check(Project(documents=[doc, other]), registry, env={}))


@PROPERTY
@given(case=mutated())
def test_load_project_and_check_never_raise(registry: Registry, case: tuple[str, bytes]) -> None:
    name, raw = case
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_bytes(raw)
        (Path(tmp) / "other.yaml").write_text(OTHER_FLOW)
        project = load_project([tmp])
        found = check(project, registry, env={}, strict=True)
    assert_diagnostics(found)
    assert len(project.documents) + len({d.file for d in project.diagnostics}) >= 1


def test_seeds_are_clean(registry: Registry) -> None:
    """The mutations start from flows the checker accepts, so what they find is theirs."""
    for name, text in SEEDS.items():
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / name).write_text(text)
            (Path(tmp) / "other.yaml").write_text(OTHER_FLOW)
            found = check(load_project([tmp]), registry, env={"MQ_PASSWORD": "x"}, strict=True)
        assert [str(d) for d in found] == []


def test_fields_from_a_merge_key_are_reported_at_the_mapping(registry: Registry) -> None:
    """Keys brought in by `<<:` have no position of their own; locating them used to raise."""
    doc = load_text("flowrt: 1\n<<: {colour: red}\nnodes: {}\n", "flows/m.yaml")
    (d,) = check(Project(documents=[doc]), registry, env={})
    assert (d.code, d.line, d.column) == ("E023", 1, 1) and "colour" in d.message
