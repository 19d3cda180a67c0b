"""The script policy: which nodes running a flow author's code are refused, where, and how the
commands choose the policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flowrt.check.policy import check_policy, default_policy, parse_policy, refused_types, refuses
from flowrt.cli.commands import main
from flowrt.errors import ConfigError
from flowrt.load import Project, load_text
from flowrt.registry import default_registry

FLOW = """\
flowrt: 1
id: scripted
nodes:
  tick: {type: inject, payload: 1, to: [py, js, off]}
  py: {type: script, code: return msg, to: show}
  js: {type: function, func: 'return msg;', timeout: 5, to: show}
  off: {type: script, disabled: true, to: show}
  show: {type: debug}
  calls: {type: 'subflow:wrap'}
subflows:
  wrap:
    input: inner
    nodes:
      inner: {type: function, func: 'return msg;', timeout: 1}
"""


def refused(policy: Any, text: str = FLOW) -> list[tuple[str, int, int]]:
    project = Project([load_text(text, "flows/s.yaml")])
    return [(d.node, d.line, d.column)
            for d in check_policy(project, default_registry(), policy)]


def test_what_each_policy_refuses() -> None:
    assert refused("allow") == []
    assert refused("sandboxed") == [("py", 5, 3)]
    assert sorted(refused("deny")) == [("inner", 14, 7), ("js", 6, 3), ("py", 5, 3)]


def test_a_disabled_flow_file_is_not_refused() -> None:
    assert refused("deny", FLOW.replace("id: scripted\n", "id: scripted\ndisabled: true\n")) == []


def test_the_diagnostic_names_the_option_and_the_way_out() -> None:
    project = Project([load_text(FLOW, "flows/s.yaml")])
    (d,) = check_policy(project, default_registry(), "sandboxed", option="--scripts")
    assert (d.code, d.severity, d.node_type, d.path) == ("E060", "error", "script",
                                                         ("nodes", "py"))
    assert "`--scripts sandboxed`" in d.message and "function" in d.hint
    assert "`--scripts allow`" in d.hint and "FLOWRT_SCRIPTS" in d.hint
    assert str(d).startswith("flows/s.yaml:5:3: error E060 node 'py' (script): ")


def test_node_types_declare_what_they_run() -> None:
    registry = default_registry()
    kinds = {spec.type: spec.cls.runs_code for spec in registry if spec.cls.runs_code}
    assert kinds == {"script": "unrestricted", "function": "sandboxed"}
    assert refused_types(registry, "deny") == [
        "exec", "function", "influx-query", "mysql-query", "postgres-query", "script"]
    assert refused_types(registry, "sandboxed") == ["exec", "script"]
    assert not refuses(None, "deny") and refuses("sandboxed", "deny")


def test_defaults_and_parsing() -> None:
    assert default_policy(loopback=True) == "allow"
    assert default_policy(loopback=False) == "sandboxed"
    assert parse_policy(" Deny ") == "deny"
    with pytest.raises(ConfigError, match="allow, sandboxed, deny; got 'maybe'"):
        parse_policy("maybe")


def test_flowrt_run_refuses_before_anything_runs(tmp_path: Path) -> None:
    flow = tmp_path / "s.yaml"
    flow.write_text(FLOW.split("subflows:")[0].replace("  calls: {type: 'subflow:wrap'}\n", ""))
    runner = CliRunner()
    denied = runner.invoke(main, ["run", "--until-idle", "--scripts", "sandboxed", str(flow)])
    assert denied.exit_code == 1
    assert f"{flow}:5:3: error E060 node 'py' (script)" in denied.output
    by_env = runner.invoke(main, ["run", "--until-idle", str(flow)],
                           env={"FLOWRT_SCRIPTS": "deny"})
    assert by_env.exit_code == 1 and "node 'js' (function)" in by_env.output
    assert runner.invoke(main, ["run", "--scripts", "never", str(flow)]).exit_code == 2


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--host", "127.0.0.1"], {}, "allow"),
        (["--host", "0.0.0.0"], {}, "sandboxed"),
        (["--host", "0.0.0.0", "--scripts", "allow"], {}, "allow"),
        (["--host", "127.0.0.1"], {"FLOWRT_SCRIPTS": "deny"}, "deny"),
    ],
)
def test_flowrt_serve_chooses_its_policy_by_where_it_listens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str],
    expected: str,
) -> None:
    import flowrt.server.serve

    seen: list[Any] = []
    monkeypatch.setattr(flowrt.server.serve, "serve", lambda settings, *a, **k: seen.append(
        settings))
    monkeypatch.delenv("FLOWRT_SCRIPTS", raising=False)
    done = CliRunner().invoke(main, ["serve", "--flows", str(tmp_path), *args], env=env)
    assert done.exit_code == 0, done.output
    assert [s.scripts for s in seen] == [expected]


def test_sandboxed_code_needs_a_timeout() -> None:
    """An endless loop in a function node without a timeout would stall every flow of a server
    that others can deploy to."""
    text = FLOW.replace(", timeout: 5", "").replace(", timeout: 1", ", timeout: 0")
    assert sorted(refused("sandboxed", text)) == [("inner", 14, 7), ("js", 6, 3), ("py", 5, 3)]
    assert refused("allow", text) == []
    project = Project([load_text(text, "flows/s.yaml")])
    found = {d.node: d for d in check_policy(project, default_registry(), "sandboxed")}
    assert "without a `timeout`" in found["js"].message and "timeout" in found["js"].hint
