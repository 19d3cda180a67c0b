"""The kept result of a passing check (flowrt.compile.check_cache): used again only for the same
check, never for a project that fails it; a missing or broken file only means checking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import flowrt
from flowrt.compile import check_cache, isolated
from flowrt.compile.isolated import check_isolated
from flowrt.diagnostics import Diagnostic
from flowrt.load import load_project
from flowrt.load.project import Project
from flowrt.registry import Registry, default_registry
from flowrt.registry.index import CACHE_ENV

ROOT = Path(__file__).resolve().parents[2]

FLOW = """\
flowrt: 1
id: w
connections:
  plant: {type: mqtt-broker, url: "mqtt://127.0.0.1:1883"}
nodes:
  tick: {type: inject, once: true, repeat: "${EVERY}", to: log}
  log: {type: debug}
"""
"""Passes the check with EVERY a number, with a warning (W103, the unused connection)."""

ENV = {"EVERY": "5"}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def registry() -> Registry:
    """The installed node types, found (as flowrt run finds them) through an index whose
    fingerprint the tests set."""
    found = Registry(default_registry())
    found.index_key = "packs-1"
    return found


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per check that ran (kept results are not checks)."""
    ran: list[int] = []
    real = isolated._check_forked

    def counted(*args: Any) -> list[Diagnostic]:
        ran.append(1)
        return real(*args)

    monkeypatch.setattr(isolated, "_check_forked", counted)
    monkeypatch.setattr(check_cache, "_own_files", lambda: "flowrt-files-1")
    return ran


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    path = tmp_path / "flows" / "w.yaml"
    path.parent.mkdir()
    path.write_text(FLOW)
    return path


def checked(path: Path, registry: Registry, env: dict[str, str] | None = None,
            **options: Any) -> list[Diagnostic]:
    ports = options.pop("check_ports", False)
    return check_isolated(load_project([path]), registry, ENV if env is None else env,
                          cache_options={"check_ports": ports}, **options)


def codes(found: list[Diagnostic]) -> list[str]:
    return [d.code for d in found]


def test_a_passing_check_is_kept_and_the_same_check_is_not_run_again(
        cache: Path, flow: Path, registry: Registry, checks: list[int]) -> None:
    first = checked(flow, registry)
    assert codes(first) == ["W103"] and len(checks) == 1
    assert len(list(cache.glob("check-*.json"))) == 1
    again = checked(flow, registry)
    assert len(checks) == 1
    assert again == first  # the same diagnostics: code, file, line, column, node, path
    assert str(again[0]).startswith(f"{again[0].file}:4:3: warning W103 node 'plant'")


