"""Schema errors: stable codes, the right line and column, a useful hint."""

from __future__ import annotations

from typing import Any

import pytest

HEAD = "flowrt: 1\nid: f\nnodes:\n  src: {type: tick, to: a}\n"


@pytest.mark.parametrize(
    ("node", "code", "line", "column", "needle"),
    [
        ("  a: {type: pass, mdoe: fast}", "E023", 5, 19, "did you mean 'mode'"),
        ("  a: {type: pass, mode: slow}", "E024", 5, 25, "'fast', 'safe'"),
        ("  a: {type: pass, limit: many}", "E022", 5, 26, "a whole number"),
        ("  a: {type: pass, limit: 101}", "E025", 5, 26, "at most 100"),
        ("  a: {type: route}", "E021", 5, 3, "rules"),
        ("  a: {type: route, rules: []}", "E025", 5, 27, "at least 1"),
        ("  a: {type: pas}", "E030", 5, 13, "did you mean 'pass'"),
        ("  a: {type: broker, url: x}", "E030", 5, 13, "connections"),
        ("  a: {type: pass, to: {x: b}}", "E020", 5, 24, "output port"),
        ("  a: {type: pass, label: 3}", "E022", 5, 26, "text"),
    ],
)
def test_node_schema_errors(
    run_check: Any, node: str, code: str, line: int, column: int, needle: str
) -> None:
    found = [d for d in run_check(HEAD + node + "\n") if d.severity == "error"]
    assert [d.code for d in found] == [code], found
    d = found[0]
    assert (d.file, d.line, d.column) == ("flows/f0.yaml", line, column)
    assert d.node == "a"
    assert needle in d.message + d.hint


def test_every_problem_is_reported_in_one_pass(run_check: Any) -> None:
    text = HEAD + "  a: {type: pass, mode: slow, to: b}\n  b: {type: route}\n  c: {type: nope}\n"
    found = run_check(text)
    assert {d.code for d in found} >= {"E024", "E021", "E030"}


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("flowrt: 1\nnodes: {}\nextra: 1\n", "E023", 3),
        ("flowrt: 1\nnodes: []\n", "E022", 2),
        ("flowrt: 2\nnodes: {}\n", "E011", 1),
        ("flowrt: 1\nnodes:\n  bad id: {type: pass}\n", "E020", 3),
        ("flowrt: 1\nnodes:\n  a: 3\n", "E022", 3),
        ("flowrt: 1\nnodes:\n  a: {to: b}\n", "E021", 3),
        ("label: x\n", "E011", 1),
        ("- a\n- b\n", "E010", 1),
        ("[{id: a, type: inject, z: t1, wires: []}]\n", "E010", 1),
        ("flowrt: 1\nenv: {A: [1]}\nnodes: {}\n", "E022", 2),
        ("flowrt: 1\nnodes: {}\nlayout: {a: [1]}\n", "E025", 3),
    ],
)
def test_file_structure_errors(run_check: Any, text: str, code: str, line: int) -> None:
    found = [d for d in run_check(text) if d.severity == "error"]
    assert [d.code for d in found] == [code], found
    assert found[0].line == line


def test_nodered_export_gets_an_import_hint(run_check: Any) -> None:
    (d,) = run_check('{"flows": [{"id": "a", "type": "inject", "z": "t", "wires": []}]}\n')
    assert d.code == "E010" and "flowrt import nodered" in d.hint


def test_reference_passes_schema_and_is_checked_after_substitution(run_check: Any) -> None:
    text = HEAD + "  a: {type: pass, limit: '${LIMIT}'}\n"
    assert run_check(text, env={"LIMIT": "5"}) == []
    (bad,) = run_check(text, env={"LIMIT": "many"})
    assert bad.code == "E026" and bad.node == "a" and bad.line == 5
    assert "'many'" in bad.message


def test_flow_env_keeps_its_type(run_check: Any) -> None:
    text = "flowrt: 1\nenv: {LIMIT: 7}\nnodes:\n  src: {type: tick, to: a}\n"
    assert run_check(text + "  a: {type: pass, limit: '${LIMIT}'}\n") == []
    assert [d.code for d in run_check(text + "  a: {type: pass, limit: '${LIMIT:-x}'}\n")] == []


def test_connection_schema(run_check: Any) -> None:
    text = (
        "flowrt: 1\nconnections:\n  mq: {type: broker, uri: x}\nnodes:\n"
        "  src: {type: tick, to: out}\n  out: {type: publish, connection: mq}\n"
    )
    found = run_check(text)
    assert sorted(d.code for d in found) == ["E021", "E023"]
    assert all(d.node == "mq" for d in found)


def test_an_optional_field_reports_its_constraint_not_null(run_check: Any) -> None:
    found = run_check("flowrt: 1\nnodes:\n  w: {type: watch, scope: 3}\n")
    [d] = [d for d in found if d.node == "w"]
    assert d.code == "E022" and "null" not in d.message and "a list" in d.message


def test_a_variable_read_as_a_number_keeps_its_text_where_a_string_is_wanted() -> None:
    """A numeric password or a key with leading zeros, given as one `${NAME}`: a string field
    gets the variable's text (E026 before, and `0042` lost its zeros), a number field its
    number."""
    from flowrt.testing import run_flow

    flow = """
flowrt: 1
nodes:
  tick: {type: inject, repeat: '${EVERY}', to: get}
  get: {type: http-request, url: 'http://127.0.0.1:9/', headers: {X-Key: '${KEY}'}}
connections:
  b: {type: mqtt-broker, url: 'mqtt://127.0.0.1:1', username: ann, password: '${PW}'}
"""
    result = run_flow(flow, env={"KEY": "0042", "PW": "123456", "EVERY": "1.5"}, until=0.1)
    runtime = result.runtime
    assert runtime is not None
    assert runtime.connections["b"].config.password == "123456"
    assert runtime.nodes["get"].config.headers == {"X-Key": "0042"}
    assert runtime.nodes["tick"].config.repeat == 1.5


def test_a_variable_inside_a_longer_text_is_its_text_as_written() -> None:
    """`http://x/${ID}` with ID=0042 was `http://x/42`; 1e3 gave `1000.0`, Infinity `inf`."""
    from flowrt.testing import run_flow

    flow = """
flowrt: 1
nodes:
  get: {type: http-request, url: 'http://127.0.0.1:9/${ID}/${BIG}/${ODD}?t=${T}'}
"""
    result = run_flow(flow, env={"ID": "0042", "BIG": "1e3", "ODD": "Infinity", "T": "true"})
    runtime = result.runtime
    assert runtime is not None
    assert runtime.nodes["get"].config.url == "http://127.0.0.1:9/0042/1e3/Infinity?t=true"
