"""The JavaScript worker process of one function node (started by :mod:`.js_process`).

The server starts one per function node (:mod:`.js_process`) and talks to it over its standard
input and output in frames: one type byte, a 4-byte big-endian length, then that many bytes of
UTF-8 text. The server sends:

====  ==============================================================================
O     open: JSON settings (id, name, outputs, code, timeout, memory_limit, env as JSON text)
C     a message: the message's JSON, a NUL, the context preload (JSON) or nothing
I     On Start: the preload          T  a timer: its id, a NUL, the preload
S     On Stop: the preload           A  the answer to a G or K frame (JSON text)
====  ==============================================================================

and the worker answers each with exactly one of ``D`` (opened), ``R`` (the entry's JSON reply,
see :meth:`.js_engine.JsEngine.enter`) or ``F`` (``[kind, text, renewed]``: QuickJS stopped the
entry). Without a timeout it may first ask for context with ``G`` (``[scope, key]``) or ``K``
(``scope``) frames, each answered by an ``A`` frame. The server writes requests ahead of the
replies (see :mod:`.js_process`), so frames that come before the answer are kept, in order,
for after it.

The process lowers its own address-space limit before it runs any JavaScript and dies with
the server (``PR_SET_PDEATHSIG``), so neither a leak of QuickJS nor a lost server leaves
anything behind. It exits at the end of its input.

Replies to requests written ahead go out a few together: one ``write`` past
:data:`REPLY_BYTES` (about ten small replies) or :data:`REPLY_DELAY`, and once the requests read
so far are answered (before the worker waits for more), rather than one a reply (a system call,
and a wake-up of the server, a message). Larger batches kept the server waiting for replies it
could have been working on: on a quiet machine, chain5's wall time a message with the worker
was about 14 us with one write a reply or 1 KB, 18 to 19 us with 64 KB.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import sys
import time
from collections import deque

from .js_engine import EngineFailure, JsEngine

HEADER = struct.Struct(">cI")
BASE_BYTES = 512 * 1024 * 1024
"""Address space the worker may use besides the JavaScript heap: the interpreter, QuickJS's
own tables, a message in transit three times over (text, Python string, JavaScript value)."""
REPLY_BYTES = 1024
"""Bytes of replies kept before they are written, though more requests are waiting."""
REPLY_DELAY = 0.002
"""Seconds the first reply kept may wait for the others (the server's deadline for a request
runs from the reply before it)."""


class Channel:
    """Frames over two file descriptors (blocking)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self._buffer = bytearray()
        self._early: deque[tuple[bytes, str]] = deque()
        self._out = bytearray()
        self._out_since = 0.0

    def _fill(self, size: int) -> None:
        """Read until the buffer holds ``size`` bytes (one read for a small frame); the
        replies kept go out before the worker waits."""
        if len(self._buffer) < size and self._out:
            self.flush()
        while len(self._buffer) < size:
            chunk = os.read(self.read_fd, max(size - len(self._buffer), 1 << 16))
            if not chunk:
                raise EOFError
            self._buffer += chunk

    def receive(self) -> tuple[bytes, str]:
        if self._early:
            return self._early.popleft()
        return self._next()

    def answer(self) -> str:
        """The next ``A`` frame; the frames before it are kept for :meth:`receive`."""
        while True:
            kind, text = self._next()
            if kind == b"A":
                return text
            self._early.append((kind, text))

    def _next(self) -> tuple[bytes, str]:
        self._fill(HEADER.size)
        kind, size = HEADER.unpack_from(self._buffer)
        end = HEADER.size + size
        self._fill(end)
        text = self._buffer[HEADER.size:end].decode("utf-8")
        del self._buffer[:end]
        return kind, text

    def send(self, kind: bytes, text: str) -> None:
        """Write a frame; while requests read are still to be answered, replies are kept and
        go out with the next (see the module docs)."""
        data = text.encode("utf-8")
        out = self._out
        if not out:
            self._out_since = time.monotonic()
        out += HEADER.pack(kind, len(data))
        out += data
        if (kind != b"R" or len(out) >= REPLY_BYTES or not self._pending()
                or time.monotonic() - self._out_since >= REPLY_DELAY):
            self.flush()

    def _pending(self) -> bool:
        """True if a whole frame has been read and not yet received."""
        if self._early:
            return True
        buffer = self._buffer
        if len(buffer) < HEADER.size:
            return False
        size: int = HEADER.unpack_from(buffer)[1]
        return len(buffer) >= HEADER.size + size

    def flush(self) -> None:
        view = memoryview(self._out)
        while view:
            view = view[os.write(self.write_fd, view):]
        view.release()
        self._out.clear()


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the server goes (no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        sys.exit(0)


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource

        limit = BASE_BYTES + 2 * memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def serve(channel: Channel) -> None:
    """Answer frames until the input ends."""
    kind, text = channel.receive()
    if kind != b"O":
        raise SystemExit(f"expected an open frame, got {kind!r}")
    settings = json.loads(text)
    _limit_memory(int(settings["memory_limit"]))

    def ask(frame: bytes, question: str) -> str:
        channel.send(frame, question)
        return channel.answer()

    engine = JsEngine(
        settings,
        get=lambda scope, key: ask(b"G", json.dumps([scope, key])),
        keys=lambda scope: ask(b"K", str(scope)),
    )
    channel.send(b"D", "")
    while True:
        kind, text = channel.receive()
        try:
            if kind == b"C":
                msg, _, preload = text.partition("\0")
                reply = engine.enter("call", msg, preload or None)
            elif kind == b"T":
                timer, _, preload = text.partition("\0")
                reply = engine.enter("fire", int(timer), preload or None)
            elif kind == b"I":
                reply = engine.enter("init", text or None)
            elif kind == b"S":
                reply = engine.enter("fin", text or None)
            else:
                raise SystemExit(f"unexpected frame {kind!r}")
        except EngineFailure as failure:
            channel.send(b"F", json.dumps(failure.as_list()))
            continue
        except (TypeError, ValueError) as exc:  # a value the binding cannot carry
            channel.send(b"F", json.dumps(["error", f"{type(exc).__name__}: {exc}", False]))
            continue
        channel.send(b"R", reply)


def main() -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops it (end of input or kill)
    read_fd, write_fd = os.dup(0), os.dup(1)
    os.dup2(2, 1)  # anything printed goes to the server's log, never into a frame
    try:
        serve(Channel(read_fd, write_fd))
    except EOFError:
        pass


if __name__ == "__main__":
    main()
