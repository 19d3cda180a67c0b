"""Password hashes of the auth file: ``pbkdf2_sha256$<iterations>$<salt>$<hash>`` (stdlib only).

:func:`hash_password` makes one, :func:`verify_password` checks one. A login for a name that is
not in the file is checked against :func:`dummy_hash`, made with the iterations the users'
hashes have, so an unknown name costs the same work as a known one and cannot be told apart
by the time the answer takes. Users whose hashes have different iteration counts can be told
apart that way; :func:`read_users` warns about it (rehash them with the same count).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections import Counter
from pathlib import Path

from flowrt.errors import ConfigError
from flowrt.server.roles import Grant, grant_of

ITERATIONS = 240_000
log = logging.getLogger("flowrt.server")


def pbkdf2(password: bytes, salt: bytes, iterations: int) -> bytes:
    """PBKDF2-HMAC-SHA256: every password check goes through here."""
    return hashlib.pbkdf2_hmac("sha256", password, salt, iterations)


def hash_password(password: str, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = pbkdf2(password.encode(), salt, iterations)
    return "$".join(("pbkdf2_sha256", str(iterations), _b64(salt), _b64(digest)))


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = pbkdf2(password.encode("utf-8", "surrogatepass"), _unb64(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, _unb64(digest))


def iterations_of(stored: str) -> int | None:
    parts = stored.split("$")
    return int(parts[1]) if len(parts) == 4 and parts[1].isdecimal() else None


def dummy_hash(users: dict[str, str]) -> str:
    """A hash of a random password with the iterations most users' hashes have."""
    counts = Counter(n for n in map(iterations_of, users.values()) if n is not None)
    iterations = max(counts, key=lambda n: (counts[n], n)) if counts else ITERATIONS
    return hash_password(secrets.token_urlsafe(16), iterations)


def read_users(path: Path) -> dict[str, str]:
    """User name -> hash, from a YAML ``users:`` mapping; ConfigError says what is wrong."""
    return read_auth(path)[0]


def read_auth(path: Path) -> tuple[dict[str, str], dict[str, Grant]]:
    """User name -> hash, and user name -> :class:`~flowrt.server.roles.Grant`, from a YAML
    ``users:`` mapping whose values are a hash, or ``{password: <hash>, role: editor,
    files: [a.yaml]}``; ConfigError says what is wrong."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"auth file {path}: {exc}") from exc
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict) or not users:
        raise ConfigError(f"auth file {path}: expected `users: {{name: pbkdf2_sha256$...}}`")
    result: dict[str, str] = {}
    grants: dict[str, Grant] = {}
    for name, entry in users.items():
        stored = entry.get("password") if isinstance(entry, dict) else entry
        if not str(stored).startswith("pbkdf2_sha256$") or iterations_of(str(stored)) is None:
            raise ConfigError(
                f"auth file {path}: the password of '{name}' is not a pbkdf2_sha256 hash; make "
                "one with `python -c \"from flowrt.server.auth import hash_password; "
                "print(hash_password('...'))\"`"
            )
        result[str(name)] = str(stored)
        grants[str(name)] = grant_of(entry, f"auth file {path}: user '{name}'")
    counts = sorted({iterations_of(v) or 0 for v in result.values()})
    if len(counts) > 1:
        log.warning("auth file %s: the hashes use different iteration counts (%s): how long a "
                    "login takes tells those users apart; rehash them with hash_password()",
                    path, ", ".join(map(str, counts)))
    return result, grants


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
