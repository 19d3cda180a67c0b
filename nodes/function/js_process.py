"""The server's side of a function node's JavaScript worker process (:mod:`.js_worker`).

QuickJS runs in a process of its own for each function node, so nothing its code does can
take the server down: a crash of the engine (QuickJS has had them at its memory limit) ends
that process only, and code that escapes QuickJS's own time limit is killed.

Requests go to the worker one at a time, in order. A request sent while the worker is idle is
waited for on the spot for up to :data:`SYNC_WAIT` (a message handled inline, as Node-RED's
function node does, costing one round trip between processes); past that, or while the worker
is busy, requests wait in a queue and their replies are taken by a task on the event loop, so
slow code holds up its own node's messages only, never the server's other flows.

Each request sent has a deadline in real time (twice the node's CPU-time ``timeout``, plus
:data:`GRACE`): a worker that has not answered by then is killed and started again, and the
request fails as having run too long. A worker that dies fails the request it was running;
the next one starts afresh (its JavaScript variables are gone; On Start is not run again).
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .js_worker import HEADER

SYNC_WAIT = 0.05
"""Seconds a message waits inline for its reply before the node goes on asynchronously."""
GRACE = 2.0
"""Seconds of real time past twice the timeout before an unanswering worker is killed."""
START_LIMIT = 60.0
"""Seconds a new worker may take to start and compile the node's code."""
MAX_RESTARTS = 3
"""Workers that may die while starting, in a row, before the node gives up."""

_ROOT = Path(__file__).resolve().parents[2]
_WORKER_MAIN = ("import sys; sys.path.append({root!r}); "
                f"from {__package__}.js_worker import main; main()")
"""Isolated mode (``-I``: no user site, no PYTHON* variables, not the current directory),
finding the node packs where this server found them, under the name it imported them by."""

Reply = tuple[str, Any]
"""``("R", text)`` a reply, ``("F", [kind, text, renewed])`` a failure QuickJS reported,
``("D", "")`` opened, ``("lost", text)`` the worker was killed or died running it."""


@dataclass
class Request:
    kind: bytes
    make: Callable[[], str]
    """The frame's text, made when it is sent (context read then, not when queued)."""
    limit: float | None
    done: Callable[[Reply], None] | None = None
    result: Reply | None = None
    sent_at: float = 0.0


