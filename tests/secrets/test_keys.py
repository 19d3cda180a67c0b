"""The API keys file: what it holds (hashes, never keys), states, reloading while in use, and
concurrent writers (real processes) that must not lose each other's keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flowrt.errors import ConfigError
from flowrt.secrets.keys import (
    KeyRing,
    add_key,
    hash_key,
    new_key,
    parse_duration,
    read_keys,
    revoke_key,
)

ROOT = Path(__file__).resolve().parents[2]


def test_keys_are_prefixed_random_and_long_enough() -> None:
    made = {new_key() for _ in range(200)}
    assert len(made) == 200
    for key in made:
        assert key.startswith("frk_") and len(key) == 4 + 43
        assert set(key[4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789-_")


def test_the_file_holds_the_hash_and_the_record(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    key = add_key(path, "sensor-7", ["a", "b"], timedelta(days=30))
    raw = json.loads(path.read_text())
    entry = raw["keys"]["sensor-7"]
    assert entry["hash"] == hash_key(key) and key not in path.read_text()
    record = read_keys(path)["sensor-7"]
    assert record.scopes == ("a", "b")
    assert record.expires is not None
    assert timedelta(days=29, hours=23) < record.expires - record.created <= timedelta(days=30)
    assert record.state(datetime.now(UTC)) == "active"
    assert record.state(datetime.now(UTC) + timedelta(days=31)) == "expired"
    assert (path.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize(("name", "scopes"), [
    ("", []), ("has space", []), ("x" * 65, []), ("ok", ["bad scope"]), ("ok", ["*"]),
])
def test_bad_names_and_scopes_are_refused(tmp_path: Path, name: str, scopes: list[str]) -> None:
    with pytest.raises(ConfigError):
        add_key(tmp_path / "keys.json", name, scopes)
    assert not (tmp_path / "keys.json").exists() or read_keys(tmp_path / "keys.json") == {}


def test_durations() -> None:
    assert parse_duration("30d") == timedelta(days=30)
    assert parse_duration("2w") == timedelta(weeks=2)
    assert parse_duration("90m") == timedelta(minutes=90)
    for bad in ("", "0d", "30", "d", "1y", "-1d"):
        with pytest.raises(ConfigError):
            parse_duration(bad)


def test_a_damaged_or_foreign_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    for text in ("not json", "[]", '{"keys": {}}', '{"flowrt-keys": 1, "keys": {"a": {}}}'):
        path.write_text(text)
        with pytest.raises(ConfigError, match=str(path)):
            read_keys(path)


def test_the_ring_sees_changes_and_revocations(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    ring = KeyRing(path)
    assert ring.find("frk_anything") is None
    key = add_key(path, "a", [])
    found = ring.find(key)
    assert found is not None and found.name == "a"
    revoke_key(path, "a")
    found = ring.find(key)
    assert found is not None and found.state(datetime.now(UTC)) == "revoked"
    revoke_key(path, "a", forget=True)
    assert ring.find(key) is None
    with pytest.raises(ConfigError, match="no key named"):
        revoke_key(path, "a")


def test_last_use_is_written_at_most_once_a_minute(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    add_key(path, "a", [])
    ring = KeyRing(path)
    ring.touch("a", 1_800_000_000.0)
    first = read_keys(path)["a"].last_used
    assert first == datetime.fromtimestamp(1_800_000_000, UTC)
    ring.touch("a", 1_800_000_030.0)
    assert read_keys(path)["a"].last_used == first
    ring.touch("a", 1_800_000_061.0)
    assert read_keys(path)["a"].last_used == datetime.fromtimestamp(1_800_000_061, UTC)


def test_processes_adding_keys_at_once_lose_none(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    procs = [subprocess.Popen(
        [sys.executable, "-c", "import sys; from flowrt.secrets.keys import add_key; "
         "[add_key(sys.argv[1], f'{sys.argv[2]}-{i}', []) for i in range(15)]",
         str(path), f"p{n}"], cwd=ROOT, env=dict(os.environ)) for n in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert len(read_keys(path)) == 60
