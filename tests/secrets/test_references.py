"""Secrets files (`flowrt run --secrets`): reading them, their errors, and what wins over what."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowrt.errors import ConfigError
from flowrt.secrets.references import load_secrets, merged_env

ROOT = Path(__file__).resolve().parent.parent.parent


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_values_are_read_as_strings(tmp_path: Path) -> None:
    file = write(tmp_path / "s.yaml", "TOKEN: abc\nPORT: 5432\nTLS: true\nRATIO: 0.5\n")
    secrets, warnings = load_secrets(file)
    assert secrets == {"TOKEN": "abc", "PORT": "5432", "TLS": "true", "RATIO": "0.5"}
    assert warnings == []


def test_an_empty_file_holds_no_secret(tmp_path: Path) -> None:
    assert load_secrets(write(tmp_path / "s.yaml", "# none yet\n")) == ({}, [])


def test_a_file_others_can_read_is_warned_about(tmp_path: Path) -> None:
    file = write(tmp_path / "s.yaml", "TOKEN: abc\n", mode=0o644)
    _, warnings = load_secrets(file)
    assert len(warnings) == 1
    assert "chmod 600" in warnings[0] and "644" in warnings[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "mapping of NAME: value"),
        ("TOKEN: [1, 2]\n", "value of TOKEN must be a single"),
        ("TOKEN:\n", "value of TOKEN must be a single"),
        ("'bad name': x\n", "is not a reference name"),
        ("TOKEN: 'unclosed\n", "s.yaml:2:1: the secrets file is not valid YAML"),
    ],
)
def test_a_broken_file_says_where_and_what(tmp_path: Path, text: str, expected: str) -> None:
    file = write(tmp_path / "s.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load_secrets(file)
    assert expected in str(caught.value)
    assert "'unclosed" not in str(caught.value) or "TOKEN" not in str(caught.value)


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope.yaml: cannot read the secrets file"):
        load_secrets(tmp_path / "nope.yaml")


def test_the_environment_wins_over_the_file_and_options_over_both() -> None:
    env = merged_env({"A": "env", "B": "env"}, {"A": "file", "C": "file"}, {"B": "option"})
    assert env == {"A": "env", "B": "option", "C": "file"}


def test_flowrt_run_fills_references_from_the_secrets_file(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "flowrt: 1\nnodes:\n"
        "  once: {type: inject, once: true, payload: {type: str, value: '${GREETING}'}, to: save}\n"
        f"  save: {{type: file-out, filename: '{out}'}}\n",
        encoding="utf-8",
    )
    secrets = write(tmp_path / "secrets.yaml", "GREETING: from-the-secrets-file\n")
    env = {k: v for k, v in os.environ.items() if k != "GREETING"}
    done = subprocess.run(
        [sys.executable, "-m", "flowrt", "run", "--until-idle", "--secrets", str(secrets),
         str(flow)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").strip() == "from-the-secrets-file"
    assert "from-the-secrets-file" not in done.stderr  # values are never printed


def test_flowrt_run_with_a_broken_secrets_file_exits_2(tmp_path: Path) -> None:
    flow = tmp_path / "flow.yaml"
    flow.write_text("flowrt: 1\nnodes:\n  once: {type: inject}\n", encoding="utf-8")
    secrets = write(tmp_path / "secrets.yaml", "- not a mapping\n")
    done = subprocess.run(
        [sys.executable, "-m", "flowrt", "run", "--until-idle", "--secrets", str(secrets),
         str(flow)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert "secrets.yaml: a secrets file is a mapping" in done.stderr
