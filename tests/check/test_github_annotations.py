"""`--format github` of `flowrt validate` and `flowrt test`, read back as the GitHub Actions runner
reads workflow commands: ``::LEVEL PROPS::DATA``, where DATA escapes ``%`` as %25, CR as %0D and
LF as %0A, and property values escape those and ``:`` as %3A and ``,`` as %2C. Every field must
come back exactly, file names and messages holding those characters included."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flowrt.cli.commands import main
from flowrt.diagnostics import CODES

DATA_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
PROPERTY_ESCAPES = (("%3A", ":"), ("%2C", ","), *DATA_ESCAPES)


def unescape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    """The runner's unescaping: one pass, left to right, so an escaped '%' is not read again."""
    table = dict(escapes)
    return re.sub("|".join(table), lambda m: table[m.group(0)], text)


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """(command, properties, message) of one workflow command line."""
    assert line.startswith("::"), line
    head, sep, data = line[2:].partition("::")
    assert sep, line
    command, _, props = head.partition(" ")
    properties: dict[str, str] = {}
    for pair in props.split(",") if props else []:
        key, eq, value = pair.partition("=")
        assert eq and key not in properties, line
        properties[key] = unescape(value, PROPERTY_ESCAPES)
    return command, properties, unescape(data, DATA_ESCAPES)


def commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    return [parse_command(line) for line in output.splitlines() if line.startswith("::")]


def test_the_parser_follows_the_runner() -> None:
    assert parse_command("::error file=a%3Ab%2Cc%25d,line=3,title=T::x%250A%0Ay%0Dz") == (
        "error", {"file": "a:b,c%d", "line": "3", "title": "T"}, "x%0A\ny\rz")


ODD = "we,ird%25:name"
"""A file name with every character the properties escape (and an escape's look-alike)."""
FLOW = """\
flowrt: 1
id: odd
nodes:
  log:
    type: debug
    "un%known,fi:eld\\nwith 100%": 1
"""


@pytest.fixture
def odd_flows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    flows = Path("flows")
    flows.mkdir()
    (flows / f"{ODD}.yaml").write_text(FLOW, encoding="utf-8")
    return flows


def expected(d: dict[str, Any]) -> tuple[str, dict[str, str], str]:
    props = {"file": d["file"], "line": str(d["line"]), "col": str(d["column"]),
             "title": f"{d['code']} {CODES[d['code']].title}"}
    subject = f"node '{d['node']}' ({d['node_type']}): " if d.get("node") else ""
    text = subject + d["message"] + (f" Hint: {d['hint']}" if d.get("hint") else "")
    return d["severity"], {k: v for k, v in props.items() if v not in ("", "0")}, text


def test_validate_round_trips_every_field(odd_flows: Path) -> None:
    github = CliRunner().invoke(main, ["validate", "--format", "github", str(odd_flows)])
    as_json = CliRunner().invoke(main, ["validate", "--format", "json", str(odd_flows)])
    found = json.loads(as_json.output)["diagnostics"]
    assert any("un%known,fi:eld\nwith 100%" in d["message"] for d in found), found
    assert commands(github.output) == [expected(d) for d in found]
    assert all(f"{ODD}.yaml" in p["file"] for _, p, _ in commands(github.output))


def test_file_level_problems_carry_no_line_or_column(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--format", "github", str(empty)])
    (command, props, _), = commands(result.output)
    assert props == {"file": str(empty), "title": "E006 file is empty"}
    assert "line=" not in result.output and "col=" not in result.output


def test_flow_test_output_round_trips_and_reports_each_problem_once(odd_flows: Path) -> None:
    cases = "".join(f"  - name: \"case {i}, with 100% of: it\"\n    until: 1\n    expect:\n"
                    "      - errors: 0\n" for i in range(3))
    (odd_flows / f"{ODD}.test.yaml").write_text(f"flowrt-test: 1\ncases:\n{cases}",
                                                encoding="utf-8")
    (odd_flows / "broken.test.yaml").write_text("flowrt-test: 1\ncases: nope\n",
                                                encoding="utf-8")
    (odd_flows / "broken.yaml").write_text("flowrt: 1\nid: b\nnodes: {}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["test", "--format", "github", str(odd_flows)])
    found = commands(result.output)
    flow_errors = json.loads(CliRunner().invoke(
        main, ["validate", "--format", "json", str(odd_flows / f"{ODD}.yaml")]).output)
    errors = [d for d in flow_errors["diagnostics"] if d["severity"] == "error"]
    assert errors
    for d in errors:  # once each, at the flow file's own position, titled as validate titles it
        assert found.count(expected(d)) == 1, (d, found)
    broken = [c for c in found if c[1].get("file") == str(odd_flows / "broken.test.yaml")]
    assert len(broken) >= 1
    for _, props, message in broken:
        assert re.fullmatch(r"E\d{3} .+", props["title"]) and props["title"][5:]
        assert props["title"][:4] in CODES
        assert not message.startswith(str(odd_flows)), message  # no repeated location prefix
    for _, props, _ in found:
        assert props.get("line") != "0" and props.get("col") != "0"
        assert not props.get("file", "").endswith(".test.yaml") or "broken" in props["file"]
