"""The published schemas, as editors see them: Red Hat's yaml-language-server (the server behind
VS Code's YAML extension and the JetBrains and Neovim clients), driven over LSP stdio on the
example flows and broken variants of them, with the association docs/format.md documents.

The server is installed from npm once into pytest's cache directory (ignored by git) and reused;
when npm cannot install it the tests fail, they never skip.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowrt.check import check
from flowrt.load import Project, load_text
from flowrt.registry import default_registry
from tests.registry.lsp_client import LanguageServer, install_server

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE = ROOT / ".pytest_cache" / "yaml-language-server"
FLOWS = sorted(p for p in (ROOT / "flows").glob("*.yaml") if not p.name.endswith(".test.yaml"))
TESTS = sorted((ROOT / "flows").glob("*.test.yaml"))
SCHEMA_CODES = ("E020", "E021", "E022", "E023", "E024", "E025", "E030")
"""What the schema can express: structure, fields, types, choices, ranges, node types."""


def documented_association() -> dict[str, list[str]]:
    """The ``yaml.schemas`` setting that docs/format.md tells users to write."""
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        data = json.loads(block)
        if "yaml.schemas" in data:
            found: dict[str, list[str]] = data["yaml.schemas"]
            return found
    raise AssertionError("docs/format.md documents no `yaml.schemas` association")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    shutil.copytree(ROOT / "flows", root / "flows")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    return root


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[LanguageServer]:
    try:
        script = install_server(CACHE)
    except (RuntimeError, OSError) as exc:
        pytest.fail(f"yaml-language-server could not be installed: {exc}")
    settings = {"yaml": {"schemas": documented_association(), "validate": True, "hover": True,
                         "completion": True}}  # as written: relative to the workspace
    ls = LanguageServer(script, workspace, settings)
    yield ls
    ls.close()


_opened = 0


def _open(server: LanguageServer, workspace: Path, name: str, text: str) -> str:
    """Write ``text`` as a new flow file (a fresh name each time) and open it."""
    global _opened
    _opened += 1
    stem, _, rest = name.partition(".")
    path = workspace / "flows" / f"{stem}-{_opened}.{rest}"
    path.write_text(text, encoding="utf-8")
    return server.open(path)


def editor_errors(server: LanguageServer, uri: str) -> list[tuple[int, int, str]]:
    """The errors the server reports: 1-based line and column, message."""
    return sorted(
        (d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1, d["message"])
        for d in server.diagnostics_of(uri)
        if d.get("severity", 1) == 1
    )


def flowrt_schema_errors(text: str) -> list[tuple[int, int, str]]:
    doc = load_text(text, "flows/f.yaml")
    found = check(Project(documents=[doc]), default_registry(), env={})
    return sorted((d.line, d.column, d.message) for d in found if d.code in SCHEMA_CODES)


def position(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """0-based line and character of ``needle`` (plus ``offset``) in ``text``."""
    at = text.index(needle) + offset
    return text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1)


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.name)
def test_an_example_flow_has_no_error_in_the_editor(
    server: LanguageServer, workspace: Path, path: Path
) -> None:
    text = path.read_text(encoding="utf-8")
    assert flowrt_schema_errors(text) == []
    assert editor_errors(server, _open(server, workspace, path.name, text)) == []


@pytest.mark.parametrize("path", TESTS, ids=lambda p: p.name)
def test_a_flow_test_file_has_no_false_error_with_the_documented_association(
    server: LanguageServer, workspace: Path, path: Path
) -> None:
    text = path.read_text(encoding="utf-8")
    assert editor_errors(server, _open(server, workspace, path.name, text)) == []


THERMOSTAT = (ROOT / "flows" / "thermostat.yaml").read_text(encoding="utf-8")
BROKEN = {
    "unknown field": ("    repeat: 2\n", "    repaet: 2\n"),
    "not a choice": ("    mode: deadband\n", "    mode: deadbnd\n"),
    "wrong type": ("    repeat: 2\n", "    repeat: often\n"),
    "below the minimum": ("    repeat: 2\n", "    repeat: -1\n"),
    "unknown node type": ("    type: filter\n", "    type: filtre\n"),
    "wiring of none of its kinds": ("    to: read-sensors\n", "    to: 5\n"),
    "port that is no number": ("to: {0: alert, 1: changed}", "to: {x: alert, 1: changed}"),
    "typed value of no type": (
        "    type: switch\n    property: payload.celsius\n",
        "    type: switch\n    property: {type: jsonatax, value: x}\n",
    ),
    "missing required field": ("    rules:\n      - gt: ${THRESHOLD}\n      - else: true\n", ""),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_schema_error_is_where_flowrt_validate_puts_it(
    server: LanguageServer, workspace: Path, case: str
) -> None:
    old, new = BROKEN[case]
    assert THERMOSTAT.count(old) == 1
    text = THERMOSTAT.replace(old, new)
    ours = flowrt_schema_errors(text)
    theirs = editor_errors(server, _open(server, workspace, "thermostat.yaml", text))
    assert len(ours) == 1, ours
    assert theirs, f"the editor finds nothing wrong; flowrt validate: {ours}"
    assert {(line, column) for line, column, _ in theirs} == {ours[0][:2]}, (ours, theirs)


HELLO = (ROOT / "flows" / "hello.yaml").read_text(encoding="utf-8")


def test_completing_switch_and_change_rules_offers_no_object_object(
    server: LanguageServer, workspace: Path
) -> None:
    item = THERMOSTAT.replace("      - else: true\n", "      - else: true\n      - \n")
    value = THERMOSTAT.replace("    rules:\n      - gt: ${THRESHOLD}\n      - else: true\n",
                               "    rules: \n")
    change = HELLO.replace(
        '    rules:\n      - set: payload\n'
        '        to: {type: jsonata, value: "$uppercase(payload)"}\n',
        "    rules: \n",
    )
    assert change != HELLO
    for text, (line, character) in (
        (item, position(item, "      - \n", 8)),
        (value, position(value, "    rules: \n", 11)),
        (change, position(change, "    rules: \n", 11)),
    ):
        uri = _open(server, workspace, "thermostat.yaml", text)
        server.diagnostics_of(uri)
        items = server.completion(uri, line, character)
        assert items, "no completion offered"
        shown = json.dumps(items)
        assert "[object Object]" not in shown, shown


def test_hovering_a_node_type_describes_that_type_only(
    server: LanguageServer, workspace: Path
) -> None:
    uri = _open(server, workspace, "thermostat.yaml", THERMOSTAT)
    server.diagnostics_of(uri)
    registry = default_registry()
    for name in ("inject", "switch", "filter"):
        text = server.hover(uri, *position(THERMOSTAT, f"type: {name}\n", 7))
        assert registry.get(name).summary in text, text  # type: ignore[union-attr]
        others = [t for t in registry.types() if t != name and f"`{t}`" in text]
        assert not others and "Allowed Values" not in text, text


def test_hovering_a_field_shows_its_title_and_each_example_once(
    server: LanguageServer, workspace: Path
) -> None:
    text = THERMOSTAT.replace("      - else: true\n", "      - eq: \"on\"\n      - else: true\n")
    text = text.replace("    once: true\n", "    once: true\n    topic: ${TOPIC:-rooms}\n")
    uri = _open(server, workspace, "thermostat.yaml", text)
    server.diagnostics_of(uri)
    inject = default_registry().get("inject")
    assert inject is not None
    examples = inject.fields["repeat"]["examples"]
    shown = server.hover(uri, *position(text, "repeat: 2", 1))
    assert "||" not in shown and shown.count("Repeat") == 1, shown
    for example in examples:
        assert shown.count(f"```yaml\n{example}\n```") == 1, shown
    for needle, says in (
        ('eq: "on"', "Equal to this value"),
        ("topic: ${TOPIC", inject.fields["topic"]["description"]),
        ("property: payload.celsius\n    rules", "What the rules test"),
    ):
        shown = server.hover(uri, *position(text, needle, 1))
        assert says in shown and "||" not in shown, (needle, shown)


def test_a_server_that_cannot_be_installed_is_an_error_not_a_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="npm"):
        install_server(tmp_path / "cache")
