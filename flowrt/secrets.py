"""Secrets files: values for the ``${NAME}`` references of secret fields, kept out of flow files.

A secrets file is either a YAML (or JSON) mapping of names to scalar values::

    MQTT_PASSWORD: s3cret
    PG_DSN: postgresql://app:pw@127.0.0.1/app

or an encrypted store (:mod:`flowrt.secrets_store`), recognised by its first line and read with
the key in ``FLOWRT_SECRETS_KEY``. This module is where both are read.

``flowrt run --secrets FILE`` (or ``FLOWRT_SECRETS=FILE``) reads it; its names fill references the
same way environment variables do, and the process environment wins over the file, so a
deployment can still override one value. The file's values are never printed: diagnostics name
the reference, not what it resolves to.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from flowrt.errors import ConfigError
from flowrt.secrets_store import KEY_ENV, NAME_CHARS, decrypt_store, is_encrypted, key_from

__all__ = ["NAME_CHARS", "load_secrets", "merged_env"]


def load_secrets(
    path: str | os.PathLike[str], env: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """The secrets in ``path`` as strings, and warnings (a plain file others may read).

    An encrypted store is decrypted with ``FLOWRT_SECRETS_KEY`` of ``env`` (default: the
    process environment); it may be readable by anyone, so its mode is not warned about.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the secrets file: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: the secrets file is not UTF-8 text") from None
    if is_encrypted(text):
        return decrypt_store(text, file, key_from(env)), []
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else str(file)
        raise ConfigError(f"{where}: the secrets file is not valid YAML") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: a secrets file is a mapping of NAME: value")
    secrets: dict[str, str] = {}
    for name, value in data.items():
        if not isinstance(name, str) or not name or not set(name) <= NAME_CHARS:
            raise ConfigError(
                f"{file}: {name!r} is not a reference name; use letters, digits and underscores"
            )
        if isinstance(value, dict | list) or value is None:
            raise ConfigError(f"{file}: the value of {name} must be a single string or number")
        secrets[name] = value if isinstance(value, str) else _scalar(value)
    warnings = []
    mode = file.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(
            f"{file}: the secrets file can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"run `chmod 600 {file}`"
        )
    return secrets, warnings


def _scalar(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def merged_env(
    process_env: dict[str, str], secrets: dict[str, str], overrides: dict[str, str]
) -> dict[str, str]:
    """What references resolve against: the secrets file, then the process environment, then
    ``-e NAME=VALUE`` options, each winning over the one before. The store's key is left out,
    so no flow (nor a function node's ``env.get``) can read it."""
    env = {**secrets, **process_env, **overrides}
    env.pop(KEY_ENV, None)
    return env
