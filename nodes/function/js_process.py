"""The server's side of a function node's JavaScript worker process (:mod:`.js_worker`).

QuickJS runs in a process of its own for each function node, so nothing its code does can
take the server down: a crash of the engine (QuickJS has had them at its memory limit) ends
that process only, and code that escapes QuickJS's own time limit is killed.

Requests are pipelined: up to ``window`` of them (:data:`WINDOW`, and :data:`AHEAD_BYTES`) are
written to the worker ahead of its replies, in bursts of one ``write`` (:mod:`.js_pipe`), and
the worker answers them in order. The server does not wait for a reply: the message is held,
and a task on the event loop takes the replies as they come, many a wake-up, so the two
processes work side by side and a message costs no round trip between them
(``benchmarks/bench_function.py``). Past the window, requests wait in a queue; a request that
finds the window full first takes the replies that come within :data:`SYNC_WAIT` (down to half
the window), so a burst catches up instead of queueing without end, and slow code holds up its
own node's messages only.

A node whose code names context, flow or global has a window of one: its code reads context
as it is when the message arrives at the node (a copy made as the request is written, with a
``timeout``; else the worker's questions, answered at once), not as later messages and other
nodes have left it by the time the worker would reach a pipelined request. Its requests are
waited for on the spot for up to :data:`SYNC_WAIT`, as before pipelining. (Were a question to
come while requests are written ahead, the server answers questions in the order of the frames
it reads, and the worker keeps the frames that come before the answer.)

Each request has a deadline in real time (twice the node's CPU-time ``timeout``, plus
:data:`GRACE`) from when the worker begins it (the reply before it came): a worker that has
not answered by then is killed and started again, and the request fails as having run too
long. A worker that dies fails the request it was running (the oldest without a reply); the
next one starts afresh (its JavaScript variables are gone; On Start is not run again) and
the requests written to the old one are written to it again.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .js_pipe import Pipe

SYNC_WAIT = 0.05
"""Seconds a request that finds the window full waits inline for replies (and a request of a
node with a window of one for its own) before the node goes on asynchronously."""
WINDOW = 256
"""Requests written to a worker ahead of its replies (see the module docs)."""
AHEAD_BYTES = 1024 * 1024
"""Bytes of requests written to a worker ahead of its replies, past the first: the worker
keeps those that arrive while it waits for the answer to a context question."""
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


@dataclass(slots=True)
class Request:
    kind: bytes
    make: Callable[[], str]
    """The frame's text, made when it is sent (context read then, not when queued)."""
    limit: float | None
    done: Callable[[Reply], None] | None = None
    result: Reply | None = None
    sent_at: float = 0.0
    size: int = 0


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
        window: int = WINDOW,
    ) -> None:
        self.settings = settings
        self.window = max(1, window)
        self.limit = 2 * timeout + GRACE if timeout else None
        self.timeout = timeout
        self._get, self._keys = get, keys
        self._spawn_task = spawn
        self._on_lost = on_lost
        self._queue: deque[Request] = deque()
        self._sent = 0
        """How many requests at the head of the queue were written to the current worker."""
        self._ahead = 0
        """Bytes of those requests."""
        self._pipe: Pipe | None = None
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
            # the server's environment (its secrets) stays with the server; only its time
            # zone goes along, so that Date reads local time in the worker as it would inline
            env={"TZ": os.environ["TZ"]} if "TZ" in os.environ else {},
            start_new_session=True,  # a Ctrl-C at the terminal is the server's to handle
        )
        self.started_pid = self._proc.pid
        self._pipe = Pipe(self._proc)
        settings = json.dumps(self.settings)
        self._queue.appendleft(Request(b"O", lambda: settings, START_LIMIT, self._opened))
        self._sent = self._ahead = 0
        self._send_more()
        self._flush()

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
        self._pipe = None
        self._sent = self._ahead = 0
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
                done: Callable[[Reply], None], wait: float | None = None) -> Reply | None:
        """Queue a request and write it if the window has room. Its reply if it came within
        ``wait`` seconds (None: :data:`SYNC_WAIT` with a window of one, else 0: the reply is
        not waited for); else None, and ``done`` gets it later.

        A request that finds the window full first takes replies inline (down to half the
        window, within :data:`SYNC_WAIT`): a burst catches up instead of queueing without
        end."""
        if self.failure is not None or self.closed:
            return ("lost", self.failure or "the flow stopped before this message was run")
        if self._proc is None:
            self.start()
        if wait is None:
            wait = SYNC_WAIT if self.window == 1 else 0.0
        end = time.monotonic() + max(wait, SYNC_WAIT) if wait > 0 else 0.0
        queue = self._queue
        if len(queue) >= self.window:
            below = self.window // 2
            self._wait(lambda: len(queue) > below, SYNC_WAIT)
        req = Request(kind, make, self.limit)
        queue.append(req)
        if self._sent < self.window:
            self._send_more()
        if wait > 0:
            self._wait(lambda: req.result is None, end - time.monotonic())
            if req.result is not None:
                return req.result
        req.done = done
        self._flush_soon()
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

    def _send_more(self) -> None:
        """Write the queued requests the window has room for (none past an opening not yet
        answered, none past :data:`AHEAD_BYTES` but the first), each made now."""
        pipe = self._pipe
        queue = self._queue
        if pipe is None:
            return
        sent = self._sent
        last = min(len(queue), self.window)
        while sent < last:
            if sent and (queue[0].kind == b"O" or self._ahead >= AHEAD_BYTES):
                break
            req = queue[sent]
            if not sent:
                req.sent_at = time.monotonic()
            sent += 1
            self._sent = sent
            text = req.make()
            req.size = size = len(text)
            self._ahead += size
            pipe.queue(req.kind, text)  # a worker gone: reading finds out and says how

    def _flush(self) -> None:
        if self._pipe is not None:
            self._pipe.flush()

    def _flush_soon(self) -> None:
        if self._pipe is not None:
            self._pipe.flush_soon()

    def _finish(self, req: Request, reply: Reply) -> None:
        if req.done is None:
            req.result = reply
        else:
            req.done(reply)

    # replies -----------------------------------------------------------------------------

    def _wait(self, waiting: Callable[[], bool], seconds: float) -> None:
        """Read replies for up to ``seconds``, while ``waiting()`` is true."""
        end = time.monotonic() + seconds
        while waiting() and self._pipe is not None:
            self._flush()
            left = end - time.monotonic()
            if left <= 0:
                return
            if self._pipe.wait(left):
                self._read()

    async def _pump(self) -> None:
        """Take replies until the queue is empty, killing a worker past its deadline."""
        loop = asyncio.get_running_loop()
        try:
            while self._queue and self._pipe is not None:
                head = self._queue[0]
                pipe = self._pipe
                self._flush()
                readable: asyncio.Future[None] = loop.create_future()
                loop.add_reader(pipe.read_fd, _wake, readable)
                writing = bool(pipe.out)
                if writing:
                    loop.add_writer(pipe.write_fd, _wake, readable)
                left = None if head.limit is None else head.sent_at + head.limit - time.monotonic()
                try:
                    async with asyncio.timeout(left):
                        await readable
                except TimeoutError:
                    self._overdue(head)
                    continue
                finally:
                    loop.remove_reader(pipe.read_fd)
                    if writing:
                        loop.remove_writer(pipe.write_fd)
                self._read()
        finally:
            self._pumping = False

    def _read(self) -> None:
        pipe = self._pipe
        if pipe is None:
            return
        frames = pipe.frames()
        if frames is None:
            self._died()
            return
        for kind, text in frames:
            self._frame(kind, text)
            if self._pipe is not pipe:
                return  # the worker was lost while a reply was handled

    def _frame(self, kind: bytes, text: str) -> None:
        if kind in (b"G", b"K"):
            scope_key = json.loads(text)
            answer = (self._get(*scope_key) if kind == b"G" else self._keys(int(scope_key)))
            if self._pipe is not None:
                self._pipe.queue(b"A", answer)
                self._flush()
            return
        if not self._queue:
            return
        head = self._queue.popleft()
        self._sent = max(self._sent - 1, 0)
        self._ahead = max(self._ahead - head.size, 0) if self._sent else 0
        if self._queue:
            self._queue[0].sent_at = time.monotonic()  # the worker begins it now
            self._send_more()
            self._flush_soon()
        if kind == b"R":
            self._finish(head, ("R", text))
        elif kind == b"F":
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
