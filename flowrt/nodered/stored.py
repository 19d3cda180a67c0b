"""Where the credentials of a Node-RED import go, without replacing a value kept there.

An import's credentials become secrets: in the encrypted store ``secrets.enc`` when
``FLOWRT_SECRETS_KEY`` is set, else in a plain ``secrets.yaml`` (mode 600). A name the file
already holds with another value keeps that value; the import's value takes the first free
``NAME_2``, ``NAME_3``..., the imported flows refer to that name instead, and the import
report says so. `flowrt import nodered` and the server's import both go through here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from flowrt.nodered.reader import Problem


def store_credentials(secrets: Mapping[str, str], output: Path) -> tuple[Path, dict[str, str]]:
    """Add ``secrets`` to ``output``'s secrets file; the file, and each name -> the name its
    value is stored under. Raises ConfigError when the store cannot be read or written."""
    from flowrt.nodered.writer import write_secrets
    from flowrt.secrets.references import load_secrets
    from flowrt.secrets.store import add_to_store, key_from, place_secrets

    if key_from() is not None:
        store = output / "secrets.enc"
        return store, add_to_store(store, secrets)
    plain = output / "secrets.yaml"
    current = load_secrets(plain)[0] if plain.exists() else {}
    placed = place_secrets(current, secrets)
    write_secrets(current, plain)
    return plain, placed


def renamed(texts: Mapping[str, str], placed: Mapping[str, str]) -> dict[str, str]:
    """Flow texts with each ``${old}`` reference of a renamed secret made ``${new}``."""
    out = dict(texts)
    for old, new in sorted(placed.items()):
        if old != new:
            pattern = re.compile(r"\$\{" + re.escape(old) + r"(?=\}|:-)")
            out = {file: pattern.sub("${" + new, text) for file, text in out.items()}
    return out


def renaming_problems(placed: Mapping[str, str]) -> list[Problem]:
    """One problem of the import report per renamed secret."""
    return [Problem(f"the secrets file already holds {old} with another value, which is kept: "
                    f"this import's value is stored as {new}, and the imported flows use "
                    f"${{{new}}}")
            for old, new in sorted(placed.items()) if old != new]
