"""Reference checks: duplicates across files, connections, node references, subflows, secrets."""

from __future__ import annotations

from typing import Any

CONN = "connections:\n  mq: {type: broker, url: 'mqtt://127.0.0.1'}\n"


def flow(nodes: str, flow_id: str = "f", extra: str = "") -> str:
    return f"flowrt: 1\nid: {flow_id}\n{extra}nodes:\n{nodes}"


def test_duplicate_node_id_across_files(run_check: Any) -> None:
    found = run_check(flow("  a: {type: tick}\n"), flow("  a: {type: tick}\n", "g"))
    (d,) = found
    assert d.code == "E035" and d.file == "flows/f1.yaml" and "flows/f0.yaml:4" in d.message


def test_duplicate_flow_id(run_check: Any) -> None:
    found = run_check(flow("  a: {type: tick}\n"), flow("  b: {type: tick}\n"))
    assert [(d.code, d.file, d.line) for d in found] == [("E036", "flows/f1.yaml", 2)]


def test_connection_references(run_check: Any) -> None:
    ok = flow("  s: {type: tick, to: p}\n  p: {type: publish, connection: mq}\n", extra=CONN)
    assert run_check(ok) == []
    typo = ok.replace("connection: mq}", "connection: mqq}")
    (d,) = [d for d in run_check(typo) if d.severity == "error"]
    assert (d.code, d.node, d.line) == ("E033", "p", 7) and "did you mean 'mq'" in d.hint


def test_connection_of_wrong_type(run_check: Any) -> None:
    text = flow(
        "  s: {type: tick, to: p}\n  p: {type: publish, connection: db}\n",
        extra="connections:\n  db: {type: database, dsn: x}\n",
    )
    (d,) = run_check(text)
    assert d.code == "E034" and "database" in d.message and "broker" in d.hint


def test_connection_shared_across_files(run_check: Any) -> None:
    shared = "flowrt: 1\nid: shared\n" + CONN + "nodes: {}\n"
    user = flow("  s: {type: tick, to: p}\n  p: {type: publish, connection: mq}\n")
    assert run_check(shared, user) == []


def test_unused_connection_is_a_warning(run_check: Any) -> None:
    (d,) = run_check(flow("  s: {type: tick}\n", extra=CONN))
    assert (d.code, d.severity, d.node, d.line) == ("W103", "warning", "mq", 4)


def test_secret_written_inline(run_check: Any) -> None:
    conn = "connections:\n  mq: {type: broker, url: x, password: hunter2}\n"
    found = run_check(
        flow("  s: {type: tick, to: p}\n  p: {type: publish, connection: mq}\n", extra=conn)
    )
    (d,) = found
    assert d.code == "E039" and "${MQ_PASSWORD}" in d.hint and d.column == 40
    by_ref = conn.replace("hunter2", "'${MQ_PASSWORD}'")
    assert (
        run_check(
            flow("  s: {type: tick, to: p}\n  p: {type: publish, connection: mq}\n", extra=by_ref),
            env={"MQ_PASSWORD": "x"},
        )
        == []
    )


def test_password_inside_an_address_written_inline(run_check: Any) -> None:
    nodes = "  s: {type: tick, to: p}\n  p: {type: publish, connection: mq}\n"
    conn = "connections:\n  mq: {type: broker, url: 'amqp://app:hunter2@127.0.0.1/'}\n"
    (d,) = run_check(flow(nodes, extra=conn))
    assert (d.code, d.node, d.line, d.column) == ("E039", "mq", 4, 27)
    assert "amqp://app:${MQ_PASSWORD}@" in d.hint and "hunter2" not in d.hint
    for fine in ("amqp://app@127.0.0.1/", "amqp://app:${MQ_PASSWORD}@127.0.0.1/", "${URL}"):
        assert run_check(
            flow(nodes, extra=conn.replace("amqp://app:hunter2@127.0.0.1/", fine)),
            env={"MQ_PASSWORD": "x", "URL": "amqp://127.0.0.1"},
        ) == []


def test_node_references(run_check: Any) -> None:
    text = flow(
        "  s: {type: tick, to: o}\n  o: {type: link-out, links: [in1, s, nowhere]}\n"
        "  in1: {type: link-in}\n  w: {type: watch, scope: [s, ghost]}\n"
    )
    found = [(d.code, d.path[-1]) for d in run_check(text)]
    assert found == [("E038", 1), ("E038", 2), ("E038", 1)]


def test_unknown_subflow_and_parameter(run_check: Any) -> None:
    text = (
        flow(
            "  s: {type: tick, to: [a, b]}\n  a: {type: 'subflow:scal'}\n"
            "  b: {type: 'subflow:scale', env: {FACTR: 2}}\n",
            extra="",
        )
        + "subflows:\n  scale:\n    params: {FACTOR: {default: 1}}\n    input: m\n"
        "    nodes:\n      m: {type: pass}\n"
    )
    found = run_check(text)
    assert [(d.code, d.node) for d in found] == [("E037", "a"), ("E023", "b")]
    assert "did you mean 'scale'" in found[0].hint and "FACTOR" in found[1].hint


def test_layout_for_unknown_node(run_check: Any) -> None:
    found = run_check(flow("  s: {type: tick}\n") + "layout:\n  s: [1, 2]\n  gone: [3, 4]\n")
    assert [(d.code, d.line) for d in found] == [("W105", 7)]


def test_env_without_value_is_a_warning_or_an_error_when_strict(run_check: Any) -> None:
    text = flow("  s: {type: tick, to: a}\n  a: {type: pass, property: '${PROP}'}\n")
    (d,) = run_check(text)
    assert (d.code, d.severity, d.line) == ("W104", "warning", 5)
    (strict,) = run_check(text, strict=True)
    assert strict.severity == "error"
    assert run_check(text, env={"PROP": "payload"}) == []
    assert run_check(text.replace("${PROP}", "${PROP:-payload}")) == []


def test_subflow_params_satisfy_references(run_check: Any) -> None:
    text = flow("  s: {type: tick, to: b}\n  b: {type: 'subflow:scale'}\n") + (
        "subflows:\n  scale:\n    params: {P: {default: payload}}\n    input: m\n"
        "    nodes:\n      m: {type: pass, property: '${P}'}\n"
    )
    assert run_check(text) == []
