"""The command line end to end: exit codes, output formats, fmt, schema, nodes, and bad input.

Commands run in-process through click's CliRunner against a small node pack declared here (the
built-in pack changes as it grows), and once as a real subprocess. The loader's own handling of
bad files is tested in tests/load/test_yaml_io.py; here each bad input must come out of the
command as one diagnostic, with the documented exit status, in bounded time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

import flowrt.registry
from flowrt.api import Message, NodeConfig, Sink, Source, Transform, field
from flowrt.cli.commands import main
from flowrt.diagnostics import CODES
from flowrt.registry import Registry
from flowrt.registry.spec import spec_for


class Gen(Source):
    """Generates messages."""

    type = "gen"


class Step(Transform):
    """Steps a value."""

    type = "step"

    class Config(NodeConfig):
        mode: Literal["fast", "safe"] = field("fast", description="How to step.")
        limit: int = field(10, description="Upper limit.", ge=0)

    def process(self, msg: Message) -> Message:
        return msg


class Store(Sink):
    """Stores messages."""

    type = "store"


REGISTRY = Registry(spec_for(cls, "clitest") for cls in (Gen, Step, Store))


@pytest.fixture(autouse=True)
def test_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command in this module sees the node pack above, and only it."""
    monkeypatch.setattr(flowrt.registry, "default_registry", lambda: REGISTRY)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


GOOD = """\
# temperature pipeline
flowrt: 1
id: good
nodes:
  source: {type: gen, to: step}
  step:
    type: step      # the only transform
    mode: safe
    to: sink
  sink: {type: store}
"""

BAD = GOOD.replace("mode: safe", "mode: sfae")  # E024 at line 8, column 11
WARNS = GOOD + "  lonely: {type: store}\n"  # W101 at line 11


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# validate: exit status


@pytest.mark.parametrize(
    ("files", "options", "status"),
    [
        ({"a.yaml": GOOD}, [], 0),
        ({"a.yaml": BAD}, [], 1),
        ({"a.yaml": WARNS}, [], 0),
        ({"a.yaml": WARNS}, ["--strict"], 1),
        ({"a.yaml": GOOD, "b.yaml": BAD.replace("id: good", "id: bad")}, [], 1),
        ({}, [], 2),  # a directory with no flow files
    ],
    ids=["clean", "error", "warning", "warning-strict", "one-bad-of-two", "empty-directory"],
)
def test_validate_exit_status(
    tmp_path: Path, files: dict[str, str], options: list[str], status: int
) -> None:
    for name, text in files.items():
        write(tmp_path / "flows", name, text)
    (tmp_path / "flows").mkdir(exist_ok=True)
    result = run("validate", *options, tmp_path / "flows")
    assert result.exit_code == status, result.output


