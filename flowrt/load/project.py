"""Load flow files and directories of flow files into a Project.

A directory of flow files is one project: node ids, subflows, link targets and connections may be
used across its files. In a directory every ``*.yaml``, ``*.yml`` and ``*.json`` file is a flow file
(hidden entries, ``node_modules``, ``*.test.yaml`` test files and the plain secrets file,
``secrets.yaml``, that `flowrt import nodered` writes beside its flows and ``--secrets`` reads, and
the named schemas of a ``schemas/`` folder, ``*.schema.json``, are skipped), so a file that is
not a valid flow is reported rather than ignored.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.errors import LoadError
from flowrt.load.document import Document
from flowrt.load.ontologies import SCHEMA_SUFFIXES
from flowrt.load.view import build_document
from flowrt.load.yaml_io import MAX_BYTES, parse, read_text

FLOW_SUFFIXES = (".yaml", ".yml", ".json")
TEST_SUFFIXES = (".test.yaml", ".test.yml", ".test.json")
"""Flow test files (``flowrt test``) live beside flows; a directory's flows leave them out."""
SKIP_DIRS = {"node_modules", "__pycache__"}
SECRETS_FILES = ("secrets.yaml", "secrets.yml")
"""Names of secrets files (``--secrets``), which a directory's flows leave out."""


@dataclass
class Project:
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Problems found while reading files (the files concerned are not in ``documents``)."""
    unreadable: bool = False
    """True when a path could not be read at all (exit status 2 in the CLI)."""


def display_path(path: Path) -> str:
    """A path as people will want to see it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def load(path: str | Path, max_bytes: int = MAX_BYTES) -> Document:
    """Load one flow file. Raises LoadError with a diagnostic if it cannot be read or parsed."""
    p = Path(path)
    file = display_path(p)
    text = read_text(p, file, max_bytes)
    return build_document(file, text, parse(text, file))


def load_text(text: str, file: str = "<flow>.yaml") -> Document:
    """Load a flow from text (for the editor, the API and tests)."""
    return build_document(file, text, parse(text, file))


def find_flow_files(paths: Iterable[str | Path],
                    tests: bool = False) -> tuple[list[Path], list[Diagnostic]]:
    """The flow files of ``paths``: those named, and those found in directories (without
    ``*.test.yaml`` unless ``tests``, as `flowrt fmt` formats both)."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                Path(root) / name
                for root, dirs, names in os.walk(p)
                for name in names
                if name.endswith(FLOW_SUFFIXES) and (tests or not name.endswith(TEST_SUFFIXES))
                and not name.startswith(".") and name not in SECRETS_FILES
                and not name.endswith(SCHEMA_SUFFIXES)
                if not _prune(dirs)
            )
            if not found:
                problems.append(
                    diagnostic(
                        "E012",
                        "directory holds no flow files (*.yaml, *.yml, *.json)",
                        "pass a flow file or a directory that contains some",
                        file=display_path(p),
                    )
                )
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            problems.append(
                diagnostic("E003", "no such file or directory", "check the path", file=str(raw))
            )
    return files, problems


def _prune(dirs: list[str]) -> bool:
    dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
    return False


def load_project(paths: Iterable[str | Path], max_bytes: int = MAX_BYTES) -> Project:
    files, problems = find_flow_files(paths)
    project = Project(diagnostics=problems, unreadable=bool(problems))
    seen: set[Path] = set()
    for f in files:
        resolved = f.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        try:
            project.documents.append(load(f, max_bytes))
        except LoadError as exc:
            project.diagnostics.extend(exc.diagnostics)
            if any(d.code == "E003" for d in exc.diagnostics):
                project.unreadable = True
    return project
