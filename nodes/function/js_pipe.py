"""The server's end of the pipes to a function node's worker process: frames out and in.

Frames (:data:`.js_worker.HEADER`: a type byte, a 4-byte length, UTF-8 text) are written to
the worker's standard input without blocking: what the pipe does not take at once waits in
:attr:`Pipe.out` and goes with the next :meth:`Pipe.flush`. Requests written ahead of the
worker's replies (see :mod:`.js_process`) could otherwise fill both pipes, each process
waiting for the other to read. Frames written in a burst go in one ``write`` (the worker
wakes once for them, not once a frame), which :meth:`Pipe.queue` leaves to the caller.

Replies are read the same way, without blocking, as many frames as have arrived.
"""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
from collections.abc import Iterator

from .js_worker import HEADER

FLUSH_BYTES = 16 * 1024
"""Bytes of frames queued in :attr:`Pipe.out` that are written at once, without waiting for
the next flush."""


class Pipe:
    """The two pipes of one worker process, both non-blocking on this side."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self.write_fd = proc.stdin.fileno()
        self.read_fd = proc.stdout.fileno()
        os.set_blocking(self.write_fd, False)
        os.set_blocking(self.read_fd, False)
        self.out = bytearray()
        self._flushing = False
        self._in = bytearray()
        self._readable = select.poll()
        self._readable.register(self.read_fd, select.POLLIN)
        self._either = select.poll()
        self._either.register(self.read_fd, select.POLLIN)
        self._either.register(self.write_fd, select.POLLOUT)

    def queue(self, kind: bytes, text: str) -> None:
        """Add a frame to what goes out; written when :attr:`out` grows past
        :data:`FLUSH_BYTES`, else by the next :meth:`flush` or :meth:`flush_soon`."""
        data = text.encode("utf-8")
        self.out += HEADER.pack(kind, len(data))
        self.out += data
        if len(self.out) >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write what the pipe takes now. A worker gone is left for reading to find out (and
        say how)."""
        self._flushing = False
        out = self.out
        while out:
            try:
                written = os.write(self.write_fd, out)
            except BlockingIOError:
                return
            except (BrokenPipeError, ConnectionResetError):
                out.clear()
                return
            del out[:written]

    def flush_soon(self) -> None:
        """Write what is queued once the current burst of messages is over (the next turn of
        the event loop), so the worker wakes once for the burst; at once without a loop."""
        if self._flushing or not self.out:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flushing = True
        loop.call_soon(self.flush)

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for a reply to read (or, with frames still to write, for
        room in the pipe): True if there is something to do."""
        poll = self._either if self.out else self._readable
        return bool(poll.poll(max(seconds, 0.0) * 1000))

    def frames(self) -> Iterator[tuple[bytes, str]] | None:
        """The frames that have arrived whole (one read); None if the worker closed its end."""
        try:
            chunk = os.read(self.read_fd, 1 << 20)
        except BlockingIOError:
            return iter(())
        if not chunk:
            return None
        self._in += chunk
        return self._split()

    def _split(self) -> Iterator[tuple[bytes, str]]:
        buffer = self._in
        while len(buffer) >= HEADER.size:
            kind, size = HEADER.unpack_from(buffer)
            end = HEADER.size + size
            if len(buffer) < end:
                return  # the rest comes with a later read
            text = bytes(buffer[HEADER.size:end]).decode("utf-8")
            del buffer[:end]
            yield kind, text
