"""Secrets files: values for the ``${NAME}`` references of secret fields, kept out of flow files.

A secrets file is either a YAML (or JSON) mapping of names to scalar values::

    MQTT_PASSWORD: s3cret
    PG_DSN: postgresql://app:pw@127.0.0.1/app

or an encrypted store (:mod:`flowrt.secrets.store`), recognised by its first line and read with
the key in ``FLOWRT_SECRETS_KEY``. This module is where both are read.

``flowrt run --secrets FILE`` (or ``FLOWRT_SECRETS=FILE``) reads it; its names fill references the
same way environment variables do, and the process environment wins over the file, so a
deployment can still override one value. The file's values are never printed: each is
registered with :mod:`flowrt.secrets.redact` as it is read, so whatever leaves the process shows the
reference (``${NAME}``) instead.

flowrt's own settings are not for flows: :data:`OWN_VARIABLES` (the store's key, the API's
tokens, the users file, the secrets file, the group database) are taken out of the process
environment once read (:func:`withhold_own_secrets`) and never put in the environment a node
sees (:func:`merged_env`, :func:`visible_env`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from flowrt.errors import ConfigError
from flowrt.load.env import OWN_VARIABLES, URL_PASSWORD
from flowrt.secrets.redact import MIN_LENGTH, SECRETS, credential_values, register
from flowrt.secrets.store import (
    KEY_ENV,
    NAME_CHARS,
    decrypt_store,
    hold_key,
    is_encrypted,
    key_from,
)

__all__ = ["NAME_CHARS", "OWN_VARIABLES", "load_secrets", "merged_env", "start_secrets",
           "visible_env", "withhold_own_secrets"]

TOKENS_ENV = "FLOWRT_TOKENS"


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
        found = decrypt_store(text, file, key_from(env))
        SECRETS.add_all(found)
        return found, []
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
    SECRETS.add_all(secrets)
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
    ``-e NAME=VALUE`` options, each winning over the one before. flowrt's own variables are
    left out, so no flow (nor a function node's ``env.get``) can read them; the values of
    variables named like credentials are registered for redaction."""
    env = visible_env({**secrets, **process_env, **overrides})
    SECRETS.add_all(credential_values(env))
    return env


def start_secrets(
    secrets_file: str | None, overrides: dict[str, str], *addresses: str | None
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """What `flowrt run` and `flowrt serve` do first: take flowrt's own variables out of the
    environment (:func:`withhold_own_secrets`, with the database ``addresses``), read the
    secrets file, and build the flows' environment. Returns that environment, the variables
    taken, and warnings for the operator (a plain file others may read, values too short to be
    hidden). Raises ConfigError for a secrets file that cannot be read."""
    own = withhold_own_secrets(*addresses)
    secrets, notes = load_secrets(secrets_file) if secrets_file else ({}, [])
    env = merged_env(dict(os.environ), secrets, overrides)
    notes += [f"the value of {name} is shorter than {MIN_LENGTH} characters: it cannot be "
              "hidden from logs and API responses; give it a longer value"
              for name in SECRETS.too_short()]
    return env, own, notes


def visible_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without flowrt's own variables (:data:`OWN_VARIABLES`)."""
    return {k: v for k, v in env.items() if k not in OWN_VARIABLES}


def withhold_own_secrets(*addresses: str | None) -> dict[str, str]:
    """Take flowrt's own variables out of ``os.environ`` (a child process a flow starts does
    not inherit them; the store's key stays usable through :func:`flowrt.secrets.store.key_from`)
    and register their secret values for redaction: each token of ``FLOWRT_TOKENS``, each key
    of ``FLOWRT_SECRETS_KEY``, the password of the group database, and of each URL in
    ``addresses`` (``--db``, ``--context-store``). Returns the variables taken."""
    taken: dict[str, str] = {}
    key = os.environ.get(KEY_ENV)
    if key is not None:
        taken[KEY_ENV] = key
        hold_key()
    for name in sorted(OWN_VARIABLES - {KEY_ENV}):
        value = os.environ.pop(name, None)
        if value is not None:
            taken[name] = value
    for i, part in enumerate((key or "").split(",")):
        register(f"{KEY_ENV}_{i + 1}" if i else KEY_ENV, part.strip())
    for part in taken.get(TOKENS_ENV, "").split(","):
        register(TOKENS_ENV, part.strip().partition(":")[2] if ":" in part else part.strip())
    for name, url in [("FLOWRT_GROUP_DB", taken.get("FLOWRT_GROUP_DB")),
                      *(("FLOWRT_DATABASE", a) for a in addresses)]:
        match = URL_PASSWORD.search(url or "")
        if match:
            register(name, match["password"])
    return taken