def test_validate_missing_path_is_exit_2(tmp_path: Path) -> None:
    result = run("validate", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "E003" in result.output


def test_validate_without_a_path_is_a_usage_error() -> None:
    assert run("validate").exit_code == 2


# validate: machine-readable formats carry file, line, column and code


def from_json(output: str) -> set[tuple[str, int, int, str]]:
    data = json.loads(output)
    assert set(data["summary"]) == {"files", "errors", "warnings"}
    return {(d["file"], d["line"], d["column"], d["code"]) for d in data["diagnostics"]}


GITHUB = re.compile(
    r"^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),title=(\w+) [^:]*::(.+)$"
)


def from_github(output: str) -> set[tuple[str, int, int, str]]:
    found = set()
    for line in output.splitlines():
        if line.startswith("::"):
            match = GITHUB.match(line)
            assert match, f"not a GitHub workflow command: {line!r}"
            found.add((match[2], int(match[3]), int(match[4]), match[5]))
    return found


def from_sarif(output: str) -> set[tuple[str, int, int, str]]:
    data = json.loads(output)
    assert data["version"] == "2.1.0"
    (run_,) = data["runs"]
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    found = set()
    for result in run_["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        region = physical["region"]
        found.add(
            (
                physical["artifactLocation"]["uri"],
                region["startLine"],
                region["startColumn"],
                result["ruleId"],
            )
        )
    return found


def from_text(output: str) -> set[tuple[str, int, int, str]]:
    found = set()
    for line in output.splitlines():
        match = re.match(r"^(.+?):(\d+):(\d+): (?:error|warning) (\w\d+) ", line)
        if match:
            found.add((match[1], int(match[2]), int(match[3]), match[4]))
    return found


PARSERS: dict[str, Callable[[str], set[tuple[str, int, int, str]]]] = {
    "text": from_text,
    "json": from_json,
    "github": from_github,
    "sarif": from_sarif,
}


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run from tmp_path, so files are reported by their relative paths."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.mark.parametrize("fmt", list(PARSERS))
def test_formats_carry_file_line_column_and_code(in_tmp: Path, fmt: str) -> None:
    write(in_tmp, "flows/bad.yaml", BAD.replace("  sink: {type: store}\n", ""))
    write(in_tmp, "flows/warns.yaml", WARNS.replace("id: good", "id: warns"))
    result = run("validate", "--format", fmt, "flows")
    assert result.exit_code == 1, result.output
    found = PARSERS[fmt](result.stdout)
    assert ("flows/bad.yaml", 8, 11, "E024") in found
    assert ("flows/bad.yaml", 9, 9, "E031") in found  # `to: sink`, and sink is gone
    assert any(f == "flows/warns.yaml" and c == "W101" for f, _, _, c in found)
    assert {code for *_, code in found} <= set(CODES)


def test_strict_turns_warnings_into_errors_in_the_report(in_tmp: Path) -> None:
    write(in_tmp, "w.yaml", WARNS)
    plain = json.loads(run("validate", "--format", "json", "w.yaml").stdout)
    strict = json.loads(run("validate", "--format", "json", "--strict", "w.yaml").stdout)
    assert [d["severity"] for d in plain["diagnostics"]] == ["warning"]
    assert [(d["code"], d["severity"]) for d in strict["diagnostics"]] == [("W101", "error")]
    assert strict["summary"]["errors"] == 1


def test_github_format_escapes_its_separators(in_tmp: Path) -> None:
    """`%` in the message and `,` `:` in the file name would otherwise end a field early."""
    write(in_tmp, "odd,name:1.yaml", GOOD.replace("mode: safe", "mode: 50%"))
    result = run("validate", "--format", "github", "odd,name:1.yaml")
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1] == "1 error in 1 file checked"
    assert lines[0].startswith("::error file=odd%2Cname%3A1.yaml,line=8,col=11,title=E024 ")
    assert "got '50%25'" in lines[0]


def test_sarif_is_valid_against_its_shape(in_tmp: Path) -> None:
    write(in_tmp, "b.yaml", BAD)
    data = json.loads(run("validate", "--format", "sarif", "b.yaml").stdout)
    (run_,) = data["runs"]
    assert run_["tool"]["driver"]["name"] == "flowrt"
    assert {r["level"] for r in run_["results"]} == {"error"}


# fmt


UNFORMATTED = """\
# keep me
flowrt: 1
id: f
nodes:
    source:   # the source
        type: gen
        to: [sink]
    sink: {type: store}
"""


def test_fmt_check_reports_and_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "f.yaml", UNFORMATTED)
    result = run("fmt", "--check", path)
    assert result.exit_code == 1
    assert "E013" in result.output and "1 of 1 file would be reformatted" in result.output
    assert path.read_text() == UNFORMATTED


def test_fmt_rewrites_keeping_comments_then_check_passes(tmp_path: Path) -> None:
    path = write(tmp_path, "f.yaml", UNFORMATTED)
    assert run("fmt", path).exit_code == 0
    text = path.read_text()
    assert text != UNFORMATTED
    assert "# keep me" in text and "# the source" in text
    assert "\n  source:" in text
    assert run("fmt", "--check", path).exit_code == 0
    assert run("validate", path).exit_code == 0


def test_fmt_check_of_formatted_files_is_clean(tmp_path: Path) -> None:
    write(tmp_path, "flows/a.yaml", GOOD)
    write(tmp_path, "flows/b.json", '{\n  "flowrt": 1,\n  "nodes": {}\n}\n')
    result = run("fmt", "--check", tmp_path / "flows")
    assert result.exit_code == 0, result.output
    assert "0 of 2 files would be reformatted" in result.output


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"flowrt: 1\nnodes: {a: [}\n", 1), (None, 2)],
    ids=["syntax-error", "missing"],
)
def test_fmt_bad_input(tmp_path: Path, content: bytes | None, status: int) -> None:
    path = tmp_path / "x.yaml"
    if content is not None:
        path.write_bytes(content)
    result = run("fmt", "--check", path)
    assert result.exit_code == status
    assert re.search(r"E00\d", result.output)


# schema and nodes


def test_schema_is_a_json_schema_of_the_installed_types(tmp_path: Path) -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    text = json.dumps(schema)
    assert all(f'"{t}"' in text for t in ("gen", "step", "store"))
    out = tmp_path / "s.json"
    assert run("schema", "-o", out).exit_code == 0
    assert out.read_text() == result.stdout


def test_schema_tests_and_check_say_when_a_committed_schema_is_behind(tmp_path: Path) -> None:
    tests = run("schema", "--tests")
    assert tests.exit_code == 0
    Draft202012Validator.check_schema(json.loads(tests.stdout))
    assert '"flowrt-test"' in tests.stdout and '"gen"' not in tests.stdout
    folder = tmp_path / "schemas"
    missing = run("schema", "--check", folder)
    assert missing.exit_code == 1 and "flow.schema.json" in missing.output
    assert run("schema", "-o", folder / "flow.schema.json").exit_code == 0
    assert run("schema", "--tests", "-o", folder / "test.schema.json").exit_code == 0
    current = run("schema", "--check", folder)
    assert current.exit_code == 0, current.output
    (folder / "test.schema.json").write_text("{}\n")
    behind = run("schema", "--check", folder)
    assert behind.exit_code == 1
    assert "test.schema.json" in behind.output and "flow.schema.json" not in behind.output
    assert "flowrt schema --tests -o" in behind.output


