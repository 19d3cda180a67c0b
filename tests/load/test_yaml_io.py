"""Reading files: every bad input is one diagnostic with a position, in bounded time and memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowrt.errors import LoadError
from flowrt.load import load, load_text
from flowrt.load.formatter import format_document
from flowrt.load.yaml_io import MAX_DEPTH


def load_error(path: Path) -> tuple[str, int, int, str]:
    with pytest.raises(LoadError) as info:
        load(path)
    (d,) = info.value.diagnostics
    return d.code, d.line, d.column, d.message


@pytest.mark.parametrize(
    ("name", "content", "code", "line", "column"),
    [
        ("empty.yaml", b"", "E006", 0, 0),
        ("blank.yaml", b"  \n\n", "E006", 0, 0),
        ("binary.yaml", b"flowrt: 1\n\x00\x01\x02", "E005", 0, 0),
        ("latin1.yaml", b"flowrt: 1\nlabel: caf\xe9\n", "E004", 2, 11),
        ("syntax.yaml", b"flowrt: 1\nnodes:\n  a: {type: x\n", "E001", 4, 1),
        ("tab.yaml", b"flowrt: 1\nnodes:\n\ta: 1\n", "E001", 3, 1),
        ("dup.yaml", b"flowrt: 1\nnodes:\n  a: {type: x}\n  a: {type: y}\n", "E002", 4, 3),
        ("dup.json", b'{"flowrt": 1, "nodes": {}, "nodes": {}}', "E002", 1, 28),
        ("syntax.json", b'{"flowrt": 1,\n "nodes": {,}}', "E001", 2, 12),
    ],
)
def test_bad_files(
    tmp_path: Path, name: str, content: bytes, code: str, line: int, column: int
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    found = load_error(path)
    assert found[:3] == (code, line, column), found


def test_missing_file(tmp_path: Path) -> None:
    assert load_error(tmp_path / "nope.yaml")[0] == "E003"


def test_large_file_is_rejected_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as f:
        f.write(b"flowrt: 1\nnodes: {}\nlabel: '")
        f.write(b"x" * (17 * 1024 * 1024))
        f.write(b"'\n")
    code, _, _, message = load_error(path)
    assert code == "E007" and "MiB" in message


def test_alias_bomb(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    code, line, _, _ = load_error(path)
    assert code == "E009" and line > 1


def test_alias_inside_its_own_anchor_loads_finitely(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("flowrt: 1\nnodes: &n\n  a: *n\n")
    doc = load(path)
    assert "a" in doc.data["nodes"]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_deep_nesting(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("flowrt: 1\nx: " + "[" * depth + "]" * depth + "\n")
    assert load_error(path)[0] == "E008"


def test_deep_nesting_json(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert load_error(path)[0] == "E008"


def test_json_with_tabs_loads_with_positions(tmp_path: Path) -> None:
    path = tmp_path / "tabs.json"
    path.write_text('{\n\t"flowrt": 1,\n\t"nodes": {\n\t\t"a": {"type": "debug"}\n\t}\n}\n')
    doc = load(path)
    assert doc.nodes["a"].span.line == 4


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfflowrt: 1\nnodes: {}\n")
    assert load(path).data["flowrt"] == 1


def test_format_keeps_comments_and_is_idempotent() -> None:
    text = (
        "# Alerts\nflowrt: 1\nnodes:\n    a:   # the source\n        type: inject\n"
        "        to: [b]\n    b: {type: debug}\n"
    )
    once = format_document(load_text(text, "f.yaml"))
    assert "# Alerts" in once and "# the source" in once
    assert once.splitlines()[3].startswith("  a:")
    assert format_document(load_text(once, "f.yaml")) == once


def test_format_json_keeps_key_order() -> None:
    text = '{"nodes": {"b": {"type": "debug"}, "a": {"type": "debug"}}, "flowrt": 1}'
    out = format_document(load_text(text, "f.json"))
    assert out.index('"b"') < out.index('"a"') and out.endswith("}\n")


@pytest.mark.parametrize(
    ("text", "line", "version"),
    [
        ("%YAML 1.3\n---\nflowrt: 1\n", 1, "1.3"),  # ruamel failed an assert here
        ("# first\n%YAML 2.0\n---\nflowrt: 1\n", 2, "2.0"),
        ("flowrt: 1\n%YAML 1.3\nnodes: {}\n", 2, "1.3"),  # and raised KeyError here
    ],
)
def test_unsupported_yaml_version_is_a_syntax_error(text: str, line: int, version: str) -> None:
    with pytest.raises(LoadError) as info:
        load_text(text, "f.yaml")
    (d,) = info.value.diagnostics
    assert (d.code, d.line, d.column) == ("E001", line, 1)
    assert f"version {version} is not supported" in d.message


def test_supported_yaml_versions_and_directive_text_in_a_value_load() -> None:
    assert load_text("%YAML 1.1\n---\nflowrt: 1\n", "f.yaml").data == {"flowrt": 1}
    assert load_text("flowrt: 1\nx: |\n  %YAML 1.3\n", "f.yaml").data["x"] == "%YAML 1.3\n"


def test_reused_anchor_name_loads_without_a_warning() -> None:
    # pytest turns warnings into errors here, as filterwarnings = ["error"]
    doc = load_text("flowrt: 1\na: &x 1\nb: &x 2\nc: *x\n", "f.yaml")
    assert doc.data["c"] == 2


def test_to_plain_gives_plain_keys() -> None:
    from flowrt.load.yaml_io import parse, to_plain

    data = to_plain(parse("m: {1: a, false: b, x: c}\n", "f.yaml"))
    assert list(data["m"]) == [1, "false", "x"]
    assert [type(k) for k in data["m"]] == [int, str, str]
