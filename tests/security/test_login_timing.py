"""User names cannot be told apart by timing: a login for a name that is not in the auth file
does the same PBKDF2 work as one for a name that is, counted in iterations through the one
function every password check goes through."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowrt.server import passwords
from flowrt.server.auth import Auth, hash_password


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted: list[int] = []
    real: Callable[[bytes, bytes, int], bytes] = passwords.pbkdf2

    def pbkdf2(password: bytes, salt: bytes, iterations: int) -> bytes:
        counted.append(iterations)
        return real(password, salt, iterations)

    monkeypatch.setattr(passwords, "pbkdf2", pbkdf2)
    return counted


@pytest.mark.parametrize("iterations", [30_000, 240_000])
def test_an_unknown_user_costs_the_same_work_as_a_known_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, iterations: int) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  alice: '{hash_password('s3cret', iterations)}'\n")
    auth = Auth.load(str(users), None)
    auth.login("warm-up", "x", client="192.0.2.1")  # anything made once, before counting
    counted = _counting(monkeypatch)
    assert auth.login("alice", "wrong", client="192.0.2.2") is None
    known = sum(counted)
    counted.clear()
    assert auth.login("nobody", "wrong", client="192.0.2.3") is None
    unknown = sum(counted)
    counted.clear()
    assert auth.login("alice", "s3cret", client="192.0.2.4") is not None
    right = sum(counted)
    assert known == unknown == right == iterations


def test_the_dummy_hash_uses_the_users_iterations(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text("users:\n" + "".join(
        f"  u{i}: '{hash_password('pw', n)}'\n" for i, n in enumerate((20_000, 20_000, 5_000))))
    auth = Auth.load(str(users), None)
    assert passwords.iterations_of(passwords.dummy_hash(auth.users)) == 20_000
    assert passwords.iterations_of(passwords.dummy_hash({})) == passwords.ITERATIONS


def test_mixed_iteration_counts_are_reported(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  a: '{hash_password('pw', 2_000)}'\n"
                     f"  b: '{hash_password('pw', 3_000)}'\n")
    Auth.load(str(users), None)
    assert any("different iteration counts (2000, 3000)" in r.getMessage()
               for r in caplog.records)


def test_parallel_guesses_get_no_more_tries_than_sequential_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from flowrt.server.throttle import Throttled

    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  alice: '{hash_password('s3cret', 20_000)}'\n")
    auth = Auth.load(str(users), None)
    auth.login("warm-up", "x", client="192.0.2.250")
    counted = _counting(monkeypatch)

    def guess(i: int) -> str:
        try:
            return "refused" if auth.login("alice", f"guess-{i}", client=f"10.1.0.{i}") is None \
                else "in"
        except Throttled:
            return "throttled"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(guess, range(64)))
    assert outcomes.count("in") == 0
    assert outcomes.count("refused") == len(counted) <= 5
    assert outcomes.count("throttled") >= 59
