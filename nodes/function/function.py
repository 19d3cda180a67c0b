"""function: Node-RED's function node, its JavaScript run as it is (QuickJS)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationInfo, field_validator

from flowrt.api import Message, NodeConfig, Output, ScriptError, Timer, Transform, field

from .js_engine import PART_NAMES, JsEngine, syntax_error

_FIELD_PARTS = {"func": "body", "initialize": "initialize", "finalize": "finalize"}


@dataclass
class _Pending:
    """A call still running (an async function, or code that calls ``node.done()`` later):
    the message it holds, or for the On Start code, the future ``start`` awaits."""

    msg: Message | None
    future: asyncio.Future[None] | None = None


class Function(Transform):
    """Run JavaScript on each message: Node-RED's function node, with its code unchanged.

    ### Inputs

    Any message, as the JavaScript object `msg`.

    ### Outputs

    What the code returns, as in Node-RED: a message goes to output 1; an array has one entry
    per output (a message, an array of messages to send in order, or `null`); `null` or
    `undefined` sends nothing. Every message sent keeps the `_msgid` of the message handled.

    ### Details

    `func` is the body of a function of `msg`, run by QuickJS (an ES2020 engine) in a context
    of the node's own. It sees what Node-RED gives it:

    - `node`: `send(msg | array)` (now, or later from a timer or after `await`), `done()`,
      `error(err, msg)` (with `msg`, catch nodes get that message), `warn`, `log`,
      `status({fill, shape, text})`, `on("close", handler)`, `id`, `name`, `outputCount`;
    - `context`, `flow`, `global`: `get(key)`, `set(key, value)`, `keys()`, with property
      paths (`"totals.today"`), arrays of keys and Node-RED's optional callbacks; an object
      from `get` may be changed in place, as with Node-RED's memory store;
    - `env.get(name)`: the node's environment (flow `env`, process environment, `NR_NODE_ID`);
    - `RED.util`: `cloneMessage`, `getMessageProperty`, `setMessageProperty`, `generateId`,
      `ensureString`, `ensureBuffer`, `normalisePropertyExpression`;
    - `setTimeout`, `clearTimeout`, `setInterval`, `clearInterval` on the engine's clock (flow
      tests run them on simulated time); `console.log`/`warn`/`error` go to the node's log;
    - `Buffer` (from, alloc, concat, toString as utf8, hex, base64 or latin1, the read and
      write methods for integers and floats): a Python `bytes` value arrives as a Buffer and
      a Buffer leaves as `bytes`.

    Code that uses `await` (or returns a Promise) is asynchronous: the message stays in flight
    until it settles, while other messages go on. Code that calls `node.done()` finishes its
    message when it calls it, as in Node-RED. `initialize` (*On Start*) runs once before the
    first message, and may be asynchronous: messages wait for it. `finalize` (*On Stop*) runs
    when the flow stops; pending timers are then cancelled.

    An exception fails the message with the error's text and its line in the code
    (`TypeError: cannot read property 'x' of undefined (line 3)`), and catch nodes get it;
    QuickJS gives no line for an error inside a function written on one line. `timeout`
    stops code that runs longer (an endless loop; it counts the process's CPU time) and fails
    its message, and the flow goes on; `memory_limit` does the same for code that allocates
    too much, and the node's JavaScript context is then made afresh. Take the memory limit as
    a safety net: QuickJS's handling of an exhausted heap has known crash bugs.

    Messages cross into JavaScript as JSON: datetimes arrive as ISO strings, NaN as `null`,
    and a large binary payload costs time (its bytes cross as an array of numbers).
    Differences from Node-RED: no `require` or external modules (`libs`), no `util`,
    `process` or `URL`; `node.debug` and `node.trace` print nothing; with a `timeout`,
    context is handed to the code as a copy on each run (the scopes its code names), which
    costs time when the context holds much data; a rejected promise that nothing awaits is
    not reported.
    """

    type = "function"
    category = "script"
    runs_code = "sandboxed"

    class Config(NodeConfig):
        func: str = field(
            "\nreturn msg;",
            description="The body of a JavaScript function of `msg` (Node-RED's *On Message*).",
            examples=["msg.payload = msg.payload * 2;\nreturn msg;"],
            format="code:javascript",
        )
        outputs: int = field(1, description="Number of output ports.", ge=0, le=100)
        initialize: str = field(
            "",
            description="JavaScript run once when the flow starts (*On Start*); may use await.",
            examples=["flow.set('count', 0);"],
            format="code:javascript",
            advanced=True,
        )
        finalize: str = field(
            "",
            description="JavaScript run once when the flow stops (*On Stop*).",
            format="code:javascript",
            advanced=True,
        )
        timeout: float = field(
            0.0,
            description="Seconds of CPU time one run of the code may take before it is stopped "
            "and its message fails; 0: no limit, as in Node-RED.",
            ge=0,
        )
        memory_limit: int = field(
            64,
            description="Megabytes of memory the node's JavaScript may use.",
            ge=1,
            le=65536,
            advanced=True,
        )

        @field_validator("func", "initialize", "finalize")
        @classmethod
        def _compiles(cls, value: str, info: ValidationInfo) -> str:
            problem = syntax_error(value, _FIELD_PARTS[str(info.field_name)])
            if problem is not None:
                raise ValueError(problem)
            return value

    config: Config

    @classmethod
    def output_count(cls, config: Any) -> int:
        return int(config.outputs)

    async def start(self) -> None:
        cfg, ctx = self.config, self.ctx
        self._timers: dict[int, Timer] = {}
        self._pending: dict[int, _Pending] = {}
        self._outcome: tuple[ScriptError | None, Message | None] | None = None
        self._entered = 0
        self._stores = (ctx.context, ctx.flow, ctx.global_)
        self._engine = JsEngine(
            self.id,
            name=ctx.label,
            outputs=cfg.outputs,
            code={"body": cfg.func, "initialize": cfg.initialize, "finalize": cfg.finalize},
            timeout=cfg.timeout,
            memory_limit=cfg.memory_limit,
            env=ctx.env,
            stores=self._stores,
        )
        self._engine.open()
        if not cfg.initialize.strip():
            return
        try:
            state, cid, detail, effects = self._engine.init()
            self._apply(effects, cid)
            self._after_jobs()
            if state == 2:
                raise self._error(*detail)
            if state == 1 and not self._finished(cid):
                future = asyncio.get_running_loop().create_future()
                self._pending[cid] = _Pending(None, future)
                await future
        except ScriptError as exc:
            raise ScriptError(f"On Start failed: {exc}", node=self.id, line=exc.line) from exc

    async def stop(self) -> None:
        engine: JsEngine | None = getattr(self, "_engine", None)
        if engine is None:
            return  # start failed before the engine was made
        try:
            if not engine.broken:
                self._apply(engine.fin())
                self._after_jobs()
        except ScriptError as exc:
            self.ctx.error(exc)
        finally:
            self._drop_timers()
            for pending in self._pending.values():
                if pending.future is not None:
                    pending.future.cancel()
            self._pending.clear()

    def process(self, msg: Message) -> Output:
        try:
            state, cid, out, effects = self._engine.call(msg)
        except ScriptError:
            self._recover()
            raise
        if effects:
            self._apply(effects, cid)
        if self._engine.job_failure is not None:
            self._after_jobs()
        if state == 3:  # the code returned the message it got: it stays the same object
            msg.clear()
            msg.update(out)
            return msg
        if state == 0:
            return out  # type: ignore[no-any-return]
        if state == 2:
            error = self._error(*out)
            self._recover()
            raise error
        if not self._finished(cid, msg):
            self.ctx.hold(msg)  # until the code's promise settles or it calls node.done()
            self._pending[cid] = _Pending(msg)
        return None

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

    def _after_jobs(self) -> None:
        """A promise job stopped by a limit: fail the calls still pending (one of them ran it,
        and it will never settle)."""
        failure = self._engine.job_failure
        if failure is None:
            return
        self._engine.job_failure = None
        if not self._pending:
            self.ctx.error(failure)
        for cid in list(self._pending):
            self._settle(cid, failure)
        self._recover()

    # effects -----------------------------------------------------------------------------

    def _apply(self, effects: list[Any], entered: int = 0) -> None:
        """Do what the code asked for, in order (see js_prelude.js for the codes). ``entered``:
        the call the entry started, whose outcome is kept for ``_finished``."""
        self._entered = entered
        ctx = self.ctx
        for effect in effects:
            kind = effect[0]
            if kind == 0 or kind == 7:
                pending = self._pending.get(effect[1])
                ctx.send(effect[2], pending.msg if pending is not None else None)
            elif kind == 4:
                self._stores[effect[1]].set(effect[2], effect[3])
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
                timer = self._timers.pop(effect[1], None)
                if timer is not None:
                    timer.cancel()
            elif kind == 8:
                self._settle(effect[1], self._error(effect[2], effect[3], effect[4]))
            elif kind == 9:
                self._settle(effect[1], None, effect[2])

    def _settle(self, cid: int, error: ScriptError | None, final: Message | None = None) -> None:
        """Finish call ``cid``; ``final`` is its message as the code left it, which complete
        nodes see (the code changed the message it got, as in Node-RED)."""
        pending = self._pending.pop(cid, None)
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

    def _error(self, text: str, line: int, part: str) -> ScriptError:
        """A ScriptError for an exception of the code, naming its line in the code."""
        if text.startswith("InternalError: out of memory"):  # the code may catch it: too late
            self._engine.broken = True
            return ScriptError(
                f"function ran out of its memory limit of {self.config.memory_limit} MB",
                node=self.id,
            )
        if text.startswith("InternalError: interrupted"):  # an async function's rejection
            return ScriptError(
                f"function ran longer than its timeout of {self.config.timeout:g} s",
                node=self.id,
            )
        if line:
            text = f"{text} ({PART_NAMES.get(part, '')}line {line})"
        return ScriptError(text, node=self.id, line=line)

    # timers ------------------------------------------------------------------------------

    def _arm(self, timer: int, ms: float) -> None:
        self._timers[timer] = self.ctx.call_later(ms / 1000, lambda: self._fire(timer))

    def _fire(self, timer: int) -> None:
        self._timers.pop(timer, None)
        try:
            effects = self._engine.fire(timer)
        except ScriptError as exc:
            self.ctx.error(exc, {"_msgid": self.ctx.new_msgid()})
            self._recover()
            return
        self._apply(effects)
        self._after_jobs()
        self._recover()

    def _drop_timers(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def _recover(self) -> None:
        """After QuickJS ran out of memory its context cannot be trusted: make a new one.
        Timers and calls still running in the old one are lost, and fail."""
        if not self._engine.broken:
            return
        self._drop_timers()
        lost = ScriptError(
            "the JavaScript context ran out of memory and was made again; this call was lost",
            node=self.id,
        )
        for cid in list(self._pending):
            self._settle(cid, lost)
        self._engine.open()
        self.ctx.warn(
            "the JavaScript context ran out of memory and was made again: its timers and "
            "the JavaScript variables it kept between messages are lost"
        )
