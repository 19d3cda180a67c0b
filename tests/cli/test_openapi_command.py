"""`flowrt openapi FLOWS` and the `--openapi/--no-openapi` option of run and serve."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from flowrt.cli.commands import main
from flowrt.run import openapi_serve

API = """\
flowrt: 1
nodes:
  hello:
    type: http-in
    url: /hello/:name
    to: reply
  reply:
    type: http-response
    headers: {content-type: text/plain}
"""


@pytest.fixture
def restored() -> Iterator[None]:
    yield
    openapi_serve.configure(True)


def test_prints_a_valid_document_of_the_files_endpoints(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(API)
    result = CliRunner().invoke(main, ["openapi", str(tmp_path), "--title", "Greetings"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    validate(doc)
    assert doc["info"]["title"] == "Greetings"
    assert list(doc["paths"]) == ["/hello/{name}"]
    assert doc["paths"]["/hello/{name}"]["get"]["responses"]["200"]["content"] == {
        "text/plain": {}}


def test_writes_to_a_file(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(API)
    out = tmp_path / "openapi.json"
    result = CliRunner().invoke(main, ["openapi", str(tmp_path / "api.yaml"), "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert list(json.loads(out.read_text())["paths"]) == ["/hello/{name}"]


def test_flows_without_http_in_or_with_errors_exit_1(tmp_path: Path) -> None:
    (tmp_path / "quiet.yaml").write_text("flowrt: 1\nnodes:\n  d: {type: debug}\n")
    (tmp_path / "broken.yaml").write_text("flowrt: 1\nnodes:\n  h: {type: http-in}\n")
    quiet = CliRunner().invoke(main, ["openapi", str(tmp_path / "quiet.yaml")])
    assert quiet.exit_code == 1 and "no http-in node" in quiet.stderr
    broken = CliRunner().invoke(main, ["openapi", str(tmp_path / "broken.yaml")])
    assert broken.exit_code == 1 and "url" in broken.stderr and broken.stdout == ""
    missing = CliRunner().invoke(main, ["openapi", str(tmp_path / "absent.yaml")])
    assert missing.exit_code == 2


@pytest.mark.parametrize(("args", "env", "served"), [
    ([], {}, True),
    (["--no-openapi"], {}, False),
    ([], {"FLOWRT_OPENAPI": "0"}, False),
    (["--openapi"], {"FLOWRT_OPENAPI": "0"}, True),
])
def test_run_and_serve_take_the_option(restored: None, tmp_path: Path, args: list[str],
                                       env: dict[str, str], served: bool) -> None:
    for command in ("run", "serve"):
        openapi_serve.configure(not served)
        # a secrets file that does not exist: the command stops once its options are read
        where = ["--secrets", str(tmp_path / "absent.json")]
        where += [str(tmp_path)] if command == "run" else ["--flows", str(tmp_path)]
        result = CliRunner().invoke(main, [command, *args, *where], env=env)
        assert result.exit_code == 2 and "cannot read the secrets file" in result.stderr
        assert openapi_serve.enabled() is served, command
