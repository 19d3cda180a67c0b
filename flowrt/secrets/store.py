"""The encrypted secrets store: a file of NAME -> value that only the holder of a key can read.

A plain secrets file (:mod:`flowrt.secrets.references`) must be kept away from everyone but the
process
that runs the flows. An encrypted store may travel with the flows (a repository, an image, a
backup): it is useless without the key, which lives only in the environment of the process that
runs them, as ``FLOWRT_SECRETS_KEY``. The file is text::

    flowrt-secrets/1 fernet
    # Encrypted secrets for ${NAME} references; read with FLOWRT_SECRETS_KEY set. ...
    gAAAAABm...

The first line says what the file is; the last is a Fernet token (AES-128-CBC with an
HMAC-SHA256, from ``cryptography``) of the JSON object of names to values, so a changed byte is
an error rather than a wrong value. ``FLOWRT_SECRETS_KEY`` may list several keys separated by
commas: the first encrypts, any of them decrypts, which lets a key be replaced without a moment
where the file cannot be read.

Errors name the file and the variable, never a key or a value. Writes go to a temporary file
(mode 600) in the same directory that then replaces the store, so a crash leaves the old store
or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flowrt.errors import ConfigError

HEADER = "flowrt-secrets/1 fernet"
KEY_ENV = "FLOWRT_SECRETS_KEY"
NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_MERGING = threading.Lock()
"""Held while a store is read, changed and written again (imports may run side by side)."""
_NOTE = (
    f"# Encrypted secrets for ${{NAME}} references; read with {KEY_ENV} set.\n"
    "# Edit with `flowrt secrets set|rm|list FILE`; run with `flowrt run --secrets FILE`.\n"
)


def new_key() -> str:
    """A fresh random key, as ``FLOWRT_SECRETS_KEY`` takes it."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def is_encrypted(text: str) -> bool:
    """True when ``text`` (a secrets file's contents) is an encrypted store."""
    return text.lstrip("\ufeff").startswith(HEADER)


def check_name(name: str, where: str = "") -> str:
    """``name`` when it can be written as a ``${NAME}`` reference; ConfigError otherwise."""
    if not name or not set(name) <= NAME_CHARS:
        prefix = f"{where}: " if where else ""
        raise ConfigError(
            f"{prefix}{name!r} is not a reference name; use letters, digits and underscores"
        )
    return name


_held_key: str | None = None
"""The key once :func:`hold_key` took it out of the environment (`flowrt run` and `serve`)."""


def key_from(env: Mapping[str, str] | None = None) -> str | None:
    """The key text of the environment (``os.environ`` by default, then the key the process
    holds since it took it out of ``os.environ``), or None when unset."""
    value = (os.environ if env is None else env).get(KEY_ENV, "").strip()
    if not value and env is None:
        value = _held_key or ""
    return value or None


def hold_key() -> str | None:
    """Take the key out of ``os.environ`` (so neither flows nor child processes inherit it)
    and keep it for this process's own use; returns it (None when unset)."""
    global _held_key
    value = os.environ.pop(KEY_ENV, "").strip()
    if value:
        _held_key = value
    return _held_key


def forget_key() -> None:
    """Drop the key :func:`hold_key` kept."""
    global _held_key
    _held_key = None


def _cipher(key: str | None, file: Path) -> Any:
    from cryptography.fernet import Fernet, MultiFernet

    if key is None:
        raise ConfigError(
            f"{file} is an encrypted secrets file: set {KEY_ENV} to its key "
            "(`flowrt secrets key` makes one)"
        )
    try:
        return MultiFernet([Fernet(part.strip().encode("ascii"))
                            for part in key.split(",") if part.strip()])
    except (ValueError, UnicodeEncodeError):
        raise ConfigError(
            f"{KEY_ENV} is not a key made by `flowrt secrets key` (32 bytes in url-safe "
            "base64; several keys are separated by commas)"
        ) from None


def decrypt_store(text: str, file: Path, key: str | None) -> dict[str, str]:
    """The secrets of an encrypted store's text."""
    from cryptography.fernet import InvalidToken

    cipher = _cipher(key, file)
    lines = [ln.strip() for ln in text.lstrip("\ufeff").splitlines()]
    body = [ln for ln in lines[1:] if ln and not ln.startswith("#")]
    if len(body) != 1:
        raise ConfigError(f"{file}: the encrypted secrets file is damaged (no single token)")
    try:
        plain = cipher.decrypt(body[0].encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise ConfigError(
            f"{file}: {KEY_ENV} does not decrypt this file (another key, or the file was "
            "changed by hand)"
        ) from None
    try:
        data = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ConfigError(f"{file}: the decrypted secrets are not a mapping of NAME to text")
    return data


def read_store(path: str | os.PathLike[str], key: str | None = None) -> dict[str, str]:
    """The secrets of the encrypted store at ``path``; ``key`` defaults to the environment's.
    A missing file is an empty store (``set`` creates it)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the secrets file: {exc}") from None
    if not is_encrypted(text):
        raise ConfigError(
            f"{file} is a plain secrets file, not an encrypted store; make one with "
            f"`flowrt secrets encrypt {file} -o NEW_FILE`"
        )
    return decrypt_store(text, file, key if key is not None else key_from())


def write_store(
    path: str | os.PathLike[str], secrets: Mapping[str, str], key: str | None = None
) -> Path:
    """Encrypt ``secrets`` into ``path`` (mode 600, replaced atomically)."""
    file = Path(path)
    for name in secrets:
        check_name(name, str(file))
    cipher = _cipher(key if key is not None else key_from(), file)
    token = cipher.encrypt(json.dumps(dict(sorted(secrets.items())),
                                      ensure_ascii=False).encode("utf-8"))
    write_private(file, f"{HEADER}\n{_NOTE}{token.decode('ascii')}\n")
    return file


def write_private(file: Path, text: str) -> None:
    """Write ``text`` to ``file`` readable by the owner only, replacing it in one step."""
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, file)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def merge_into_store(
    path: str | os.PathLike[str], secrets: Mapping[str, str], key: str | None = None
) -> list[str]:
    """Add (or replace) ``secrets`` in the store at ``path``, creating it when missing; the
    names written, sorted."""
    with _MERGING:
        current = read_store(path, key)
        current.update(secrets)
        write_store(path, current, key)
    return sorted(secrets)


def add_to_store(
    path: str | os.PathLike[str], secrets: Mapping[str, str], key: str | None = None
) -> dict[str, str]:
    """Add ``secrets`` to the store at ``path`` without replacing a value it holds (see
    :func:`place_secrets`). Returns each given name -> the name its value is stored under."""
    with _MERGING:
        current = read_store(path, key)
        placed = place_secrets(current, secrets)
        write_store(path, current, key)
    return placed


def place_secrets(current: dict[str, str], secrets: Mapping[str, str]) -> dict[str, str]:
    """Add ``secrets`` to ``current`` without replacing a value it holds: a name it already has
    with another value goes under the first free ``NAME_2``, ``NAME_3``... Returns each given
    name -> the name its value is now under (the same name when it was new, or held that very
    value already)."""
    placed: dict[str, str] = {}
    for name, value in sorted(secrets.items()):
        chosen, n = name, 1
        while chosen in current and current[chosen] != value:
            n += 1
            chosen = f"{name}_{n}"
        current[chosen] = value
        placed[name] = chosen
    return placed
