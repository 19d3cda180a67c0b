"""The result of a passing check, kept between processes, so that `flowrt run` of a project that
has not changed does not check it again.

Checking is most of `flowrt run`'s start-up: the checker's libraries (networkx, jsonschema)
are imported, in a forked child (:mod:`flowrt.compile.isolated`), only to say again what the
last run said. After a check with no error the diagnostics it found (its warnings) are written
to the cache directory of the node type index (:func:`flowrt.registry.index.cache_file`), in a
file named by a key that holds everything the check's outcome depends on:

- the text of each flow file as it was loaded, its name as shown, its absolute and its real
  path (the working directory too), and the bytes of each named schema of a ``schemas/``
  folder beside a flow file (the project's ontologies);
- the options that change what is checked or how: ``strict``, the script policy and those the
  caller adds (``flowrt run``'s ``--check-ports``);
- the environment, every variable (a ``${NAME}`` may read any of them, and the operator's caps
  are variables too), and the secrets that were added to it; but for the few a shell changes
  between two commands on its own (:data:`SHELL_OWN`: ``OLDPWD`` after a ``cd``, ``_``, ...),
  which count only when a flow file names them;
- the node types: the index's fingerprint (the installed packs' module files, and the folders
  distributions are installed in, so that a library upgraded misses too), flowrt's own module
  files and version, and the interpreter.

A check with errors is never kept: the next run checks again and reports them. No file, a file
that cannot be read or does not hold what it should, or a cache directory that cannot be
written only means checking, as before this cache existed. A key is a digest (SHA-256) and its
file is readable by its owner only: the key is derived from the environment's values.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from flowrt.diagnostics import Diagnostic
from flowrt.load.ontologies import SCHEMA_SUFFIXES, SCHEMAS_DIR
from flowrt.load.project import Project
from flowrt.registry.base import Registry

log = logging.getLogger("flowrt.compile")

VERSION = 1
PREFIX = "check-"
KEEP = 64
"""Results kept in the cache directory; writing one more removes the oldest."""
SHELL_OWN = frozenset({
    "_", "OLDPWD", "SHLVL", "LINES", "COLUMNS", "HISTCMD", "PS1", "PS2", "PS4",
    "PROMPT_COMMAND", "TERM_SESSION_ID", "WINDOWID", "SSH_CLIENT", "SSH_CONNECTION", "SSH_TTY",
    "XDG_SESSION_ID", "TMUX_PANE", "STY"})
"""Variables a shell sets or changes on its own between two commands (the last argument, the
directory before the last ``cd``, the terminal's size, the login's addresses): leaving them out
of the key keeps a kept check from missing in every new shell. One a flow file names (the
word anywhere in its text) counts as every other variable does."""


def check_key(project: Project, registry: Registry, env: Mapping[str, str],
              options: Mapping[str, Any]) -> str | None:
    """The key of the check of ``project`` with ``registry``, ``env`` and ``options``, or None
    when its result is not to be cached: a project with a file that could not be loaded, or a
    registry not found through the index (whose packs have no fingerprint)."""
    if registry.index_key is None or project.unreadable or project.diagnostics:
        return None
    from flowrt import __version__

    digest = hashlib.sha256()

    def part(*values: object) -> None:
        for value in values:
            data = value if isinstance(value, bytes) else str(value).encode(
                "utf-8", "surrogateescape")
            digest.update(b"%d:" % len(data) + data)

    part(VERSION, __version__, sys.executable, sys.version, registry.index_key, _own_files())
    part(json.dumps(dict(options), sort_keys=True, default=str), os.getcwd())
    named = _named(SHELL_OWN, [doc.text for doc in project.documents])
    for environ in (env, os.environ):
        kept = sorted((name, value) for name, value in environ.items()
                      if name not in SHELL_OWN or name in named)
        part(len(kept))
        for name, value in kept:
            part(name, value)
    part(len(project.documents))
    for doc in project.documents:
        part(doc.file, os.path.abspath(doc.file), os.path.realpath(doc.file), doc.text)
    for path in _schema_files(project):
        part(path, _bytes(path))
    return digest.hexdigest()


def _named(names: frozenset[str], texts: list[str]) -> set[str]:
    """Which of ``names`` one of ``texts`` holds as a word of its own (``${OLDPWD}``,
    ``env.get("OLDPWD")``): never dropped from the key for those flows."""
    return {name for name in names
            if any(name in text and re.search(
                rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", text) for text in texts)}


def cached(key: str) -> list[Diagnostic] | None:
    """The diagnostics of a passing check kept under ``key``, or None (check)."""
    try:
        data = json.loads(_path(key).read_text(encoding="utf-8"))
        if data["version"] != VERSION or data["key"] != key:
            return None
        found = [Diagnostic(**{**d, "path": tuple(d["path"])}) for d in data["diagnostics"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(d.severity == "error" for d in found):
        return None
    return found


def keep(key: str, diagnostics: list[Diagnostic]) -> None:
    """Keep the result of a check with no error under ``key`` (a check with an error is not
    kept); written to a file of its own and renamed into place, so that a reader sees a whole
    file or none."""
    if any(d.severity == "error" for d in diagnostics):
        return
    from flowrt.secrets.redact import redact

    data = {"version": VERSION, "key": key, "diagnostics": [
        {**d.to_dict(), "message": redact(d.message), "hint": redact(d.hint)}
        for d in diagnostics]}
    path = _path(key)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(temporary, path)
    except OSError as exc:
        log.debug("a check's result cannot be kept in %s: %s", path, exc)
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    _prune(path.parent)


def _path(key: str) -> Path:
    from flowrt.registry.index import cache_file

    return cache_file().parent / f"{PREFIX}{key[:40]}.json"


def _prune(folder: Path) -> None:
    """Remove the oldest results beyond :data:`KEEP`."""
    try:
        kept = sorted((entry.stat().st_mtime_ns, entry.path) for entry in os.scandir(folder)
                      if entry.name.startswith(PREFIX) and entry.name.endswith(".json"))
        for _, old in kept[:-KEEP]:
            os.unlink(old)
    except OSError as exc:
        log.debug("old check results cannot be removed from %s: %s", folder, exc)


def _own_files() -> str:
    """flowrt's module files (the checker's code), by path, size and modification time."""
    from flowrt.registry.index import module_files

    root = str(Path(__file__).resolve().parents[1])
    return hashlib.sha256("\n".join(f"{p}\0{s}\0{m}" for p, s, m in module_files(root))
                          .encode("utf-8", "surrogateescape")).hexdigest()


def _schema_files(project: Project) -> Iterator[str]:
    """The named schemas' files of the ``schemas/`` folders beside the flow files, as
    :mod:`flowrt.load.ontologies` reads them."""
    seen: set[str] = set()
    for doc in project.documents:
        folder = os.path.join(os.path.dirname(os.path.abspath(doc.file)), SCHEMAS_DIR)
        if folder in seen or not os.path.isdir(folder):
            continue
        seen.add(folder)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            yield folder  # unreadable: keyed by its name, and the check will say so
            continue
        yield from (os.path.join(folder, n) for n in names if n.endswith(SCHEMA_SUFFIXES))


def _bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as source:
            return source.read()
    except OSError as exc:
        return f"unreadable: {exc}".encode()
