"""What a function node does with its worker's replies: send, log, status, context, timers.

:class:`JsCalls` is the node's side of every entry into its JavaScript (a message, a timer, On
Start, On Stop): it asks the worker (:mod:`.js_process`), then does in order what the code
asked for (the effects of js_prelude.js), and finishes the message. A reply may come at once
(the message is handled inline) or later (it was held, and is sent and finished then).

It also keeps what a node may hold between messages within bounds: messages in progress
(:data:`MAX_IN_PROGRESS`) and what it writes to context (:data:`CONTEXT_BYTES`, counted per
key it wrote, the latest size of each); the JavaScript heap is bounded by ``memory_limit`` and
the timers by the engine (:data:`.js_engine.MAX_TIMERS`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from flowrt.api import MISSING, Message, NodeContext, Output, ScriptError, Store, Timer

from .js_compile import NOT_COMPILED, compiled_for
from .js_engine import PART_NAMES, scopes_named
from .js_inline import JsInline, runs_inline
from .js_process import WINDOW, JsProcess, Reply
from .js_values import from_json, to_json

MAX_IN_PROGRESS = 1000
"""Messages one node may have in progress at once (queued for its worker, or awaiting)."""
CONTEXT_BYTES = 32 * 1024 * 1024
"""Characters of JSON one node may keep in context (node, flow and global together)."""


@dataclass
class _Pending:
    """A call still running (an async function, or code that calls ``node.done()`` later):
    the message it holds, or for the On Start code, the future ``start`` awaits."""

    msg: Message | None
    future: asyncio.Future[None] | None = None


class JsCalls:
    """The entries of one function node into its JavaScript, and their effects."""

    def __init__(self, node_id: str, ctx: NodeContext, config: Any) -> None:
        self.id = node_id
        self.ctx = ctx
        self.config = config
        self.timers: dict[int, Timer] = {}
        self.pending: dict[int, _Pending] = {}
        self.queued = 0
        self._outcome: tuple[ScriptError | None, Message | None] | None = None
        self._entered = 0
        self._stores: tuple[Store, Store, Store] = (ctx.context, ctx.flow, ctx.global_)
        self._stored: dict[tuple[int, str], int] = {}
        self._stored_total = 0
        code = {"body": config.func, "initialize": config.initialize,
                "finalize": config.finalize}
        self._scopes = scopes_named(code)
        self._preloading = bool(config.timeout)
        self._named = any(self._scopes)
        kind = JsInline if runs_inline(ctx.scripts) else JsProcess
        # code that reads context reads it as the message arrives: one at a time (js_process.py)
        reads_context = any(self._scopes)
        self.js: JsProcess | JsInline = kind(
            {"id": node_id, "name": ctx.label, "outputs": config.outputs, "code": code,
             "timeout": config.timeout, "memory_limit": config.memory_limit,
             "env": to_json(dict(ctx.env))},
            timeout=config.timeout, get=self._get, keys=self._keys,
            spawn=lambda coro: ctx.spawn(coro), on_lost=self._lost,
            window=1 if reads_context else WINDOW,
        )
        self._inline = self.js if isinstance(self.js, JsInline) else None
        # a body in the subset js_compile.py compiles runs in Python, QuickJS taking the rest
        self._compiled = compiled_for(config)

    # entries -----------------------------------------------------------------------------

    def call(self, msg: Message) -> Output:
        """Run the body on ``msg``: its output now, or None (held until its reply comes)."""
        if self.queued + len(self.pending) >= MAX_IN_PROGRESS:
            raise ScriptError(
                f"function has {MAX_IN_PROGRESS} messages in progress (its code is slow or "
                "never finishes them); this one was refused", node=self.id)
        if self._compiled is not None and not self.queued:  # (none may overtake the worker)
            out: Output = self._compiled.run(msg)
            if out is not NOT_COMPILED:
                return out
        if self._inline is not None:  # no queue: the reply now, without closures or framing
            now = self._inline.call(to_json(msg), self._preload() if self._preloading else "")
            data = now[1]
            if now[0] == "R" and data.startswith("="):  # as _called does, a call less
                msg.clear()
                msg.update(from_json(data[1:]))
                return msg
            return self._called(msg, now)[1]
        reply = self.js.request(b"C", lambda: to_json(msg) + "\0" + self._preload(),
                                lambda r: self._called_later(msg, r))
        if reply is None:
            self.ctx.hold(msg)
            self.queued += 1
            return None
        return self._called(msg, reply)[1]

    def _called(self, msg: Message, reply: Reply) -> tuple[bool, Output]:
        """Handle a message's reply: (finished, output). Raises the code's error."""
        kind, data = reply
        if kind == "R" and data.startswith("="):  # the message it got, and nothing else
            msg.clear()
            msg.update(from_json(data[1:]))
            return True, msg
        state, cid, out, effects, job_failure = self._parse(reply)
        if effects:
            self._apply(effects, cid, msg)
        if job_failure is not None:
            self._after_jobs(job_failure, carried=state == 1)
            if state == 1 and not self._finished(cid, msg):
                raise self._engine_error(job_failure)
        if state == 3:  # the code returned the message it got: it stays the same object
            msg.clear()
            msg.update(out)
            return True, msg
        if state == 4:  # an output array holds the message it got, in the places given
            sent, final, places = out
            msg.clear()
            msg.update(final)
            for port, index in places:
                if index < 0:
                    sent[port] = msg
                else:
                    sent[port][index] = msg
            return True, sent
        if state == 0:
            return True, out
        if state == 2:
            raise self._error(*out)
        if self._finished(cid, msg):
            return True, None
        self.ctx.hold(msg)  # until the code's promise settles or it calls node.done()
        self.pending[cid] = _Pending(msg)
        return False, None

    def _called_later(self, msg: Message, reply: Reply) -> None:
        self.queued -= 1
        try:
            finished, output = self._called(msg, reply)
        except ScriptError as exc:
            self.ctx.done(msg, exc)
            return
        if finished:
            self.ctx.send(output, msg)
            self.ctx.done(msg)

    async def init(self) -> None:
        """Start the worker; run the On Start code, and wait for it if it is asynchronous."""
        self.js.start()
        failure = await self.js.ready()
        if failure is not None:
            raise ScriptError(failure, node=self.id)
        if not self.config.initialize.strip():
            return
        try:
            reply = await self.js.ask(b"I", self._preload)
            state, cid, detail, effects, job_failure = self._parse(reply)
            self._apply(effects, cid)
            if job_failure is not None:
                self._after_jobs(job_failure, carried=state == 1)
                if state == 1 and not self._finished(cid):
                    raise self._engine_error(job_failure)
            if state == 2:
                raise self._error(*detail)
            if state == 1 and not self._finished(cid):
                future = asyncio.get_running_loop().create_future()
                self.pending[cid] = _Pending(None, future)
                await future
        except ScriptError as exc:
            raise ScriptError(f"On Start failed: {exc}", node=self.id, line=exc.line) from exc

    async def fin(self) -> None:
        """Run the On Stop code and close handlers, then stop the worker."""
        try:
            if self.js.busy:  # its code still runs: what is queued would hold up the stop
                self.js.close()
                if self.config.finalize.strip():
                    self.ctx.warn("On Stop was not run: the node's JavaScript was still busy")
            elif self.js.failure is None:
                reply = await self.js.ask(b"S", self._preload)
                self._apply(self._parse(reply)[3])
        except ScriptError as exc:
            self.ctx.error(exc)
        finally:
            self.js.close()
            self._drop_timers()
            for pending in self.pending.values():
                if pending.future is not None:
                    pending.future.cancel()
            self.pending.clear()

    def _parse(self, reply: Reply) -> tuple[int, int, Any, list[Any], list[Any] | None]:
        """``[state, cid, output, effects, job failure]`` of a reply; raises a failure."""
        kind, data = reply
        if kind == "lost":
            raise ScriptError(data, node=self.id)
        if kind == "F":
            if data[2]:
                self._renewed(data[1])
            raise self._engine_error(data)
        entry, extra, job_failure = from_json(data)
        if entry and isinstance(entry[0], int):
            entry[3].extend(extra)
            return entry[0], entry[1], entry[2], entry[3], job_failure
        return 0, 0, None, entry + extra, job_failure  # a timer's or On Stop's effects

    # effects -----------------------------------------------------------------------------

    def _apply(self, effects: list[Any], entered: int = 0, origin: Message | None = None) -> None:
        """Do what the code asked for, in order (see js_prelude.js for the codes). ``entered``:
        the call the entry started, whose outcome is kept for ``_finished``; ``origin``: its
        message."""
        self._entered = entered
        ctx = self.ctx
        for effect in effects:
            kind = effect[0]
            if kind == 0 or kind == 7:
                pending = self.pending.get(effect[1])
                ctx.send(effect[2], pending.msg if pending is not None else origin)
            elif kind == 4:
                self._store(effect[1], effect[2], effect[3], effect[4])
            elif kind == 1:
                level, text = effect[1], effect[2]
                if level == "info":
                    ctx.log(text)
                elif level == "warning":
                    ctx.warn(text)
                elif level == "error":
                    ctx.error(text)
            elif kind == 2:
                error = self._error(effect[1], effect[2], effect[3])
                msg = effect[4]
                if msg is None:
                    ctx.error(error)
                else:
                    ctx.error(error, msg if msg else {"_msgid": ctx.new_msgid()})
            elif kind == 3:
                ctx.status(effect[1], effect[2], effect[3])
            elif kind == 5:
                self._arm(effect[1], effect[2])
            elif kind == 6:
                timer = self.timers.pop(effect[1], None)
                if timer is not None:
                    timer.cancel()
            elif kind == 8:
                self._settle(effect[1], self._error(effect[2], effect[3], effect[4]))
            elif kind == 9:
                self._settle(effect[1], None, effect[2])

    def _store(self, scope: int, key: str, value: Any, size: int) -> None:
        """A context write, within :data:`CONTEXT_BYTES` for what this node keeps."""
        slot = (scope, key)
        total = self._stored_total - self._stored.get(slot, 0) + (0 if value is None else size)
        if total > CONTEXT_BYTES:
            self.ctx.error(ScriptError(
                f"function would keep more than {CONTEXT_BYTES // (1024 * 1024)} MB in "
                f"context; '{key}' was not written", node=self.id))
            return
        self._stored_total = total
        if value is None:
            self._stored.pop(slot, None)
        else:
            self._stored[slot] = size
        self._stores[scope].set(key, value)

    def _finished(self, cid: int, msg: Message | None = None) -> bool:
        """True if call ``cid`` (just entered) already finished, its promise settled while the
        jobs of its entry ran; raise if it failed. ``msg`` takes the state the code left."""
        outcome = self._outcome
        self._outcome = None
        if outcome is None:
            return False
        error, final = outcome
        if error is not None:
            raise error
        if msg is not None and final is not None:
            msg.clear()
            msg.update(final)
        return True

    def _settle(self, cid: int, error: ScriptError | None, final: Message | None = None) -> None:
        """Finish call ``cid``; ``final`` is its message as the code left it, which complete
        nodes see (the code changed the message it got, as in Node-RED)."""
        pending = self.pending.pop(cid, None)
        if pending is None:
            if cid == self._entered:
                self._outcome = (error, final)
        elif pending.msg is not None:
            if final is not None:
                pending.msg.clear()
                pending.msg.update(final)
            self.ctx.done(pending.msg, error)
        elif pending.future is not None and not pending.future.done():
            if error is None:
                pending.future.set_result(None)
            else:
                pending.future.set_exception(error)

    def _after_jobs(self, failure: list[Any], carried: bool = False) -> None:
        """Promise jobs stopped by a limit: fail the calls still pending (one of them ran
        them, and the context they waited in may be gone). ``carried``: the call just entered
        fails with it, so it is not logged."""
        error = self._engine_error(failure)
        if not self.pending and not carried:
            self.ctx.error(error)
        for cid in list(self.pending):
            self._settle(cid, error)
        if failure[2]:
            self._renewed(failure[1])

    def _error(self, text: str, line: int, part: str) -> ScriptError:
        """A ScriptError for an exception of the code, naming its line in the code."""
        if text.startswith("InternalError: interrupted"):  # an async function's rejection
            return ScriptError(
                f"function ran longer than its timeout of {self.config.timeout:g} s",
                node=self.id,
            )
        if line:
            text = f"{text} ({PART_NAMES.get(part, '')}line {line})"
        return ScriptError(text, node=self.id, line=line)

    def _engine_error(self, failure: list[Any]) -> ScriptError:
        return ScriptError(failure[1], node=self.id)

    # timers ------------------------------------------------------------------------------

    def _arm(self, timer: int, ms: float) -> None:
        self.timers[timer] = self.ctx.call_later(ms / 1000, lambda: self._fire(timer))

    def _fire(self, timer: int) -> None:
        self.timers.pop(timer, None)
        reply = self.js.request(b"T", lambda: f"{timer}\0{self._preload()}", self._fired)
        if reply is not None:
            self._fired(reply)

    def _fired(self, reply: Reply) -> None:
        try:
            _, _, _, effects, job_failure = self._parse(reply)
        except ScriptError as exc:
            self.ctx.error(exc, {"_msgid": self.ctx.new_msgid()})
            return
        self._apply(effects)
        if job_failure is not None:
            self._after_jobs(job_failure)

    def _drop_timers(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()

    # a context lost ----------------------------------------------------------------------

    def _renewed(self, why: str) -> None:
        """The worker made the JavaScript context again (or a new worker started): timers and
        calls still running in the old one are lost, and fail."""
        self._drop_timers()
        lost = ScriptError(f"{why}; the JavaScript context was made again and this call was "
                           "lost", node=self.id)
        for cid in list(self.pending):
            self._settle(cid, lost)
        self.ctx.warn(f"{why}: the JavaScript context was made again; its timers and the "
                      "JavaScript variables it kept between messages are lost")

    def _lost(self, why: str) -> None:
        self._renewed(why)
        self.ctx.status("red", "ring", "JavaScript restarted: " + why)

    # context -----------------------------------------------------------------------------

    def _get(self, scope: int, key: str) -> str:
        value = self._stores[scope].get(key, MISSING)
        return "" if value is MISSING or value is None else to_json(value)

    def _keys(self, scope: int) -> str:
        return to_json(list(self._stores[scope].keys()))

    def _preload(self) -> str:
        """With a timeout, a copy of every scope the code names (see js_engine.py); else "",
        as when it names none (the engine then reads every scope as empty, as a copy of none
        would say, without parsing one)."""
        if not self._preloading or not self._named:
            return ""
        scopes: list[dict[str, Any] | None] = []
        for store, named in zip(self._stores, self._scopes, strict=True):
            scopes.append({k: store.get(k) for k in store.keys()} if named else None)
        return to_json(scopes)

