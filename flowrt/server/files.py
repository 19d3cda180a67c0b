"""The flows directory as the API sees it: names relative to it, revisions, and no way out.

A name is refused (:class:`BadName`, 400) when it is empty, over 512 characters or has a part
over ``MAX_PART`` bytes, holds a control character (NUL, a newline...) or a backslash, is
absolute, has a ``..`` or hidden part (``.flowrt/`` holds the server's own data), is not a
``.yaml``/``.yml``/``.json`` file, resolves outside the directory (a symlink pointing out), names
a directory or goes through a file. Writing a new file whose name differs only in case from one
that exists is refused too: on a case-insensitive file system (a checkout on macOS or Windows)
the two would be one file.

A revision is the hash of the file's text, so a writer that read an older text gets
:class:`Stale` (409) instead of overwriting someone's change. A write goes to a temporary file
beside the target, given the target's mode (a new file gets the usual 666 less the umask), then
replaces it atomically; the temporary file is removed whatever happens.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import time
from pathlib import Path, PurePosixPath

from flowrt.diagnostics import diagnostic
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


MAX_NAME = 512
MAX_PART = 200
"""Bytes in one part of a name: file systems allow 255, and the temporary file of a write needs
room for its prefix and suffix."""


def revision_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


class FlowFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, name: str) -> Path:
        """The file for an API name, or BadName."""
        if not name or "\\" in name or len(name) > MAX_NAME:
            raise BadName("a flow file name is a relative path like 'alerts.yaml', at most "
                          f"{MAX_NAME} characters")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
            raise BadName("a flow file name may not hold control characters (NUL, newlines...)")
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise BadName("a flow file name must be valid Unicode text") from None
        pure = PurePosixPath(name)
        if pure.is_absolute() or name.startswith("~"):
            raise BadName(f"'{name}' is absolute; give a path relative to the flows directory")
        if any(part in ("..", ".") or part.startswith(".") for part in pure.parts):
            raise BadName(f"'{name}' may not contain '..' or hidden parts")
        if any(len(part.encode("utf-8")) > MAX_PART for part in pure.parts):
            raise BadName(f"a part of '{name[:60]}...' is over {MAX_PART} bytes; use shorter "
                          "names")
        if not name.endswith(FLOW_SUFFIXES) or name.endswith(TEST_SUFFIXES):
            raise BadName(f"'{name}' is not a flow file (*.yaml, *.yml or *.json)")
        try:
            return self._resolve(name, pure)
        except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symlinks
            raise BadName(f"'{name}' cannot be used: {getattr(exc, 'strerror', None) or exc}"
                          ) from exc

    def _resolve(self, name: str, pure: PurePosixPath) -> Path:
        resolved = (self.root / pure).resolve()
        if not resolved.is_relative_to(self.root):
            raise BadName(f"'{name}' leads outside the flows directory")
        for parent in resolved.relative_to(self.root).parents:
            if (self.root / parent).exists() and not (self.root / parent).is_dir():
                raise BadName(f"'{name}' goes through '{parent.as_posix()}', which is a file")
        if resolved.is_dir():
            raise BadName(f"'{name}' is a directory, not a flow file")
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
        # errors="replace": a file that is not UTF-8 is shown (and replaced) rather than a 500
        return path.read_text(encoding="utf-8", errors="replace")

    def revision(self, name: str) -> str | None:
        text = self.read(name)
        return None if text is None else revision_of(text)

    def write(self, name: str, text: str, expected: str | None) -> str:
        """Write ``text`` if the file is still at revision ``expected`` (None: it must not
        exist); returns the new revision. The file keeps its mode; the write is atomic."""
        path = self.path(name)
        current = self.revision(name)
        if current != expected:
            raise Stale(current)
        if current is None:
            self._refuse_case_twin(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        before = path.stat() if current is not None else None
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                     0o600 if before is not None else 0o666)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                if before is not None:
                    _same_owner_and_mode(out.fileno(), before)
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        return revision_of(text)

    def _refuse_case_twin(self, path: Path) -> None:
        """BadName when a file whose name differs from ``path``'s only in case exists."""
        if not path.parent.is_dir():
            return
        folded = path.name.casefold()
        with os.scandir(path.parent) as entries:
            twin = next((e.path for e in entries
                         if e.name != path.name and e.name.casefold() == folded), None)
        if twin is not None:
            raise BadName(f"'{self.name(path)}' differs only in case from "
                          f"'{self.name(Path(twin))}', which exists: use that name")

    def delete(self, name: str, expected: str | None) -> None:
        path = self.path(name)
        current = self.revision(name)
        if current is None:
            raise FileNotFoundError(name)
        if current != expected:
            raise Stale(current)
        path.unlink()

    def replace_all(self, snapshot: dict[str, str]) -> None:
        """Make the directory's flow files exactly ``snapshot`` (name -> text; a revision):
        every name is checked first, so a snapshot with one bad name (``../x``) writes
        nothing (BadName); then the files not in it are removed and the others written
        (several processes of one directory may write the same snapshot at once); the
        temporary files of writes cut by a kill long ago are removed."""
        for name in snapshot:
            self.path(name)
        for name in self.names():
            if name not in snapshot:
                self.path(name).unlink(missing_ok=True)
        for name, text in snapshot.items():
            current = self.revision(name)
            if current == revision_of(text):
                continue
            try:
                self.write(name, text, current)
            except Stale as exc:  # another process writing the same revision (--workers)
                if exc.current != revision_of(text):
                    raise
        for name in snapshot:
            _remove_stale_temporaries(self.path(name))

    def snapshot(self) -> dict[str, str]:
        """Every flow file's text, by name (what a revision stores)."""
        out = {}
        for name in self.names():
            text = self.read(name)
            if text is not None:
                out[name] = text
        return out


STALE_TEMPORARY = 600.0
"""Seconds after which a write's temporary file is taken as left by a process killed while it
wrote (a write of a flow file takes well under a second)."""


def _remove_stale_temporaries(path: Path) -> None:
    """Remove the temporary files of writes of ``path`` cut by a kill (-9) long ago."""
    prefix, now = f".{path.name}.", time.time()
    with os.scandir(path.parent) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            if len(name) - len(prefix) != 16 or not all(
                    c in "0123456789abcdef" for c in name[len(prefix):-4]):
                continue  # not the name write() gives (12 hex digits)
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMPORARY:
                Path(entry.path).unlink(missing_ok=True)


def _same_owner_and_mode(fd: int, before: os.stat_result) -> None:
    """Give the new file the mode of the one it replaces, and its owner when we may (root)."""
    if (before.st_uid, before.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, before.st_uid, before.st_gid)
        except PermissionError:
            pass
    os.fchmod(fd, stat.S_IMODE(before.st_mode))