def change(name: str, flow: Path, registry: Registry,
           monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Change one thing the check depends on; returns the options to check with."""
    if name == "the flow file":
        flow.write_text(FLOW + "# edited\n")
    elif name == "a named schema beside it":
        (flow.parent / "schemas").mkdir()
        (flow.parent / "schemas" / "t.schema.json").write_text('{"type": "object"}')
    elif name == "the environment":
        return {"env": {"EVERY": "6"}}
    elif name == "a variable of the process":
        monkeypatch.setenv("FLOWRT_TEST_OTHER", "1")
    elif name == "--strict":
        return {"strict": True}
    elif name == "--scripts":
        return {"scripts": "sandboxed"}
    elif name == "--check-ports":
        return {"check_ports": True}
    elif name == "the node packs":
        registry.index_key = "packs-2"
    elif name == "flowrt's modules":
        monkeypatch.setattr(check_cache, "_own_files", lambda: "flowrt-files-2")
    elif name == "flowrt's version":
        monkeypatch.setattr(flowrt, "__version__", "99.0")
    elif name == "the working directory":
        monkeypatch.chdir(flow.parent)
    return {}


CHANGES = ["the flow file", "a named schema beside it", "the environment",
           "a variable of the process", "--strict", "--scripts", "--check-ports",
           "the node packs", "flowrt's modules", "flowrt's version", "the working directory"]


@pytest.mark.parametrize("what", CHANGES)
def test_each_thing_the_check_depends_on_changed_checks_again(
        what: str, cache: Path, flow: Path, registry: Registry, checks: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    checked(flow, registry)
    checked(flow, registry)
    assert len(checks) == 1
    options = change(what, flow, registry, monkeypatch)
    found = checked(flow, registry, **options)
    assert len(checks) == 2
    assert checked(flow, registry, **options) == found
    # the changed project's check is kept in turn, unless it fails (strict: W103 an error)
    failed = any(d.severity == "error" for d in found)
    assert len(checks) == (3 if failed else 2) and failed == (what == "--strict")


def test_a_changed_environment_that_fails_the_check_is_reported(
        cache: Path, flow: Path, registry: Registry, checks: list[int]) -> None:
    assert codes(checked(flow, registry)) == ["W103"]
    failing = checked(flow, registry, env={"EVERY": "abc"})
    assert codes(failing) == ["W103", "E026"]
    assert str(failing[1]).startswith(f"{failing[1].file}:6:44: error E026 node 'tick'")


def test_a_failing_check_is_never_kept(
        cache: Path, flow: Path, registry: Registry, checks: list[int]) -> None:
    flow.write_text(FLOW.replace("to: log", "to: nowhere"))
    first = checked(flow, registry)
    assert "E031" in codes(first)
    assert checked(flow, registry) == first
    assert len(checks) == 2 and not list(cache.glob("check-*.json"))


def test_a_kept_result_that_holds_an_error_is_not_used(
        cache: Path, flow: Path, registry: Registry, checks: list[int]) -> None:
    checked(flow, registry)
    (kept,) = cache.glob("check-*.json")
    data = json.loads(kept.read_text())
    data["diagnostics"][0]["severity"] = "error"
    kept.write_text(json.dumps(data))
    assert codes(checked(flow, registry)) == ["W103"] and len(checks) == 2


@pytest.mark.parametrize("broken", ["", "{not json", "[]", '{"version": 1}',
                                    '{"version": 1, "key": "other", "diagnostics": []}',
                                    '{"version": 1, "key": "%s", "diagnostics": [{"a": 1}]}'])
def test_a_broken_kept_file_only_means_checking(
        broken: str, cache: Path, flow: Path, registry: Registry, checks: list[int]) -> None:
    checked(flow, registry)
    (kept,) = cache.glob("check-*.json")
    key = json.loads(kept.read_text())["key"]
    kept.write_text(broken.replace("%s", key))
    assert codes(checked(flow, registry)) == ["W103"] and len(checks) == 2
    assert json.loads(kept.read_text())["key"] == key  # written whole again
    checked(flow, registry)
    assert len(checks) == 2


def test_a_cache_that_cannot_be_written_only_checks(
        tmp_path: Path, flow: Path, registry: Registry, checks: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocked / "cache"))
    assert codes(checked(flow, registry)) == ["W103"]
    assert codes(checked(flow, registry)) == ["W103"] and len(checks) == 2


def test_without_an_index_or_with_unreadable_files_nothing_is_kept(
        cache: Path, flow: Path, registry: Registry, checks: list[int]) -> None:
    assert check_cache.check_key(load_project([flow]), Registry(registry), ENV, {}) is None
    missing = load_project([flow, flow.parent / "missing.yaml"])
    assert missing.unreadable and check_cache.check_key(missing, registry, ENV, {}) is None
    assert check_cache.check_key(Project(), registry, ENV, {}) is not None


def test_old_results_are_removed_beyond_the_number_kept(
        cache: Path, flow: Path, registry: Registry, checks: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_cache, "KEEP", 3)
    for every in range(1, 6):
        checked(flow, registry, env={"EVERY": str(every)})
    assert len(list(cache.glob("check-*.json"))) == 3
    checked(flow, registry, env={"EVERY": "5"})
    assert len(checks) == 5


PROBE = """\
import json, sys
import flowrt.compile.isolated as isolated
ran = []
real = isolated._check_forked
isolated._check_forked = lambda *args: ran.append(1) or real(*args)
from flowrt.cli.commands import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "checks": len(ran), "modules": sorted(sys.modules)}))
"""


def run_flowrt(tmp_path: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache"), "EVERY": "5"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report["stderr"] = done.stderr
    return report


def test_flowrt_run_of_an_unchanged_project_neither_checks_nor_imports_the_checker(
        tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(FLOW.replace("repeat: \"${EVERY}\", ", ""))
    args = ("run", "--until-idle", "--log-level", "warning", "w.yaml")
    first = run_flowrt(tmp_path, *args)
    assert first["exit"] == 0 and first["checks"] == 1, first["stderr"]
    # a module of flowrt or of a pack edited meanwhile (in a working tree) checks again
    again = next(r for r in (run_flowrt(tmp_path, *args) for _ in range(3)) if not r["checks"])
    assert again["exit"] == 0
    assert "W103" in again["stderr"]  # the kept warning is still shown
    checker = ("networkx", "jsonschema", "flowrt.check.graph", "flowrt.check.schema")
    assert [m for m in again["modules"] if m.startswith(checker)] == []
    (tmp_path / "w.yaml").write_text(FLOW.replace("to: log", "to: nowhere"))
    failing = run_flowrt(tmp_path, *args)
    assert failing["exit"] == 1 and failing["checks"] == 1
    assert "w.yaml:6:" in failing["stderr"] and "error E031" in failing["stderr"]


def test_a_variable_the_shell_changes_on_its_own_misses_only_where_a_flow_names_it(
        cache: Path, flow: Path, registry: Registry, checks: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``cd`` changes OLDPWD and every command changes ``_``: a kept check still holds, unless a
    flow file names the variable (then it counts as any other does)."""
    monkeypatch.setenv("OLDPWD", "/one")
    checked(flow, registry, env={**ENV, "_": "/usr/bin/flowrt"})
    monkeypatch.setenv("OLDPWD", "/two")
    checked(flow, registry, env={**ENV, "_": "/usr/bin/other"})
    assert len(checks) == 1
    flow.write_text(FLOW.replace("log: {type: debug}", "log: {type: debug, name: '${OLDPWD}'}"))
    checked(flow, registry)
    monkeypatch.setenv("OLDPWD", "/three")
    checked(flow, registry)
    assert len(checks) == 3
    # a variable that is not the shell's own misses whether or not a flow names it
    monkeypatch.setenv("FLOWRT_TEST_OTHER", "1")
    checked(flow, registry)
    assert len(checks) == 4
