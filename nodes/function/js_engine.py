"""One function node's QuickJS context: the user's code compiled once, entered per message.

The context is made at start and used only on the event loop's thread (a QuickJS context is
not thread-safe), with no thread hop per message. It holds :file:`js_library.js` (Buffer,
RED.util), :file:`js_prelude.js` (the objects the code sees, the effect log) and the node's
three pieces of code, each compiled once as a function. Each piece is evaluated with its
first line at ``LINES * part`` (body 1, initialize 2, finalize 3), so a line number in a
JavaScript stack names the piece and the line within it without ambiguity.

Every entry (a message, a timer, On Start, On Stop) is one call into JavaScript returning one
JSON text: the result and the effects the code produced (see js_prelude.js). Promise jobs the
entry queued are run right after it, and their effects fetched with one more call.

Reading context: without a timeout, the code reads ``context``/``flow``/``global`` keys through
two Python callables, on first use in an entry. With a timeout, the quickjs binding forbids any
call into Python (its time limit cannot be combined with callables), so each entry receives a
copy of the scopes the code names instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from flowrt.api import MISSING, ScriptError, Store

from .js_values import from_json, to_json

LINES = 10_000
PARTS = {"body": 1, "initialize": 2, "finalize": 3}
PART_NAMES = {"body": "", "initialize": "On Start ", "finalize": "On Stop "}
STACK_BYTES = 1024 * 1024
_AWAIT = re.compile(r"\bawait\b")
_INPUT_LINE = re.compile(r"<input>:(\d+)")
_SCOPE_WORDS = (re.compile(r"\bcontext\b"), re.compile(r"\bflow\b"), re.compile(r"\bglobal\b"))
_NODE_WORD = re.compile(r"\bnode\b")
_DONE_CALL = re.compile(r"\bnode\.done\s*\(\s*\)")
_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\\])//[^\n]*", re.S)


@lru_cache(maxsize=2)
def _source(name: str) -> str:
    return (Path(__file__).parent / name).read_text(encoding="utf-8")


def wrap(code: str, part: int) -> str:
    """The text that evaluates to ``code`` as a function, its first line at ``LINES * part``.

    Code that uses ``await`` becomes an async function (Node-RED makes every function node
    async; a plain function is faster to call and behaves the same for code without await)."""
    kind = "async function" if _AWAIT.search(code) else "function"
    head = f"({kind} (msg, node, context, flow, global, env, RED) {{"
    return "\n" * (LINES * part - 1) + head + "\n" + code + "\n})"


def uses_done(code: str) -> bool:
    """True when the code calls ``node.done()``: then a message is finished when it does, as
    in Node-RED (which looks for the same call)."""
    return _DONE_CALL.search(_COMMENTS.sub("", code)) is not None


def syntax_error(code: str, part: str) -> str | None:
    """The syntax error in a piece of code (``line N: ...``), or None if it compiles."""
    import quickjs

    if not code.strip():
        return None
    ctx = quickjs.Context()
    try:
        ctx.eval(wrap(code, PARTS[part]))
    except quickjs.JSException as exc:
        first, _, rest = str(exc).partition("\n")
        found = _INPUT_LINE.search(rest)
        if found is None:
            return first
        line = min(max(int(found.group(1)) % LINES, 1), code.count("\n") + 1)
        return f"line {line}: {first}"
    return None


class JsEngine:
    """The QuickJS context of one node, and the calls into it. Replies are Python values:
    ``call``/``init`` give ``[state, cid, output, effects]``; ``fire``/``fin`` give effects.

    A failure of the engine itself (time limit, memory limit) raises :class:`ScriptError`; after
    an out-of-memory error ``broken`` is True and the context must be made again (``open``)."""

    def __init__(
        self,
        node_id: str,
        *,
        name: str,
        outputs: int,
        code: Mapping[str, str],
        timeout: float,
        memory_limit: int,
        env: Mapping[str, Any],
        stores: Sequence[Store],
    ) -> None:
        self.node_id = node_id
        self.code = code
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.stores = stores
        self.broken = False
        self.job_failure: ScriptError | None = None
        body = code["body"]
        self._settings = to_json({
            "id": node_id, "name": name, "outputs": outputs, "doneMode": uses_done(body),
            "usesNode": _NODE_WORD.search(body) is not None,
        })
        self._env = to_json(dict(env))
        named = " ".join(code.values())
        self._scopes = [bool(w.search(named)) for w in _SCOPE_WORDS]
        if self._scopes[0]:  # Node-RED's context.flow and context.global
            self._scopes = [True, True, True]

    def open(self) -> None:
        """Make the context: library, prelude, the node's settings and its compiled code."""
        import quickjs

        self.broken = False
        ctx = self._ctx = quickjs.Context()
        ctx.set_memory_limit(self.memory_limit * 1024 * 1024)
        ctx.set_max_stack_size(STACK_BYTES)
        ctx.add_callable("__flowrt_get", self._get)
        ctx.add_callable("__flowrt_keys", self._keys)
        ctx.eval(_source("js_library.js"))
        ctx.eval(_source("js_prelude.js"))
        self._call, self._init, self._fire, self._fin, self._take, setup, install = (
            ctx.eval(f"__flowrt.{name}")
            for name in ("call", "init", "fire", "fin", "take", "setup", "install")
        )
        ctx.eval("delete globalThis.__flowrt; delete globalThis.__flowrt_get; "
                 "delete globalThis.__flowrt_keys;")
        setup(self._settings, self._env)
        for part, number in PARTS.items():
            text = self.code.get(part, "")
            if text.strip():
                install(number, ctx.eval(wrap(text, number)))
        self._js_error = quickjs.JSException
        if self.timeout:
            ctx.set_time_limit(self.timeout)
        self._preloading = bool(self.timeout)

    # entries -----------------------------------------------------------------------------

    def call(self, msg: Any) -> list[Any]:
        """Run the body on one message: ``[state, cid, output, effects]``."""
        try:
            reply: list[Any] = from_json(
                self._call(to_json(msg), self._preload() if self._preloading else None)
            )
        except self._js_error as exc:
            raise self._failure(str(exc)) from exc
        self._run_jobs(reply[3])
        return reply

    def init(self) -> list[Any]:
        """Run the On Start code: ``[state, cid, None, effects]``."""
        reply = self._enter(self._init, self._preload())
        self._run_jobs(reply[3])
        return reply

    def fire(self, timer: int) -> list[Any]:
        """Run a timer's callback: its effects."""
        effects = self._enter(self._fire, timer, self._preload())
        self._run_jobs(effects)
        return effects

    def fin(self) -> list[Any]:
        """Run the On Stop code and close handlers: their effects."""
        effects = self._enter(self._fin, self._preload())
        self._run_jobs(effects)
        return effects

    def _enter(self, entry: Any, *args: Any) -> list[Any]:
        try:
            reply: list[Any] = from_json(entry(*args))
        except self._js_error as exc:
            raise self._failure(str(exc)) from exc
        return reply

    def _run_jobs(self, effects: list[Any]) -> None:
        """Run the promise jobs the entry queued (continuations after ``await``); add their
        effects. A job stopped by a limit belongs to no entry in particular: its error is kept
        in ``job_failure`` for the node to fail the calls still pending."""
        ctx = self._ctx
        try:
            if not ctx.execute_pending_job():
                return
            while ctx.execute_pending_job():
                pass
        except self._js_error as exc:
            self.job_failure = self._failure(str(exc))
            if self.broken:
                return
        effects.extend(from_json(self._take()))

    def _failure(self, text: str) -> ScriptError:
        """The ScriptError for a failure of QuickJS itself (not an exception of the code)."""
        first = text.partition("\n")[0]
        if first.startswith("InternalError: interrupted"):
            return ScriptError(
                f"function ran longer than its timeout of {self.timeout:g} s",
                node=self.node_id,
            )
        if "out of memory" in first or first in ("null", "") or first.startswith("(Failed"):
            self.broken = True
            return ScriptError(
                f"function ran out of its memory limit of {self.memory_limit} MB",
                node=self.node_id,
            )
        return ScriptError(first, node=self.node_id)

    # context -----------------------------------------------------------------------------

    def _get(self, scope: int, key: str) -> str:
        value = self.stores[scope].get(key, MISSING)
        return "" if value is MISSING or value is None else to_json(value)

    def _keys(self, scope: int) -> str:
        return to_json(list(self.stores[scope].keys()))

    def _preload(self) -> str | None:
        """With a timeout, a copy of every scope the code names (see the module docs)."""
        if not self._preloading:
            return None
        scopes: list[dict[str, Any] | None] = []
        for store, named in zip(self.stores, self._scopes, strict=True):
            scopes.append({k: store.get(k) for k in store.keys()} if named else None)
        return to_json(scopes)
