"""script: run Python code on each message (Node-RED's function node, in Python)."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Callable
from types import CodeType
from typing import Any

from pydantic import field_validator

from flowrt.api import (
    Message,
    NodeConfig,
    NodeContext,
    Output,
    ScriptError,
    StepCode,
    Transform,
    clone,
    field,
    step_function,
)

from .context_store import ContextStore
from .script_code import (
    BODY_NAME,
    NODE_TEST,
    SENDER_NEEDS,
    ScriptSyntaxError,
    compile_block,
    compile_body,
    is_coroutine_code,
    script_frame,
)
from .script_objects import KEPT_TYPES, BoundScriptNode, ScriptNode, outputs_of
from .script_scopes import CONTEXT_NAMES, scope_globals
from .script_watchdog import WATCHDOG, Guard, Guarded, ScriptTimeout

_SCRIPT_FAILURES = (Exception, ScriptTimeout, SystemExit)
"""What a script may raise that becomes a ScriptError (a KeyboardInterrupt still stops flowrt)."""


class Script(Transform):
    """Run Python code on each message: Node-RED's function node, in Python.

    ### Inputs

    Any message, as the dict `msg`.

    ### Outputs

    What the code returns: `msg` (or another dict) goes to output 0; a list with one entry per
    output sends entry *i* on output *i* (`None` sends nothing there, a list of dicts sends
    each); `None` sends nothing. New messages get the `_msgid` of the message they came from.

    ### Details

    `code` is the body of a function of `msg`. It sees:

    - `node`: `node.send(msg_or_list)` sends now (a copy, unless `clone=False`);
      `node.warn(text)`, `node.log(text)`, `node.error(err, msg)` (with `msg`, catch nodes get
      it), `node.status(fill=, shape=, text=)` (or Node-RED's `node.status({...})`),
      `node.done()`, `node.id`, `node.name`, `node.outputs`;
    - `context`, `flow` and `global_` (`global` is a Python keyword): `get(key, default)`,
      `set(key, value)` (`None` removes the key) and `keys()`, where a key may be a property
      path such as `"totals.today"`, or a list of keys;
    - `env`: `env.get("NAME")` reads the node's environment (`NR_NODE_ID` and friends too);
    - `sleep(seconds)`: an awaitable pause on the engine's clock (use it, not `asyncio.sleep`,
      so that flow tests run it on simulated time).

    A body that uses `await` is asynchronous: the message stays in flight until it finishes,
    other messages are handled meanwhile, and `timeout` is measured on the engine's clock.

    `setup` runs once when the flow starts (Node-RED's *On Start*), `close` once when it stops
    (*On Stop*). They may `await`. Names they bind (imports, helper functions, constants) are
    globals the body sees; rebind one from the body with a `global` statement, or keep state in
    `context`.

    An exception in the code goes to catch nodes as a `ScriptError` naming the script's own
    line. A synchronous script still running after `timeout` seconds is reported at once and
    stopped (code blocked inside one C call, such as a long `time.sleep`, stops when that call
    returns). Scripts are not sandboxed: they run with the rights of the flowrt process, as
    Node-RED's function nodes do.
    """

    type = "script"
    icon = "code"
    evaluates = {"python": ("code", "setup", "close")}
    category = "script"
    runs_code = "unrestricted"

    class Config(NodeConfig):
        code: str = field(
            "return msg",
            description="The body of a Python function of `msg`; see the node's help.",
            examples=["msg['payload'] = msg['payload'] * 2\nreturn msg"],
            format="code:python",
        )
        setup: str = field(
            "",
            description="Code run once at start; the names it binds are globals of `code`.",
            examples=["import math\nnode.status(text='ready')"],
            format="code:python",
            advanced=True,
        )
        close: str = field(
            "",
            description="Code run once when the flow stops.",
            format="code:python",
            advanced=True,
        )
        outputs: int = field(1, description="Number of output ports.", ge=0, le=100)
        timeout: float = field(
            10.0,
            description="Seconds a call may run before it is stopped and reported; 0: no limit.",
            ge=0,
        )

        @field_validator("code")
        @classmethod
        def _compiles(cls, value: str) -> str:
            compile_body(value)
            return value

        @field_validator("setup", "close")
        @classmethod
        def _block_compiles(cls, value: str) -> str:
            compile_block(value, "<setup>")
            return value

    config: Config
    _close: CodeType | None = None

    def __init__(self, node_id: str, config: Any, ctx: NodeContext) -> None:
        super().__init__(node_id, config, ctx)
        self._api = ScriptNode(ctx, config.outputs)
        self._guard = Guard(node_id, config.timeout)
        self._body: list[Callable[..., Any]] = [_not_started]
        """[the body's function], set at start: the step's lines call it through this cell."""

    @classmethod
    def output_count(cls, config: Any) -> int:
        return int(config.outputs)

    async def start(self) -> None:
        cfg, ctx = self.config, self.ctx
        self._files = {
            f"<script {self.id}>": "",
            f"<setup {self.id}>": "setup ",
            f"<close {self.id}>": "close ",
        }
        try:
            body = compile_body(cfg.code, f"<script {self.id}>")
            setup = compile_block(cfg.setup, f"<setup {self.id}>") if cfg.setup.strip() else None
            self._close = (
                compile_block(cfg.close, f"<close {self.id}>") if cfg.close.strip() else None
            )
        except ScriptSyntaxError as exc:
            raise ScriptError(
                f"script does not compile: {exc}", node=self.id, line=exc.line
            ) from None
        self._namespace: dict[str, Any] = {
            "__builtins__": builtins,
            "__name__": f"flowrt.script.{self.id}",
            "node": self._api,
            "context": ContextStore(ctx.context),
            "flow": ContextStore(ctx.flow),
            "global_": ContextStore(ctx.global_),
            "env": ctx.env,
            "sleep": ctx.sleep,
        }
        for name in CONTEXT_NAMES:  # what compiled reads and writes of a plain key call
            scope = self._namespace[name]
            store, get, set_, values = scope_globals(name)
            plain = {get: scope.get_plain(), set_: scope.set_plain(), values: scope.values_plain()}
            self._namespace.update({store: scope, **plain})
        if cfg.timeout:
            WATCHDOG.watch(self._guard)
        if setup is not None:
            await self._run_block(setup, "setup")
        namespace = self._namespace
        namespace.update(zip(SENDER_NEEDS, (KEPT_TYPES, clone, id), strict=True))
        own = BoundScriptNode if body.is_async else ScriptNode  # the class of its ``node``
        namespace.update(zip(NODE_TEST, (type, own), strict=True))
        exec(body.code, namespace)
        for name in SENDER_NEEDS:
            del namespace[name]  # the senders hold them as defaults
        self._fn: Callable[..., Any] = namespace.pop(BODY_NAME)
        self._body[0] = self._fn
        self._is_async = body.is_async
        if not self._is_async:
            self._guard.code = self._fn.__code__  # what its calls are on the loop's stack

    async def stop(self) -> None:
        guard = self._guard
        try:
            if self._close is not None:
                await self._run_block(self._close, "close")
        finally:
            WATCHDOG.unwatch(guard)

    def process(self, msg: Message) -> Output:
        if self._is_async:
            self.ctx.spawn(self._call_async(msg), msg)
            return None
        self._api._msg = msg
        try:
            out = self._fn(msg)  # the watchdog finds the call on the stack (Guard.code)
        except _SCRIPT_FAILURES as exc:
            raise self._failure(exc) from exc
        if out is msg or out is None:
            return out
        return self._outputs(out, msg)

    fast_delivered = True
    """The fast step runs the body, which may send or report as the node: under its delivery."""

    def fast_code(self) -> StepCode | None:
        """The step of a body that cannot be asynchronous (it has no ``await`` nor ``async``
        in its text), as lines a fused run writes into its code: no call but the body's."""
        code = self.config.code
        return None if "await" in code or "async" in code else self._step_code()

    def fast_process(self) -> Callable[[Message], Output] | None:
        """``process`` of a synchronous body as one function, for a fused run (an
        asynchronous body has none): the lines of :meth:`fast_code`."""
        return None if self._is_async else step_function(self._step_code())

    def _step_code(self) -> StepCode:
        return StepCode(_STEP, (self._api, self._body, _SCRIPT_FAILURES, self._failure,
                                self._outputs), declines=False)

    def _outputs(self, out: Any, msg: Message) -> Output:
        """What the body returned (not ``msg`` nor None), checked as messages to send."""
        try:
            return outputs_of(out, msg)
        except TypeError as exc:
            raise ScriptError(str(exc), node=self.id) from None

    async def _call_async(self, msg: Message) -> None:
        try:
            out = await self._timed(Guarded(self._fn(msg, self._api.bound(msg)), self._guard))
        except _SCRIPT_FAILURES as exc:
            raise self._failure(exc) from exc
        try:
            checked = outputs_of(out, msg)
        except TypeError as exc:
            raise ScriptError(str(exc), node=self.id) from None
        if checked is not None:
            self.ctx.send(checked, origin=msg)

    async def _run_block(self, code: CodeType, part: str) -> None:
        """Run setup or close code in the node's namespace, guarded like the body."""
        guard = self._guard
        guard.ticks += 1
        try:
            result = eval(code, self._namespace)
        except _SCRIPT_FAILURES as exc:
            guard.done += 1
            raise self._failure(exc, doing=part) from exc
        guard.done += 1
        if not is_coroutine_code(code):
            return
        try:
            await self._timed(Guarded(result, guard))
        except _SCRIPT_FAILURES as exc:
            raise self._failure(exc, doing=part) from exc

    async def _timed(self, awaitable: Guarded) -> Any:
        """Await with the node's timeout on the engine's clock; raise _Expired when it runs
        out (its cause is the cancellation, whose traceback shows where the script was)."""
        limit = self.config.timeout
        task = asyncio.current_task()
        if not limit or task is None:
            return await awaitable
        expired = False
        cancelling = task.cancelling()

        def expire() -> None:
            nonlocal expired
            expired = True
            task.cancel()

        timer = self.ctx.call_later(limit, expire)
        try:
            return await awaitable
        except asyncio.CancelledError as exc:
            if not expired:
                raise
            if task.uncancel() > cancelling:
                raise  # cancelled from outside too (a stop, a deploy): that one wins
            raise _Expired() from exc
        finally:
            timer.cancel()

    def _failure(self, exc: BaseException, doing: str = "") -> ScriptError:
        """The ScriptError for an exception raised by the node's code."""
        limit = self.config.timeout
        if isinstance(exc, ScriptTimeout):
            text = f"script ran longer than its timeout of {limit:g} s"
        elif isinstance(exc, _Expired):
            text = f"script did not finish within its timeout of {limit:g} s"
            exc = exc.__cause__ or exc
        else:
            detail = str(exc)
            text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        if doing:
            text = f"{doing} failed: {text}"
        part, line = script_frame(exc.__traceback__, self._files)
        if line:
            text += f" ({part}line {line})"
        return ScriptError(text, node=self.id, line=line)


_STEP = (
    "{0}._msg = msg",
    "try:",
    "    out = {1}[0](msg)",
    "except {2} as exc:",
    "    raise {3}(exc) from exc",
    "if out is not msg and out is not None:",
    "    out = {4}(out, msg)",
)
"""``process`` of a synchronous body as step code (:mod:`flowrt.step_code`): the message is
the node's, what the body raises becomes a ScriptError and what it returns (not ``msg``, not
None) is checked as messages to send. The watchdog finds the call on the loop thread's stack."""


def _not_started(msg: Message) -> Output:
    raise ScriptError("the script has not started")


class _Expired(Exception):
    """An asynchronous script (or setup, close) ran out of time on the engine's clock."""
