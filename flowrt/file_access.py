"""Which files flows may read and write, and opening them without a way around the rule.

Nodes that open a path (file-in, file-out, validate's ``schema_file``) do it through the node
context, ``self.ctx.files`` (a :class:`FileAccess`), never with ``open()``. The operator sets
the rule for the whole process with ``--files DIR`` (repeatable) or ``FLOWRT_FILES`` (paths
separated by ``:``) on `flowrt run` and `flowrt serve`:

=========== ==============================================================================
allow       any file, except the ones below; with ``--files``, only under those directories
sandboxed   only under the ``--files`` directories (none given: no file at all)
deny        the same as sandboxed
=========== ==============================================================================

Under every policy, /proc, /sys and /dev are never opened (``/proc/self/environ`` holds the
environment flowrt was started with, secrets included), nor flowrt's secrets and users files
(:attr:`FileAccess.private`), under whatever name: a hard link to one is the same file, and is
refused by its identity (device and inode) before anything is written.

How a path is opened, so that neither ``..``, a symlink nor a symlink swapped in after the
check leads elsewhere: the name is resolved (``os.path.realpath``: symlinks followed, ``..``
removed) and the result checked against the rule; then it is opened from the directory that
allows it, one component at a time with ``O_NOFOLLOW`` (``openat``), so a component that became
a symlink since the check fails the open instead of being followed. The file opened must be a
regular file. An overwrite truncates only after those checks.
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

ENV_VAR = "FLOWRT_FILES"
NEVER = (Path("/proc"), Path("/sys"), Path("/dev"))
"""Directories no flow opens a file under, whatever the policy."""
HINT = f"the operator names the directories flows may use with --files DIR (or {ENV_VAR})"
Mode = Literal["r", "w", "a"]
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class FileRefused(PermissionError):
    """A flow asked for a file it may not use; the message says which and why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.strerror = self.text = text

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class FileAccess:
    """The files flows may use. ``confined``: only under ``roots`` (resolved directories);
    ``private``: files never opened (the secrets and users files)."""

    roots: tuple[Path, ...] = ()
    confined: bool = False
    private: tuple[Path, ...] = field(default=())

    @classmethod
    def for_policy(cls, policy: str, roots: Iterable[str | os.PathLike[str]] = (),
                   private: Iterable[str | os.PathLike[str] | None] = ()) -> FileAccess:
        """The rule of a ``--scripts`` policy and ``--files`` directories (see the module)."""
        resolved = tuple(dict.fromkeys(Path(os.path.realpath(r)) for r in roots))
        hidden = tuple(Path(os.path.realpath(p)) for p in private if p)
        return cls(resolved, policy != "allow" or bool(resolved), hidden)

    def describe(self) -> str:
        """The rule in words, for the start-up log."""
        if not self.confined:
            return "flows may use any file but /proc, /sys, /dev and flowrt's own files"
        if not self.roots:
            return f"flows may use no file ({HINT})"
        return "flows may use files under " + ", ".join(str(r) for r in self.roots)

    # checking -------------------------------------------------------------------------

    def resolve(self, name: str) -> tuple[Path, Path]:
        """The real path of ``name`` and the directory it is opened from; FileRefused when
        the rule forbids it."""
        if not isinstance(name, str) or not name or "\0" in name:
            raise FileRefused(f"{name!r} is not a file name")
        real = Path(os.path.realpath(os.path.abspath(name)))
        for never in NEVER:
            if real == never or never in real.parents:
                raise FileRefused(f"'{name}' is under {never}, which flows may never use")
        if real in self.private:
            raise FileRefused(f"'{name}' is one of flowrt's own files (secrets or users), "
                              "which flows may never use")
        if not self.confined:
            return real, Path(real.anchor)
        if not self.roots:
            raise FileRefused(f"flows may use no file here, so not '{name}': {HINT}")
        inside = [r for r in self.roots if real == r or r in real.parents]
        if not inside:
            shown = ", ".join(str(r) for r in self.roots)
            raise FileRefused(f"'{name}' is outside the directories flows may use ({shown}); "
                              + HINT)
        return real, min(inside, key=lambda r: len(r.parts))

    def _check_identity(self, name: str, info: os.stat_result) -> None:
        for private in self.private:
            try:
                known = os.stat(private)
            except OSError:
                continue
            if (known.st_dev, known.st_ino) == (info.st_dev, info.st_ino):
                raise FileRefused(f"'{name}' is one of flowrt's own files (secrets or users), "
                                  "which flows may never use")

    # opening --------------------------------------------------------------------------

    def _parent(self, name: str, make_dirs: bool) -> tuple[int, str]:
        """A descriptor of the directory holding ``name`` (walked without following a
        symlink) and the file's name in it."""
        real, start = self.resolve(name)
        if real == start:
            raise IsADirectoryError(21, "it is a directory", name)
        parts = real.relative_to(start).parts
        fd = os.open(start, _DIR_FLAGS & ~os.O_NOFOLLOW)
        try:
            for part in parts[:-1]:
                if make_dirs:
                    try:
                        os.mkdir(part, 0o777, dir_fd=fd)
                    except FileExistsError:
                        pass
                try:
                    inner = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    if _is_link(part, fd):
                        raise FileRefused(f"'{name}' changed while it was opened (a "
                                          "directory became a symlink)") from exc
                    raise
                os.close(fd)
                fd = inner
        except BaseException:
            os.close(fd)
            raise
        return fd, parts[-1]

    def open(self, name: str, mode: Mode = "r", *, make_dirs: bool = False) -> BinaryIO:
        """The file ``name`` opened in binary for reading (``r``), replacing (``w``) or adding
        to its end (``a``); FileRefused when the rule forbids it, OSError as ``open`` raises.
        A file opened to write is held under an exclusive ``flock`` until closed, so the
        workers of ``flowrt run --workers`` writing one file take turns."""
        parent, leaf = self._parent(name, make_dirs and mode != "r")
        flags = os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NOCTTY | os.O_NONBLOCK
        flags |= os.O_RDONLY if mode == "r" else os.O_WRONLY | os.O_CREAT
        if mode == "a":
            flags |= os.O_APPEND
        try:
            try:
                fd = os.open(leaf, flags, 0o666, dir_fd=parent)
            except OSError as exc:
                if _is_link(leaf, parent):
                    raise FileRefused(f"'{name}' became a symlink while it was opened") from exc
                raise
        finally:
            os.close(parent)
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(21, "it is a directory", name)
            if not stat.S_ISREG(info.st_mode):
                raise FileRefused(f"'{name}' is not a regular file")
            self._check_identity(name, info)
            os.set_blocking(fd, True)
            if mode != "r":  # workers of one host writing one file take turns (until close)
                fcntl.flock(fd, fcntl.LOCK_EX)
            if mode == "w":
                os.ftruncate(fd, 0)
            return os.fdopen(fd, "rb" if mode == "r" else "ab" if mode == "a" else "wb")
        except BaseException:
            os.close(fd)
            raise

    def read_bytes(self, name: str) -> bytes:
        with self.open(name, "r") as handle:
            return handle.read()

    def remove(self, name: str) -> None:
        """Delete the file ``name`` (a symlink itself, never what it points to)."""
        parent, leaf = self._parent(name, False)
        try:
            info = os.stat(leaf, dir_fd=parent, follow_symlinks=False)
            self._check_identity(name, info)
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(21, "it is a directory", name)
            os.unlink(leaf, dir_fd=parent)
        finally:
            os.close(parent)


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


_current = FileAccess()


def configure(access: FileAccess) -> None:
    """Set the rule of this process (`flowrt run` and `flowrt serve` do, from their options)."""
    global _current
    _current = access


def current() -> FileAccess:
    """The rule of this process."""
    return _current
