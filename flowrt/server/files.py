"""The flows directory as the API sees it: names relative to it, revisions, and no way out.

A name is refused (:class:`BadName`, 400) when it is empty, absolute, has a ``..`` or hidden part
(``.flowrt/`` holds the server's own data), is not a ``.yaml``/``.yml``/``.json`` file, or resolves
outside the directory (a symlink pointing out). A revision is the hash of the file's text, so a
writer that read an older text gets :class:`Stale` (409) instead of overwriting someone's change.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath

from flowrt.codes import diagnostic
from flowrt.errors import LoadError
from flowrt.load import Document, load_text
from flowrt.load.project import FLOW_SUFFIXES, TEST_SUFFIXES, find_flow_files


class BadName(ValueError):
    """A flow file name the API refuses."""


class Stale(Exception):
    """The file changed since the revision the client read."""

    def __init__(self, current: str | None) -> None:
        super().__init__("the file changed since you read it")
        self.current = current


def load_flow_text(text: str, file: str) -> Document:
    """``load_text`` for text from a client: an empty document (no text, only comments, or
    ``null``) is a LoadError E006, as an empty file is for `flowrt validate`."""
    try:
        return load_text(text, file)
    except TypeError as exc:  # load_text has no check for a document that is null
        raise LoadError([diagnostic(
            "E006", "file is empty", "a flow file starts with 'flowrt: 1' and 'nodes:'",
            file=file, line=1, column=1)]) from exc


def revision_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


class FlowFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, name: str) -> Path:
        """The file for an API name, or BadName."""
        if not name or "\x00" in name or "\\" in name or len(name) > 512:
            raise BadName("a flow file name is a relative path like 'alerts.yaml'")
        pure = PurePosixPath(name)
        if pure.is_absolute() or name.startswith("~"):
            raise BadName(f"'{name}' is absolute; give a path relative to the flows directory")
        if any(part in ("..", ".") or part.startswith(".") for part in pure.parts):
            raise BadName(f"'{name}' may not contain '..' or hidden parts")
        if not name.endswith(FLOW_SUFFIXES) or name.endswith(TEST_SUFFIXES):
            raise BadName(f"'{name}' is not a flow file (*.yaml, *.yml or *.json)")
        resolved = (self.root / pure).resolve()
        if not resolved.is_relative_to(self.root):
            raise BadName(f"'{name}' leads outside the flows directory")
        return resolved

    def name(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        files, _ = find_flow_files([self.root])
        out = []
        for f in files:
            try:
                out.append(self.name(f))
            except ValueError:  # a symlink out of the directory: not ours to show
                continue
        return sorted(out)

    def read(self, name: str) -> str | None:
        path = self.path(name)
        if not path.is_file():
            return None
        return path.read_text(encoding="utf-8")

    def revision(self, name: str) -> str | None:
        text = self.read(name)
        return None if text is None else revision_of(text)

    def write(self, name: str, text: str, expected: str | None) -> str:
        """Write ``text`` if the file is still at revision ``expected`` (None: it must not
        exist); returns the new revision."""
        path = self.path(name)
        current = self.revision(name)
        if current != expected:
            raise Stale(current)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
        return revision_of(text)

    def delete(self, name: str, expected: str | None) -> None:
        path = self.path(name)
        current = self.revision(name)
        if current is None:
            raise FileNotFoundError(name)
        if current != expected:
            raise Stale(current)
        path.unlink()

    def snapshot(self) -> dict[str, str]:
        """Every flow file's text, by name (what a revision stores)."""
        out = {}
        for name in self.names():
            text = self.read(name)
            if text is not None:
                out[name] = text
        return out
