"""flowrt fmt: the same canonical text with every supported ruamel.yaml version, idempotent, no
line ending in a space, a mapping in a flow list keeps its braces; directories and named files
are treated alike; --check points at the first differing line and shows the diff."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowrt.cli.commands import main
from flowrt.load.formatter import first_difference, format_document
from flowrt.load.project import load

ROOT = Path(__file__).resolve().parent.parent.parent
LOWEST_RUAMEL = "0.18.0"
"""The lowest ruamel.yaml pyproject.toml allows (``ruamel.yaml>=0.18``)."""

TRICKY = """\
flowrt: 1
id: tricky
nodes:
  a:
    type: change   # a comment after a value
    rules:
      - set: payload
        to: "{long}"
      - set: x
        to: 'single
          quoted over lines'
    humidity:
      # a comment before a nested mapping
      nested: {{a: 1, b: [1, 2, {{c: 3}}]}}
    columns: {{sensor: payload.sensor, at: payload.time, celsius: payload.celsius, {more}}}
    listed: [{{payload: {{a: 1}}}}, {{b: 2}}, plain]
    literal: |
      kept as written
    folded: >-
      folded text
      on two lines
""".format(long="a long double quoted string that goes on " * 3, more="humidity: payload.humidity")


def format_text(path: Path) -> str:
    return format_document(load(path))


def corpus(tmp_path: Path) -> list[Path]:
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    return [*sorted((ROOT / "flows").glob("*.y*ml")), tmp_path / "tricky.yaml"]


def test_formatting_is_idempotent_keeps_braces_and_leaves_no_trailing_space(
        tmp_path: Path) -> None:
    for path in corpus(tmp_path):
        once = format_text(path)
        again = tmp_path / f"again-{path.name}"
        again.write_text(once, encoding="utf-8")
        assert format_text(again) == once, path
        assert [n for n, line in enumerate(once.splitlines(), 1)
                if line != line.rstrip() and "kept as written" not in line] == [], path
        assert load(again).data == load(path).data, path
    tricky = format_text(tmp_path / "tricky.yaml")
    assert "listed: [{payload: {a: 1}}, {b: 2}, plain]" in tricky
    assert "humidity:\n      # a comment before a nested mapping\n      nested:" in tricky


def test_the_shipped_flows_are_formatted(tmp_path: Path) -> None:
    copy = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", copy)
    result = CliRunner().invoke(main, ["fmt", "--check", str(copy)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def lowest_ruamel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ruamel.yaml at the lowest version flowrt supports, installed apart (pip --target)."""
    target = tmp_path_factory.mktemp("ruamel-lowest")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
                    "--disable-pip-version-check", f"ruamel.yaml=={LOWEST_RUAMEL}"],
                   check=True, capture_output=True, timeout=600)
    return target


def test_the_lowest_supported_ruamel_formats_the_same(tmp_path: Path, lowest_ruamel: Path) -> None:
    paths = corpus(tmp_path)
    script = ("import json, sys, ruamel.yaml\n"
              "from flowrt.load.formatter import format_document\n"
              "from flowrt.load.project import load\n"
              "print(json.dumps([ruamel.yaml.__version__, "
              "[format_document(load(p)) for p in sys.argv[1:]]]))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(lowest_ruamel), str(ROOT)])}
    result = subprocess.run([sys.executable, "-c", script, *map(str, paths)], env=env,
                            capture_output=True, text=True, timeout=300, check=True)
    version, texts = json.loads(result.stdout)
    assert version == LOWEST_RUAMEL
    assert texts == [format_text(p) for p in paths]


def test_a_directory_and_its_files_named_get_the_same_treatment(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    for name in ("hello.yaml", "hello.test.yaml", "sensors.test.yaml"):
        path = flows / name
        path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    named = sorted(str(p) for p in flows.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    by_dir = CliRunner().invoke(main, ["fmt", "--check", str(flows)])
    by_name = CliRunner().invoke(main, ["fmt", "--check", *named])
    assert by_dir.exit_code == by_name.exit_code == 1
    assert by_dir.output.count("E013") == by_name.output.count("E013") == 3
    assert by_dir.output.splitlines()[-1] == by_name.output.splitlines()[-1]


def test_check_shows_where_and_how_a_file_differs_as_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("flowrt: 1\nid: f\nnodes:\n  log:   {type: debug}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fmt", "--check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{path}:4:8: error E013 ")
    assert "-  log:   {type: debug}" in lines and "+  log: {type: debug}" in lines
    assert f"--- {path}" in lines


def test_first_difference() -> None:
    assert first_difference("a: 1\nb:  2\n", "a: 1\nb: 2\n") == (2, 4)
    assert first_difference("a: 1\n", "a: 1\nb: 2\n") == (2, 1)
    assert first_difference("a: 1", "a: 1\n") == (1, 5)