class JsProcess:
    """One node's worker process and the queue of requests to it."""

    def __init__(
        self,
        settings: dict[str, Any],
        *,
        timeout: float,
        get: Callable[[int, str], str],
        keys: Callable[[int], str],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        on_lost: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.limit = 2 * timeout + GRACE if timeout else None
        self.timeout = timeout
        self._get, self._keys = get, keys
        self._spawn_task = spawn
        self._on_lost = on_lost
        self._queue: deque[Request] = deque()
        self._buffer = bytearray()
        self._proc: subprocess.Popen[bytes] | None = None
        self._pumping = False
        self._failed_starts = 0
        self.started_pid: int | None = None
        """The process id of the latest worker started (it may have stopped since)."""
        self._waiters: list[asyncio.Future[None]] = []
        self.failure: str | None = None
        """Why the worker cannot be started; every request then fails with it."""
        self.closed = False

    # the process -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker; its opening is the first request of the queue."""
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _WORKER_MAIN.format(root=str(_ROOT))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
            env={},  # the server's environment (its secrets) stays with the server
            start_new_session=True,  # a Ctrl-C at the terminal is the server's to handle
        )
        self.started_pid = self._proc.pid
        assert self._proc.stdout is not None
        os.set_blocking(self._proc.stdout.fileno(), False)
        self._poll = select.poll()
        self._poll.register(self._proc.stdout.fileno(), select.POLLIN)
        self._buffer.clear()
        settings = json.dumps(self.settings)
        self._queue.appendleft(Request(b"O", lambda: settings, START_LIMIT, self._opened))
        self._send(self._queue[0])

    @property
    def busy(self) -> bool:
        """True while a request is in the worker or waits for it."""
        return bool(self._queue)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    async def ready(self) -> str | None:
        """Wait until the worker has opened: None, or why it could not."""
        while self._queue and self._queue[0].kind == b"O" and self.failure is None:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(future)
            if not self._pumping:
                self._pumping = True
                self._spawn_task(self._pump())
            await future
        return self.failure

    def _opened(self, reply: Reply) -> None:
        if reply[0] == "D":
            self._failed_starts = 0
        else:
            self._failed_starts += 1
            if self._failed_starts >= MAX_RESTARTS or reply[0] == "F":
                self.failure = f"the JavaScript worker of this node could not start: {reply[1]}"
                self._fail_all(self.failure)
        waiters, self._waiters = self._waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)

    def close(self) -> None:
        """Stop the worker; what is still queued fails."""
        self.closed = True
        self._kill()
        self._fail_all("the flow stopped before this message was run")

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()

    def _fail_all(self, text: str) -> None:
        while self._queue:
            self._finish(self._queue.popleft(), ("lost", text))

    # requests ----------------------------------------------------------------------------

    def request(self, kind: bytes, make: Callable[[], str],
                done: Callable[[Reply], None], wait: float = SYNC_WAIT) -> Reply | None:
        """Send a request, or queue it behind the others. Its reply if it came within
        ``wait`` seconds; else None, and ``done`` gets it later.

        Requests already queued are waited for first, within the same ``wait``: a worker that
        was slow once catches up inline instead of leaving every later message queued."""
        if self.failure is not None or self.closed:
            return ("lost", self.failure or "the flow stopped before this message was run")
        if self._proc is None:
            self.start()
        end = time.monotonic() + wait
        if self._queue and wait > 0:
            self._wait(None, wait)
        req = Request(kind, make, self.limit)
        self._queue.append(req)
        if len(self._queue) == 1:
            self._send(req)
            left = end - time.monotonic()
            if left > 0:
                self._wait(req, left)
            if req.result is not None:
                return req.result
        req.done = done
        if not self._pumping:
            self._pumping = True
            self._spawn_task(self._pump())
        return None

    async def ask(self, kind: bytes, make: Callable[[], str]) -> Reply:
        """A request whose reply is awaited (On Start, On Stop)."""
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()

        def done(reply: Reply) -> None:
            if not future.done():
                future.set_result(reply)

        reply = self.request(kind, make, done, wait=0)
        return reply if reply is not None else await future

    def _send(self, req: Request) -> None:
        req.sent_at = time.monotonic()
        proc = self._proc
        try:
            if proc is None or proc.stdin is None:
                raise BrokenPipeError
            self._write(proc, req.kind, req.make())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the worker died: reading finds out and says how

    @staticmethod
    def _write(proc: subprocess.Popen[bytes], kind: bytes, text: str) -> None:
        assert proc.stdin is not None
        data = text.encode("utf-8")
        view = memoryview(HEADER.pack(kind, len(data)) + data)
        fd = proc.stdin.fileno()
        while view:
            view = view[os.write(fd, view):]

    def _finish(self, req: Request, reply: Reply) -> None:
        if req.done is None:
            req.result = reply
        else:
            req.done(reply)

    # replies -----------------------------------------------------------------------------

    def _wait(self, req: Request | None, seconds: float) -> None:
        """Read replies for up to ``seconds``, or until ``req`` has its own (None: until the
        queue is empty)."""
        end = time.monotonic() + seconds
        while (self._queue if req is None else req.result is None) and self._proc is not None:
            left = end - time.monotonic()
            if left <= 0:
                return
            if self._poll.poll(left * 1000):
                self._read()

    async def _pump(self) -> None:
        """Take replies until the queue is empty, killing a worker past its deadline."""
        loop = asyncio.get_running_loop()
        try:
            while self._queue and self._proc is not None:
                head = self._queue[0]
                fd = self._proc.stdout.fileno()  # type: ignore[union-attr]
                readable: asyncio.Future[None] = loop.create_future()
                loop.add_reader(fd, _wake, readable)
                left = None if head.limit is None else head.sent_at + head.limit - time.monotonic()
                try:
                    async with asyncio.timeout(left):
                        await readable
                except TimeoutError:
                    self._overdue(head)
                    continue
                finally:
                    loop.remove_reader(fd)
                self._read()
        finally:
            self._pumping = False

    def _read(self) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            chunk = os.read(proc.stdout.fileno(), 1 << 20)  # type: ignore[union-attr]
        except BlockingIOError:
            return
        if not chunk:
            self._died()
            return
        buffer = self._buffer
        buffer += chunk
        while len(buffer) >= HEADER.size:
            kind, size = HEADER.unpack_from(buffer)
            missing = HEADER.size + size - len(buffer)
            if missing > 0:
                more = self._more(missing)
                if more is None:
                    return
                buffer += more
            text = bytes(buffer[HEADER.size:HEADER.size + size]).decode("utf-8")
            del buffer[:HEADER.size + size]
            self._frame(kind, text)

    def _more(self, size: int) -> bytes | None:
        """The rest of a frame the worker is writing (it writes a frame at once)."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        parts: list[bytes] = []
        while size > 0:
            select.select([proc.stdout.fileno()], [], [], 1.0)
            try:
                chunk = os.read(proc.stdout.fileno(), max(size, 1 << 16))
            except BlockingIOError:
                continue
            if not chunk:
                self._died()
                return None
            parts.append(chunk)
            size -= len(chunk)
        return b"".join(parts)

    def _frame(self, kind: bytes, text: str) -> None:
        proc = self._proc
        if kind in (b"G", b"K"):
            scope_key = json.loads(text)
            answer = (self._get(*scope_key) if kind == b"G" else self._keys(int(scope_key)))
            if proc is not None:
                try:
                    self._write(proc, b"A", answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            return
        if not self._queue:
            return
        head = self._queue.popleft()
        if self._queue and self._proc is not None:
            self._send(self._queue[0])
        if kind == b"F":
            self._finish(head, ("F", json.loads(text)))
        else:
            self._finish(head, (kind.decode(), text))

    # losing the worker -------------------------------------------------------------------

    def _overdue(self, head: Request) -> None:
        self._kill()
        self._lose(head, f"function ran longer than its timeout of {self.timeout:g} s"
                   if head.kind != b"O" else "the JavaScript worker did not start in time")

    def _died(self) -> None:
        proc = self._proc
        code = proc.wait() if proc is not None else None
        self._kill()
        how = (f"killed by signal {-code}" if code is not None and code < 0
               else f"exit status {code}")
        text = f"the JavaScript worker of this node stopped ({how})"
        if self._queue:
            self._lose(self._queue[0], text)
        elif not self.closed:
            self._on_lost(text)

    def _lose(self, head: Request, text: str) -> None:
        """The worker is gone while running ``head``: fail it, start a new one for the rest."""
        if self._queue and self._queue[0] is head:
            self._queue.popleft()
        if head.kind == b"O":
            self._opened(("lost", text))
        if not self.closed and self.failure is None:
            if head.kind != b"O":
                self._on_lost(text)
            if self._queue or head.kind == b"O":
                self.start()  # the rest of the queue is sent once the new worker has opened
        if head.kind != b"O":
            self._finish(head, ("lost", text))


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
