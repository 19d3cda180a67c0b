"""The file of one source's journal: SQLite in WAL mode, and where it lives.

One file per flow project and source: ``STATE_DIR/journal/FLOW.NODE.sqlite3``, locked (``flock``
on ``.lock`` beside it) by the process that uses it, so two processes never replay the same
rows. A process that finds it locked (another worker of ``flowrt run --workers``, or a second
``flowrt run`` of the same files) takes the next free one, ``FLOW.NODE.1.sqlite3`` and so on:
each process replays the rows of the file it took, whatever its name or process id.
``STATE_DIR`` is ``--state-dir`` (or ``FLOWRT_STATE_DIR``) when given, else ``.flowrt`` in the
directory of the source's flow file (`flowrt serve`: of its flows directory, beside its
revisions).

Durability: ``journal_mode=WAL`` with ``synchronous=FULL``. A commit returns once its WAL
frames were written and the WAL ``fsync``-ed, so a committed message survives a crash of the
process (kill -9) and, as far as the disk honours ``fsync``, a power cut. A source acknowledges
a message to its broker only after that commit; ``synchronous=NORMAL`` would survive a crash of
the process but not a power cut, and with group commits the ``fsync`` costs about 0.2 ms per
commit here, not per message (benchmarks/bench_journal.py).

Every method but :func:`journal_path` blocks: the journal calls them on its own thread.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring_ascii,
)
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from flowrt.errors import ConfigError
from flowrt.types import Message

BYTES_KEY = "\u0000bytes"
"""A ``bytes`` value in a message is stored as ``{BYTES_KEY: base64}`` (JSON has no bytes)."""


@dataclass(frozen=True)
class JournalSettings:
    state_dir: Path | None = None
    """Where journals live (``--state-dir``); None: ``.flowrt`` beside each flow file."""
    max_messages: int = 250_000
    """The most messages one journal holds; when full, its source stops reading ahead."""
    max_bytes: int = 1 << 30
    """The most bytes of messages one journal holds."""


_settings = JournalSettings()


def configure(settings: JournalSettings) -> None:
    """Set, for this process, where journals live and how much each may hold (the CLI)."""
    global _settings
    _settings = settings


def settings() -> JournalSettings:
    return _settings


SLOTS = 64
"""Journal files one source may have (one per process running it at once)."""


def journal_path(flow_file: str, flow: str, node: str) -> Path | None:
    """The first journal file of a source (see :class:`JournalFile` for the others), or None
    when there is nowhere to keep it (no ``--state-dir`` and no flow file on disk: a flow given
    as text)."""
    state = _settings.state_dir
    if state is None:
        if not flow_file or not Path(flow_file).is_file():
            return None
        state = Path(flow_file).resolve().parent / ".flowrt"
    return state / "journal" / f"{_name(flow)}.{_name(node)}.sqlite3"


def _name(ident: str) -> str:
    """An id as part of a file name: no ``/`` and no ``.`` (which separates the parts)."""
    return quote(ident, safe="-_").replace(".", "%2E")


def orphans(path: Path, flow: str, nodes: set[str]) -> list[tuple[Path, str, int]]:
    """Journal files beside ``path`` of flow ``flow`` whose node is none of ``nodes`` (renamed
    or removed) and that still hold rows: (file, node id, rows). Their rows are fed to no one."""
    found = []
    for other in sorted(path.parent.glob(f"{_name(flow)}.*.sqlite3")):
        parts = other.name[: -len(".sqlite3")].split(".")
        node = unquote(parts[1]) if len(parts) in (2, 3) else ""
        if not node or node in nodes:
            continue
        try:
            with contextlib.closing(sqlite3.connect(other)) as db:
                rows = int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
        except sqlite3.Error:
            continue
        if rows:
            found.append((other, node, rows))
    return found


def encode(msg: Message) -> bytes:
    """The stored form of a message: JSON, with bytes in base64. Raises TypeError or
    ValueError for a message holding anything else, RecursionError for one that holds itself
    (it is then not journaled)."""
    return "".join(_encode_one(msg, 0)).encode()


def decode(body: bytes) -> Message:
    """A message from its stored form. Only a body that holds a ``BYTES_KEY`` (as JSON writes
    it) is read with the hook that turns those back into bytes: the hook is a Python call for
    every object of the message, and most messages hold no bytes. Raises ValueError."""
    text = body.decode()
    msg: Message = (_WITH_BYTES if _BYTES_MARK in body else _PLAIN).decode(text)
    return msg


def _bytes_out(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {BYTES_KEY: base64.b64encode(bytes(value)).decode()}
    raise TypeError(f"a {type(value).__name__} value cannot be journaled")


def _bytes_in(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and BYTES_KEY in obj:
        return base64.b64decode(obj[BYTES_KEY])
    return obj


# Made once: json.dumps and json.loads make a new encoder or decoder for every call given
# options. The stored form is json.dumps(msg, separators=(",", ":"), default=_bytes_out), as
# it always was, so rows an earlier version wrote read the same.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_bytes_out, check_circular=False)
_encode_one: Callable[[Any, int], Iterable[str]] = (
    c_make_encoder(None, _bytes_out, encode_basestring_ascii, None, ":", ",", False, False, True)
    if c_make_encoder is not None else lambda msg, _: _ENCODER.iterencode(msg)
)
"""``_ENCODER``'s C encoder, made once: ``JSONEncoder.encode`` makes a new one (and a closure)
for every call, 0.8 of the 1.9 µs a message's encoding took (benchmarks/README.md). Without
the check for circular references (its ``markers``): a message that holds itself fails with
RecursionError once the C encoder is as deep as the recursion limit, instead of ValueError."""
_PLAIN = json.JSONDecoder()
_WITH_BYTES = json.JSONDecoder(object_hook=_bytes_in)
_BYTES_MARK = json.dumps(BYTES_KEY)[1:-1].encode()
"""``BYTES_KEY`` as it is in a body (JSON escapes its NUL)."""


class JournalFile:
    """The rows of one journal: ``messages(id, body)``, ids given by the journal in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        """The file, once open: ``path`` as given, or the first free one after it."""
        self._db: sqlite3.Connection | None = None
        self._lock: int | None = None

    def open(self) -> tuple[int, int, int]:
        """Lock and open the first free file (made if need be); returns (rows, bytes,
        highest id). Raises ConfigError naming the file and what to do."""
        first = self.path
        for slot in range(SLOTS):
            path = first if not slot else first.with_suffix(f".{slot}.sqlite3")
            if self._take(path):
                self.path = path
                break
        else:
            raise ConfigError(f"the {SLOTS} journals {first.with_suffix('.*.sqlite3')} are all "
                              "in use by other flowrt processes; give this one its own "
                              "--state-dir")
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("CREATE TABLE IF NOT EXISTS messages "
                       "(id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            rows, size, last = db.execute(
                "SELECT count(*), coalesce(sum(length(body)), 0), coalesce(max(id), 0) "
                "FROM messages").fetchone()
        except sqlite3.Error as exc:
            self.close()
            raise ConfigError(f"cannot open the journal {self.path}: {exc}") from exc
        self._db = db
        return int(rows), int(size), int(last)

    def _take(self, path: Path) -> bool:
        """Make and lock ``path``; False when another process holds it."""
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):  # messages are private: owner only
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            lock = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ConfigError(
                f"cannot make the journal {path}: {exc.strerror or exc}; give a writable "
                "directory with --state-dir (or FLOWRT_STATE_DIR)"
            ) from exc
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock)
            return False
        self._lock = lock
        return True

    def ids(self) -> list[int]:
        """Every row's id, in order (the rows an earlier run left, to replay)."""
        assert self._db is not None
        return [r[0] for r in self._db.execute("SELECT id FROM messages ORDER BY id")]

    def commit(self, rows: list[tuple[int, bytes]], done: list[int]) -> None:
        """Add ``rows`` and delete the ids ``done``, in one transaction. Raises sqlite3.Error
        (a full disk: ``database or disk is full``) with nothing changed."""
        db = self._db
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        try:
            if rows:
                db.executemany("INSERT INTO messages (id, body) VALUES (?, ?)", rows)
            if done:
                db.executemany("DELETE FROM messages WHERE id BETWEEN ? AND ?", _ranges(done))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def load(self, ids: list[int]) -> dict[int, bytes]:
        """The bodies of these rows (those still there)."""
        assert self._db is not None
        marks = ",".join("?" * len(ids))
        query = f"SELECT id, body FROM messages WHERE id IN ({marks})"  # noqa: S608 - marks only
        return {int(i): bytes(b) for i, b in self._db.execute(query, ids)}

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock is not None:
            os.close(self._lock)  # releases the flock
            self._lock = None


def _ranges(ids: list[int]) -> list[tuple[int, int]]:
    """``ids`` as ranges of consecutive ids, (first, last): the flow finishes rows mostly in
    order, so a commit deletes a few ranges, not a row at a time (0.94 against 1.46 µs of
    CPU a row, 500 rows a commit)."""
    out: list[tuple[int, int]] = []
    ordered = sorted(ids)
    first = last = ordered[0]
    for i in ordered:
        if i > last + 1:
            out.append((first, last))
            first = i
        last = i
    out.append((first, last))
    return out
