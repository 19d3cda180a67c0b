"""The encrypted secrets store: what the file looks like, its errors (which never show a key or a
value), atomic writes, key rotation, and the commands that read it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flowrt.errors import ConfigError
from flowrt.secrets.references import load_secrets, merged_env
from flowrt.secrets.store import (
    HEADER,
    KEY_ENV,
    merge_into_store,
    new_key,
    read_store,
    write_store,
)

ROOT = Path(__file__).resolve().parent.parent.parent
VALUE = "s3cret-value-☃-0d1f"


def test_a_store_round_trips_and_shows_nothing_but_its_header(tmp_path: Path) -> None:
    key = new_key()
    file = write_store(tmp_path / "s.enc", {"PG_PASSWORD": VALUE, "TOKEN": "t"}, key)
    assert read_store(file, key) == {"PG_PASSWORD": VALUE, "TOKEN": "t"}
    text = file.read_text()
    assert text.splitlines()[0] == HEADER
    assert VALUE not in text and "PG_PASSWORD" not in text  # names are secret too
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.enc"]  # no temporary file left


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (None, "is an encrypted secrets file: set FLOWRT_SECRETS_KEY"),
        ("not-a-key", "FLOWRT_SECRETS_KEY is not a key made by `flowrt secrets key`"),
        ("other", "FLOWRT_SECRETS_KEY does not decrypt this file"),
    ],
)
def test_a_missing_bad_or_wrong_key_is_named_and_never_shown(
    tmp_path: Path, key: str | None, expected: str
) -> None:
    right = new_key()
    file = write_store(tmp_path / "s.enc", {"A": VALUE}, right)
    given = new_key() if key == "other" else key
    with pytest.raises(ConfigError) as caught:
        load_secrets(file, env={} if given is None else {KEY_ENV: given})
    text = str(caught.value)
    assert expected in text
    assert VALUE not in text and right not in text and (given is None or given not in text)


def test_a_changed_byte_is_an_error_not_a_wrong_value(tmp_path: Path) -> None:
    key = new_key()
    file = write_store(tmp_path / "s.enc", {"A": VALUE}, key)
    lines = file.read_text().splitlines()
    token = lines[-1]
    lines[-1] = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    file.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match="does not decrypt this file"):
        read_store(file, key)
    file.write_text(HEADER + "\n# nothing else\n")
    with pytest.raises(ConfigError, match="damaged"):
        read_store(file, key)


def test_several_keys_let_a_key_be_replaced(tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    file = write_store(tmp_path / "s.enc", {"A": "1"}, old)
    assert read_store(file, f"{new},{old}") == {"A": "1"}
    merge_into_store(file, {"B": "2"}, f"{new},{old}")  # written again with the first key
    assert read_store(file, new) == {"A": "1", "B": "2"}
    with pytest.raises(ConfigError):
        read_store(file, old)


def test_a_failed_write_leaves_the_old_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    file = write_store(tmp_path / "s.enc", {"A": "1"}, key)

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        merge_into_store(file, {"B": "2"}, key)
    monkeypatch.undo()
    assert read_store(file, key) == {"A": "1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.enc"]
    with pytest.raises(ConfigError, match="'bad name' is not a reference name"):
        write_store(file, {"bad name": "x"}, key)
    assert read_store(file, key) == {"A": "1"}


def test_a_store_may_be_readable_by_others_and_a_missing_one_is_empty(tmp_path: Path) -> None:
    key = new_key()
    file = write_store(tmp_path / "s.enc", {"A": "1"}, key)
    file.chmod(0o644)
    assert load_secrets(file, env={KEY_ENV: key}) == ({"A": "1"}, [])
    assert read_store(tmp_path / "none.enc", key) == {}


def test_a_plain_file_is_not_taken_for_a_store(tmp_path: Path) -> None:
    plain = tmp_path / "s.yaml"
    plain.write_text("A: 1\n")
    with pytest.raises(ConfigError, match="plain secrets file, not an encrypted store"):
        read_store(plain, new_key())


def test_the_key_never_reaches_the_flows() -> None:
    env = merged_env({KEY_ENV: "k", "HOME": "/h"}, {"A": "1"}, {})
    assert env == {"A": "1", "HOME": "/h"}


def test_flowrt_run_reads_an_encrypted_store(tmp_path: Path) -> None:
    key = new_key()
    out = tmp_path / "out.txt"
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "flowrt: 1\nnodes:\n"
        "  once: {type: inject, once: true, payload: {type: str, value: '${GREETING}'}, to: save}\n"
        f"  save: {{type: file-out, filename: '{out}'}}\n",
        encoding="utf-8",
    )
    store = write_store(tmp_path / "secrets.enc", {"GREETING": VALUE}, key)
    env = {k: v for k, v in os.environ.items() if k != "GREETING"}
    done = subprocess.run(
        [sys.executable, "-m", "flowrt", "run", "--until-idle", "--secrets", str(store),
         str(flow)],
        cwd=ROOT, env={**env, KEY_ENV: key}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").strip() == VALUE
    wrong = subprocess.run(
        [sys.executable, "-m", "flowrt", "run", "--until-idle", "--secrets", str(store),
         str(flow)],
        cwd=ROOT, env={**env, KEY_ENV: new_key()}, capture_output=True, text=True, timeout=120,
    )
    assert wrong.returncode == 2
    assert "does not decrypt" in wrong.stderr and VALUE not in wrong.stderr


def test_flowrt_import_nodered_writes_credentials_into_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowrt.nodered import import_nodered

    export = [
        {"id": "t1", "type": "tab", "label": "Main"},
        {"id": "r1", "type": "http request", "z": "t1", "name": "fetch", "method": "GET",
         "url": "http://127.0.0.1:9/x", "authType": "basic", "wires": [[]]},
    ]
    source = tmp_path / "flows.json"
    source.write_text(json.dumps(export))
    creds = tmp_path / "flows_cred.json"
    creds.write_text(json.dumps({"r1": {"user": "u", "password": VALUE}}))
    key = new_key()
    monkeypatch.setenv(KEY_ENV, key)
    out = tmp_path / "out"
    write_store(out / "secrets.enc", {"KEPT": "k"}, key)
    result = import_nodered(source, out, credentials=creds)
    assert result.secrets_file == out / "secrets.enc"
    assert read_store(out / "secrets.enc", key) == {"KEPT": "k", "R1_PASSWORD": VALUE}
    assert not (out / "secrets.yaml").exists()
    assert VALUE not in "".join(p.read_text() for p in out.iterdir())
    monkeypatch.setenv(KEY_ENV, new_key())
    from flowrt.nodered import CredentialsError

    with pytest.raises(CredentialsError, match="cannot be stored: .* does not decrypt"):
        import_nodered(source, out, credentials=creds)


def test_flowrt_run_with_a_reference_left_without_value_says_so(tmp_path: Path) -> None:
    """An unset ${NAME} where only a valid address may go is an error naming the reference,
    not a traceback (the value is checked once it is known)."""
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "flowrt: 1\nid: a\nconnections:\n  b: {type: amqp-broker, url: '${BROKER_URL_UNSET}'}\n"
        "nodes:\n  i: {type: amqp-in, connection: b, queue: q, to: d}\n  d: {type: debug}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "BROKER_URL_UNSET"}
    done = subprocess.run(
        [sys.executable, "-m", "flowrt", "run", "--until-idle", str(flow)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "W104" in done.stderr and "${BROKER_URL_UNSET}" in done.stderr
    assert "flowrt: error: " in done.stderr and "Traceback" not in done.stderr
