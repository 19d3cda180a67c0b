"""Shared pieces of the role tests: one server with a token of each role, and users limited to
some flow files (an auth file with roles and ``files``)."""

from __future__ import annotations

from pathlib import Path

from flowrt.server.auth import Auth, hash_password
from tests.server.server_kit import flow

ROLES = ("viewer", "editor", "deployer", "admin")
TOKENS = {role: f"{role}-token-for-the-role-tests-0123" for role in ROLES}
PASSWORD = "a-password-for-the-role-tests"
SECRET = "b-only-marker-7f3e"
"""A text only b.yaml holds: no answer to a user limited to a.yaml may carry it."""

FILES = {
    "a.yaml": flow("a"),
    "b.yaml": flow("b", SECRET),
}


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


def auth_of(tmp_path: Path) -> Auth:
    """Tokens ``<role>:<token>:<role>`` for each role, and users: ``alice`` (deployer of
    a.yaml), ``bob`` (viewer of a.yaml), ``root`` (no role: admin, as before roles)."""
    hashed = hash_password(PASSWORD, 1000)
    users = tmp_path / "users.yaml"
    users.write_text(
        "users:\n"
        f"  alice: {{password: '{hashed}', role: deployer, files: [a.yaml]}}\n"
        f"  bob: {{password: '{hashed}', role: viewer, files: ['a*.yaml']}}\n"
        f"  root: '{hashed}'\n", encoding="utf-8")
    tokens = ",".join(f"{role}:{TOKENS[role]}:{role}" for role in ROLES)
    return Auth.load(str(users), tokens)
