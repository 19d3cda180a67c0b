"""What each node type evaluates is declared once, and everything else follows from it: the
script policy, the catalog, `flowrt nodes`, and the table in docs/security.md, which cannot
go stale."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.check.policy import check_policy, refused_types
from flowrt.cli.commands import main
from flowrt.evaluated import KINDS, kinds_of
from flowrt.load import Project, load_text
from flowrt.registry import NodeSpec, default_registry
from flowrt.registry.docs import POLICY_BEGIN, POLICY_END, render_policy
from flowrt.server.app import ServerSettings, create_app

ROOT = Path(__file__).resolve().parents[2]
SPECS = list(default_registry())


def test_the_table_in_the_security_guide_is_the_registry_s() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    start, end = text.find(POLICY_BEGIN), text.find(POLICY_END)
    assert 0 <= start < end, "docs/security.md has lost its generated tables"
    committed = text[start : end + len(POLICY_END)]
    assert committed == render_policy(SPECS), (
        "docs/security.md is out of date with the node declarations: replace its tables "
        "with the output of `flowrt nodes policy`"
    )


def test_flowrt_nodes_policy_prints_the_table() -> None:
    result = CliRunner().invoke(main, ["nodes", "policy"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == render_policy(SPECS)


@pytest.mark.parametrize("spec", SPECS, ids=[s.type for s in SPECS])
def test_declared_kinds_are_known_and_fields_exist(spec: NodeSpec) -> None:
    for kind, fields in kinds_of(spec.cls).items():
        assert kind in KINDS, f"{spec.type}: unknown kind {kind!r}"
        for name in fields:
            top = re.split(r"[.\[]", name, maxsplit=1)[0]
            assert name.startswith("msg.") or top in spec.fields, (
                f"{spec.type}: evaluates {name!r}, which is not a configuration field"
            )


def _found(schema: Any, defs: dict[str, Any], seen: frozenset[str] = frozenset()) -> set[str]:
    """The kinds a field's schema shows on its face: code formats, typed values, patterns."""
    kinds: set[str] = set()
    if isinstance(schema, dict):
        fmt = schema.get("x-format", "")
        language = {"code:jsonata": "jsonata", "code:javascript": "javascript",
                    "code:python": "python", "code:sql": "sql", "regex": "regex",
                    "css": "css"}.get(fmt)
        if language:
            kinds.add(language)
        ref = schema.get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        if name.endswith(".TypedValue"):
            kinds.add("jsonata")
        if name.endswith(".Pattern"):
            kinds.add("regex")
        if ref and name not in seen:
            kinds |= _found(defs.get(name, {}), defs, seen | {name})
        for key, value in schema.items():
            if key != "$ref":
                kinds |= _found(value, defs, seen)
    elif isinstance(schema, list):
        for item in schema:
            kinds |= _found(item, defs, seen)
    return kinds


@pytest.mark.parametrize("spec", SPECS, ids=[s.type for s in SPECS])
def test_every_evaluated_field_the_schema_shows_is_declared(spec: NodeSpec) -> None:
    """A field whose schema says it holds code (`x-format: code:...`), a typed value (which
    may be JSONata) or a regular expression (`x-format: regex`, `{type: re}`) is declared under
    that kind: a new such field cannot be forgotten."""
    declared = kinds_of(spec.cls)
    defs = spec.config_schema.get("$defs", {})
    for name, prop in spec.fields.items():
        for kind in _found(prop, defs):
            fields = {re.split(r"[.\[]", f, maxsplit=1)[0] for f in declared.get(kind, ())}
            assert name in fields, f"{spec.type}.{name} holds {kind} but is not declared"


def test_runs_code_agrees_with_the_declaration() -> None:
    for spec in SPECS:
        kinds = kinds_of(spec.cls)
        assert ("javascript" in kinds) == (spec.cls.runs_code == "sandboxed"), spec.type
        assert ("python" in kinds) == (spec.cls.runs_code == "unrestricted"), spec.type


def test_what_each_policy_refuses() -> None:
    registry = default_registry()
    assert refused_types(registry, "allow") == []
    assert refused_types(registry, "sandboxed") == ["exec", "script"]
    assert refused_types(registry, "deny") == [
        "exec", "function", "influx-query", "mysql-query", "postgres-query", "script"]


FLOW = """\
flowrt: 1
connections:
  db: {type: postgres, dsn: "postgresql://flows@127.0.0.1/flows"}
nodes:
  query: {type: postgres-query, connection: db, query: "SELECT 1"}
  text: {type: template, template: "{{ payload }}"}
  route: {type: switch, rules: [{regex: "^a"}, {jsonata: "payload > 1"}]}
"""


def test_sql_is_refused_under_deny_with_its_position_and_a_way_out() -> None:
    project = Project([load_text(FLOW, "flows/q.yaml")])
    (problem,) = check_policy(project, default_registry(), "deny")
    assert (problem.code, problem.node, problem.line, problem.column) == ("E060", "query", 5, 3)
    assert "SQL" in problem.message and "`--scripts deny`" in problem.message
    assert "--scripts sandboxed" in problem.hint and "rights" in problem.hint
    assert str(problem).startswith("flows/q.yaml:5:3: error E060 node 'query' (postgres-query)")
    assert check_policy(project, default_registry(), "sandboxed") == []


def test_the_catalog_says_what_each_type_evaluates(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    app = create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0, scripts="deny"))
    with TestClient(app) as client:
        catalog = {t["type"]: t for t in client.get("/api/nodes").json()}
    assert catalog["switch"]["evaluates"] == {"jsonata": ["property", "rules[]"],
                                              "regex": ["rules[].regex"]}
    assert catalog["postgres-query"]["refused"] and not catalog["template"]["refused"]
    assert sorted(t for t, e in catalog.items() if e["refused"]) == refused_types(
        default_registry(), "deny")


def test_flowrt_nodes_shows_what_a_type_evaluates() -> None:
    listing = CliRunner().invoke(main, ["nodes"]).output
    assert re.search(r"^  switch .*\[evaluates: jsonata, regex\]$", listing, re.M)
    page = CliRunner().invoke(main, ["nodes", "show", "postgres-query"]).output
    assert ("SQL: `query`, `msg.query`; mustache template: `text_params`. Refused under "
            "`--scripts deny`.") in page
