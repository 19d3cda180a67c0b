"""Flow files as the API shows them, parsed off the event loop and kept while unchanged.

Parsing a flow file with positions (ruamel round-trip) costs about 10 µs per byte: seconds for
a 10,000-node flow. So ``GET /api/flows`` and ``GET /api/flows/{file}`` never parse on the
event loop: :class:`FlowCache` reads and parses in its own small pool of threads (two, so
parsing cannot take every thread of the default pool that deploys and revisions use), and
keeps the answer under the file's identity as ``stat`` gives it (device, inode, size, mtime and
ctime in nanoseconds). Any write (the API's own atomic replace, an editor, ``git checkout``)
changes that identity, so a changed file is parsed again; an unchanged one costs a ``stat``.
Requests for a file being parsed wait for that one parse instead of starting their own.
The kept answers are bounded in bytes (least recently used first out).
"""

from __future__ import annotations

import asyncio
import json
import stat
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowrt.errors import LoadError
from flowrt.load.yaml_io import to_plain
from flowrt.server.files import BadName, FlowFiles, load_flow_text, revision_of

PARSERS = 2
MAX_BYTES = 64 * 1024 * 1024

Identity = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class Parsed:
    """One flow file as the API shows it."""

    summary: dict[str, Any]
    """Its entry in the listing: file, id, label, revision, nodes (how many), ids and
    connection_ids (the editor keeps new ids unique across the project), and error if it has
    one."""
    body: bytes
    """The JSON of ``GET /api/flows/{file}``: file, text, document, revision, diagnostics."""


def identity(path: Path) -> Identity | None:
    """What changes whenever the file's content may have changed; None: not a regular file."""
    try:
        st = path.stat()
    except OSError:  # gone, or not ours to read
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def parse_file(name: str, path: Path) -> Parsed | None:
    """Read and parse one flow file (in a worker thread); None when it is gone."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        text, problem = "", f"{name}: cannot be read: {exc}"
        failed: dict[str, Any] = {"file": name, "id": None, "label": None,
                                   "revision": revision_of(text), "nodes": 0, "error": problem}
        body = {"file": name, "text": text, "document": None, "revision": revision_of(text),
                "diagnostics": [{"code": "E003", "severity": "error", "message": problem}]}
        return Parsed(failed, json.dumps(body).encode())
    revision = revision_of(text)
    summary: dict[str, Any] = {"file": name, "id": None, "label": None, "revision": revision,
                               "nodes": 0}
    document: Any = None
    diagnostics: list[dict[str, Any]] = []
    try:
        doc = load_flow_text(text, name)
    except LoadError as exc:
        diagnostics = [d.to_dict() for d in exc.diagnostics]
        summary["error"] = str(exc.diagnostics[0]) if exc.diagnostics else "cannot be read"
    else:
        document = to_plain(doc.data)
        summary.update(id=doc.id, label=doc.label, nodes=len(doc.nodes),
                       ids=list(doc.nodes), connection_ids=list(doc.connections))
    body = {"file": name, "text": text, "document": document, "revision": revision,
            "diagnostics": diagnostics}
    return Parsed(summary, json.dumps(body, ensure_ascii=False).encode("utf-8"))


class FlowCache:
    """Parsed flow files by name, valid while the file's identity is unchanged."""

    def __init__(self, files: FlowFiles, max_bytes: int = MAX_BYTES,
                 parsers: int = PARSERS) -> None:
        self.files = files
        self.max_bytes = max_bytes
        self._pool = ThreadPoolExecutor(parsers, thread_name_prefix="flowrt-parse")
        self._kept: OrderedDict[str, tuple[Identity, Parsed]] = OrderedDict()
        self._bytes = 0
        self._parsing: dict[tuple[str, Identity], asyncio.Future[Parsed | None]] = {}

    async def get(self, name: str) -> Parsed | None:
        """The file ``name`` parsed (None: no such file). Raises BadName for a refused name."""
        path = self.files.path(name)
        loop = asyncio.get_running_loop()
        ident = identity(path)  # a stat: microseconds, and never queued behind a long parse
        if ident is None:
            return None
        kept = self._kept.get(name)
        if kept is not None and kept[0] == ident:
            self._kept.move_to_end(name)
            return kept[1]
        pending = self._parsing.get((name, ident))
        if pending is None:
            pending = loop.run_in_executor(self._pool, parse_file, name, path)
            self._parsing[(name, ident)] = pending
            pending.add_done_callback(lambda done: self._settle(name, ident, done))
        # shielded: a client that goes away does not cancel the parse others wait for
        return await asyncio.shield(pending)

    async def listing(self) -> list[dict[str, Any]]:
        """Every flow file's summary, sorted by name (files with names the API refuses, made
        outside it, are left out as they cannot be opened through it either)."""
        names = await asyncio.to_thread(self.files.names)
        found = await asyncio.gather(*(self._summary(name) for name in names))
        return [summary for summary in found if summary is not None]

    async def _summary(self, name: str) -> dict[str, Any] | None:
        try:
            parsed = await self.get(name)
        except BadName:
            return None
        return None if parsed is None else parsed.summary

    def _settle(self, name: str, ident: Identity, done: asyncio.Future[Parsed | None]) -> None:
        self._parsing.pop((name, ident), None)
        if not done.cancelled() and done.exception() is None:
            parsed = done.result()
            if parsed is not None:
                self._keep(name, ident, parsed)

    def _keep(self, name: str, ident: Identity, parsed: Parsed) -> None:
        old = self._kept.pop(name, None)
        if old is not None:
            self._bytes -= len(old[1].body)
        if len(parsed.body) > self.max_bytes:
            return
        self._kept[name] = (ident, parsed)
        self._bytes += len(parsed.body)
        while self._bytes > self.max_bytes:
            _, (_, dropped) = self._kept.popitem(last=False)
            self._bytes -= len(dropped.body)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
