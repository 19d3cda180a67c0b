"""`flowrt secrets`: values go in through standard input or a hidden prompt and never come out."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import flowrt.cli.secrets
from flowrt.cli.commands import main
from flowrt.secrets.store import KEY_ENV, new_key, read_store

VALUE = "pw-6c1d-not-to-be-seen"
FLOW = """\
flowrt: 1
id: f
connections:
  db: {type: postgres, dsn: 'postgresql://app@127.0.0.1/app', password: '${PG_PASSWORD}'}
nodes:
  t: {type: inject, to: q}
  q: {type: postgres-query, connection: db, query: select 1, to: r}
  r:
    type: http-request
    url: https://api.example.com/x
    headers: {Authorization: 'Bearer ${API_TOKEN}', X-Trace: '${TRACE_ID}'}
"""


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    value = new_key()
    monkeypatch.setenv(KEY_ENV, value)
    for name in ("PG_PASSWORD", "API_TOKEN", "TRACE_ID"):
        monkeypatch.delenv(name, raising=False)
    return value


def test_key_prints_a_usable_key(tmp_path: Path) -> None:
    from flowrt.secrets.store import write_store

    done = CliRunner().invoke(main, ["secrets", "key"])
    assert done.exit_code == 0 and "FLOWRT_SECRETS_KEY" in done.stderr
    printed = done.stdout.strip()
    assert len(printed) == 44  # 32 bytes in url-safe base64
    write_store(tmp_path / "s.enc", {"A": "1"}, printed)
    assert read_store(tmp_path / "s.enc", printed) == {"A": "1"}
    assert CliRunner().invoke(main, ["secrets", "key"]).stdout.strip() != printed


def test_set_list_rm_never_show_a_value(tmp_path: Path, key: str) -> None:
    store = tmp_path / "s.enc"
    runner = CliRunner()
    done = runner.invoke(main, ["secrets", "set", str(store), "PG_PASSWORD"], input=VALUE + "\n")
    assert done.exit_code == 0, done.output
    assert runner.invoke(main, ["secrets", "set", str(store), "B"], input="b").exit_code == 0
    assert read_store(store, key) == {"PG_PASSWORD": VALUE, "B": "b"}  # one newline dropped
    listed = runner.invoke(main, ["secrets", "list", str(store)])
    assert listed.stdout.splitlines() == ["B", "PG_PASSWORD"]
    assert runner.invoke(main, ["secrets", "rm", str(store), "B"]).exit_code == 0
    missing = runner.invoke(main, ["secrets", "rm", str(store), "B"])
    assert missing.exit_code == 1 and "holds no B" in missing.output
    assert read_store(store, key) == {"PG_PASSWORD": VALUE}
    assert all(VALUE not in o for o in (done.output, listed.output, missing.output))


def test_a_value_is_never_taken_from_the_command_line(tmp_path: Path, key: str) -> None:
    done = CliRunner().invoke(main, ["secrets", "set", str(tmp_path / "s.enc"), "A", VALUE])
    assert done.exit_code == 2 and "unexpected extra argument" in done.output.lower()
    assert not (tmp_path / "s.enc").exists()


def test_on_a_terminal_the_value_is_asked_for_without_echo(
    tmp_path: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flowrt.cli.secrets, "_stdin_is_tty", lambda: True)
    store = tmp_path / "s.enc"
    done = CliRunner().invoke(main, ["secrets", "set", str(store), "A"],
                              input=f"{VALUE}\n{VALUE}\n")
    assert done.exit_code == 0, done.output
    assert "value of A" in done.output and VALUE not in done.output
    assert read_store(store, key) == {"A": VALUE}


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (["A"], "", "no value for A"),
        (["bad-name"], "x", "'bad-name' is not a reference name"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, key: str, args: list[str], stdin: str,
                           expected: str) -> None:
    done = CliRunner().invoke(main, ["secrets", "set", str(tmp_path / "s.enc"), *args],
                              input=stdin)
    assert done.exit_code == 2 and expected in done.output


def test_set_refuses_a_plain_file_and_encrypt_converts_it(tmp_path: Path, key: str) -> None:
    plain = tmp_path / "s.yaml"
    plain.write_text(f"PG_PASSWORD: {VALUE}\nPORT: 5432\n")
    plain.chmod(0o600)
    runner = CliRunner()
    refused = runner.invoke(main, ["secrets", "set", str(plain), "A"], input="x")
    assert refused.exit_code == 2 and "flowrt secrets encrypt" in refused.output
    store = tmp_path / "s.enc"
    done = runner.invoke(main, ["secrets", "encrypt", str(plain), "-o", str(store)])
    assert done.exit_code == 0 and VALUE not in done.output
    assert read_store(store, key) == {"PG_PASSWORD": VALUE, "PORT": "5432"}
    again = runner.invoke(main, ["secrets", "encrypt", str(plain), "-o", str(store)])
    assert again.exit_code == 2 and "exists" in again.output


def test_check_names_what_has_no_value_and_where(tmp_path: Path, key: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    flow = tmp_path / "f.yaml"
    flow.write_text(FLOW)
    store = tmp_path / "s.enc"
    runner = CliRunner()
    runner.invoke(main, ["secrets", "set", str(store), "PG_PASSWORD"], input=VALUE)
    done = runner.invoke(main, ["secrets", "check", str(store), str(flow)])
    assert done.exit_code == 1
    assert done.stdout.splitlines() == [
        f"API_TOKEN: no value; used by {flow}:11:30 node 'r' Authorization",
    ]  # TRACE_ID is not used for a secret
    assert "1 of 2 secret name(s) have no value" in done.stderr
    monkeypatch.setenv("API_TOKEN", "from-the-environment")
    done = runner.invoke(main, ["secrets", "check", str(store), str(flow)])
    assert done.exit_code == 0 and "2 secret name(s), every one has a value" in done.stderr
    assert VALUE not in done.output