def test_nodes_lists_every_type_by_category() -> None:
    result = run("nodes")
    assert result.exit_code == 0
    for spec in REGISTRY:
        assert re.search(rf"^\s+{spec.type}\s+{re.escape(spec.summary)}", result.stdout, re.M)
    listed = json.loads(run("nodes", "--format", "json").stdout)
    assert sorted(n["type"] for n in listed) == ["gen", "step", "store"]
    only = json.loads(run("nodes", "--category", "sink", "--format", "json").stdout)
    assert [n["type"] for n in only] == ["store"]


def test_nodes_show_and_unknown_type() -> None:
    shown = run("nodes", "show", "step")
    assert shown.exit_code == 0 and "mode" in shown.stdout and "Upper limit." in shown.stdout
    unknown = run("nodes", "show", "stpe")
    assert unknown.exit_code == 2
    assert "unknown node type 'stpe'" in unknown.output and "step" in unknown.output


# bad input: one clear diagnostic, the documented exit status, bounded time


def alias_bomb() -> bytes:
    lines = ["flowrt: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return ("\n".join(lines) + "\n").encode()


def fifty_megabytes(path: Path) -> None:
    with path.open("wb") as f:
        f.write(b"flowrt: 1\nnodes: {}\nlabel: '")
        for _ in range(50):
            f.write(b"x" * (1024 * 1024))
        f.write(b"'\n")


BAD_INPUTS: list[tuple[str, str, Any, str, int]] = [
    ("empty", "e.yaml", b"", "E006", 1),
    ("binary", "b.yaml", bytes(range(256)) * 16, "E005", 1),
    ("not-utf8", "l.yaml", b"flowrt: 1\nlabel: caf\xe9\n", "E004", 1),
    ("top-level-list", "l.yaml", b"- flowrt: 1\n- nodes: {}\n", "E010", 1),
    ("top-level-scalar", "s.json", b'"flowrt"', "E010", 1),
    ("not-a-flow", "c.yaml", b"name: my-app\nversion: 3\n", "E011", 1),
    ("alias-bomb", "bomb.yaml", alias_bomb(), "E009", 1),
    ("deep-brackets", "d.yaml", b"flowrt: 1\nx: " + b"[" * 50_000 + b"]" * 50_000, "E008", 1),
    ("deep-json", "d.json", b'{"x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "E008", 1),
    ("deep-blocks", "d.yaml", b"x:\n" + b"- " * 20_000 + b"v\n", "E008", 1),
    ("fifty-megabytes", "big.yaml", fifty_megabytes, "E007", 1),
    ("no-flow-files", "dir", None, "E012", 2),
]


@pytest.mark.parametrize(
    ("name", "content", "code", "status"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_gives_one_diagnostic(
    in_tmp: Path, name: str, content: Any, code: str, status: int
) -> None:
    path = in_tmp / name
    if content is None:
        path.mkdir()
        (path / "notes.txt").write_text("not a flow")
    elif callable(content):
        content(path)
    else:
        path.write_bytes(content)
    # a process with a generous limit: a hang (an alias bomb, deep nesting) fails the test with
    # TimeoutExpired; how fast it answers is measured in benchmarks/, not asserted here
    result = subprocess.run(
        [sys.executable, "-m", "flowrt", "validate", "--format", "json", name],
        cwd=in_tmp, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == status, result.stderr
    (diagnostic,) = json.loads(result.stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["file"]) == (code, name)
    assert diagnostic["message"] and diagnostic["hint"]


# the installed command, as a process


def test_as_a_subprocess(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", "flowrt: 1\nid: empty\nnodes: {}\n")
    broken = write(tmp_path, "broken.yaml", "flowrt: 1\nnodes: [\n")
    command = [sys.executable, "-m", "flowrt", "validate", "--format", "json"]

    def status(*paths: Path) -> tuple[int, list[str]]:
        done = subprocess.run(
            [*command, *map(str, paths)], capture_output=True, text=True, timeout=60
        )
        return done.returncode, [d["code"] for d in json.loads(done.stdout)["diagnostics"]]

    assert status(good) == (0, [])
    assert status(good, broken) == (1, ["E001"])
    assert status(tmp_path / "missing.yaml") == (2, ["E003"])


def test_an_empty_directory_is_not_counted_as_a_file_checked(in_tmp: Path) -> None:
    (in_tmp / "empty").mkdir()
    result = run("validate", "empty")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "1 error in 0 files checked"
