"""One function node's QuickJS context: the user's code compiled once, entered per message.

This module runs in the node's JavaScript worker process (:mod:`.js_worker`), never in the
server: it imports QuickJS and the standard library only. The context holds
:file:`js_library.js` (Buffer, RED.util), :file:`js_dates.js` (V8's Date.parse rules),
:file:`js_locale.js` (V8's toLocale* and Intl for a subset of locales), :file:`js_wording.js`
(V8's wording of common errors), :file:`js_prelude.js` (the objects the code sees, the effect
log) and the node's three pieces of code, each compiled once as a function. Each piece is
evaluated with its first line at ``LINES * part`` (body 1, initialize 2, finalize 3), so a
line number in a JavaScript stack names the piece and the line within it without ambiguity.

Every entry (a message, a timer, On Start, On Stop) is one call into JavaScript returning one
JSON text: the result and the effects the code produced (see js_prelude.js). Promise jobs the
entry queued are run right after it, and their effects fetched with one more call.

Time: with a timeout, the entry and the promise jobs after it share one budget of CPU time
(the worker's own), enforced by QuickJS's interrupt handler, which it checks in loops, calls
and regular expression matching. Jobs that keep queueing jobs (``while (true) await 0``) end
when the budget does; the context is then made again, as its job queue cannot be emptied.

Reading context: without a timeout, the code reads ``context``/``flow``/``global`` keys through
two callables (answered by the server, on first use in an entry). With a timeout, the quickjs
binding forbids any call out of JavaScript, so each entry receives a copy of the scopes the
code names instead (nothing when it names none: a scope then reads as empty).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

LINES = 10_000
PARTS = {"body": 1, "initialize": 2, "finalize": 3}
PART_NAMES = {"body": "", "initialize": "On Start ", "finalize": "On Stop "}
STACK_BYTES = 1024 * 1024
MAX_TIMERS = 1000
"""Timers one node's code may have pending at once (setTimeout, setInterval)."""
_AWAIT = re.compile(r"\bawait\b")
_INPUT_LINE = re.compile(r"<input>:(\d+)")
_SCOPE_WORDS = (re.compile(r"\bcontext\b"), re.compile(r"\bflow\b"), re.compile(r"\bglobal\b"))
_NODE_WORD = re.compile(r"\bnode\b")
_DONE_CALL = re.compile(r"\bnode\.done\s*\(\s*\)")
_OUT_OF_MEMORY = "InternalError: out of memory"
_BUFFER = '"Buffer"'
_NONFINITE = "\\u0000flowrt:"
"""What js_prelude.js's parse() looks for in a message's text: a Buffer, or a number marked as
NaN or an infinity (js_values.py)."""
_NO_JOBS = ("[]", "null")
_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\\])//[^\n]*", re.S)


def process_zone() -> str:
    """The IANA name of the process time zone, as V8 reports it (``Intl.DateTimeFormat()
    .resolvedOptions().timeZone``): from ``TZ``, else the /etc/localtime link; UTC otherwise."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            link = os.readlink("/etc/localtime")
        except OSError:
            link = ""
        name = link.partition("zoneinfo/")[2]
    if name in ("", "UTC", "Etc/UTC", "GMT", "Etc/GMT", "UCT", "Etc/UCT", "Zulu", "Etc/Zulu"):
        return "UTC"
    return name if re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+-]+)+", name) else "UTC"


@lru_cache(maxsize=8)
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


def scopes_named(code: Mapping[str, str]) -> list[bool]:
    """Which of context, flow and global the code names (the scopes a preload copies)."""
    named = " ".join(code.values())
    scopes = [bool(w.search(named)) for w in _SCOPE_WORDS]
    return [True, True, True] if scopes[0] else scopes  # Node-RED's context.flow and .global


def syntax_error(code: str, part: str) -> str | None:
    """The syntax error in a piece of code (``line N: ...``), or None if it compiles.

    Compiling runs none of the code: the piece becomes a function that is never called."""
    import quickjs

    if not code.strip():
        return None
    ctx = quickjs.Context()
    ctx.set_memory_limit(64 * 1024 * 1024)
    ctx.set_max_stack_size(STACK_BYTES)
    ctx.set_time_limit(5)
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


class EngineFailure(Exception):
    """QuickJS stopped an entry: ``kind`` is "timeout", "memory" or "error"; ``renewed`` is True
    when the context was made again (its JavaScript variables and timers are gone)."""

    def __init__(self, kind: str, text: str, renewed: bool = False) -> None:
        super().__init__(text)
        self.kind = kind
        self.text = text
        self.renewed = renewed

    def as_list(self) -> list[Any]:
        return [self.kind, self.text, self.renewed]


class JsEngine:
    """The QuickJS context of one node, and the calls into it. Replies are JSON texts:
    ``call``/``init`` give ``[state, cid, output, effects]``; ``fire``/``fin`` give effects.
    With each comes the effects of the promise jobs run after the entry, and the failure that
    stopped them, if any. A message's reply may instead be ``=`` and the message's JSON: its
    code returned the message it got and did nothing else, and no promise job ran.

    A failure of the entry itself (time limit, memory limit) raises :class:`EngineFailure`;
    after an out-of-memory error or jobs that would not end, the context is made again."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        get: Callable[[int, str], str],
        keys: Callable[[int], str],
    ) -> None:
        self.code: Mapping[str, str] = settings["code"]
        self.timeout = float(settings["timeout"])
        self.memory_limit = int(settings["memory_limit"])
        self._get, self._keys = get, keys
        body = self.code.get("body", "")
        self._settings = _dumps({
            "id": settings["id"], "name": settings["name"], "outputs": settings["outputs"],
            "doneMode": uses_done(body), "usesNode": _NODE_WORD.search(body) is not None,
            "maxTimers": MAX_TIMERS, "noCalls": bool(self.timeout),
        })
        self._env = settings["env"]
        self.open()

    def open(self) -> None:
        """Make the context: library, prelude, the node's settings and its compiled code."""
        import quickjs

        ctx = self._ctx = quickjs.Context()
        ctx.set_memory_limit(self.memory_limit * 1024 * 1024)
        ctx.set_max_stack_size(STACK_BYTES)
        ctx.add_callable("__flowrt_get", self._get)
        ctx.add_callable("__flowrt_keys", self._keys)
        ctx.eval(_source("js_library.js"))
        ctx.eval(f"globalThis.__flowrt_zone = {_dumps(process_zone())};")
        ctx.eval(_source("js_dates.js"))
        ctx.eval(_source("js_locale.js"))
        ctx.eval(_source("js_wording.js"))
        ctx.eval(_source("js_prelude.js"))
        (self._call, self._plain, self._again, self._init, self._fire, self._fin, self._take,
         setup, install) = (
            ctx.eval(f"__flowrt.{name}")
            for name in ("call", "plain", "again", "init", "fire", "fin", "take", "setup",
                         "install")
        )
        ctx.eval("delete globalThis.__flowrt; delete globalThis.__flowrt_get; "
                 "delete globalThis.__flowrt_keys; delete globalThis.__flowrt_wording;")
        self._entries = {"call": self._call, "init": self._init, "fire": self._fire,
                         "fin": self._fin}
        setup(self._settings, self._env)
        for part, number in PARTS.items():
            text = self.code.get(part, "")
            if text.strip() or part == "body":  # an empty body returns undefined: sends nothing
                install(number, ctx.eval(wrap(text, number)))
        self._js_error = quickjs.JSException

    # entries -----------------------------------------------------------------------------

    def enter(self, kind: str, *args: Any) -> str:
        """Run one entry ("call", "init", "fire" or "fin") and the promise jobs it queued:
        ``[reply, job effects, job failure or null]`` as JSON text."""
        if kind == "call":
            return self.call(*args)
        return self._run(self._entries[kind], args)

    def call(self, msg: str, preload: str | None = None) -> str:
        """A message's entry (see :meth:`enter`): the message's JSON text and the preload.

        Text with nothing for the JavaScript side to revive (a Buffer, a number marked as NaN
        or an infinity) and no preload goes in through the ``plain`` entry, which parses it
        with JSON.parse alone and leaves a search of the reply for ``null`` to Python (unless
        the text has one: then the reply is written keeping NaN at once)."""
        if preload or _BUFFER in msg or _NONFINITE in msg:
            return self._run(self._call, (msg, preload))
        if "null" in msg:  # its reply will likely have one too: written by dump() at once
            return self._run(self._plain, (msg, True))
        return self._run(self._plain, (msg, False))

    def _run(self, entry: Callable[..., str], args: tuple[Any, ...]) -> str:
        started = 0.0
        if self.timeout:
            started = time.process_time()
            self._ctx.set_time_limit(self.timeout)
        try:
            reply: str = entry(*args)
            if entry is self._plain and args[1] is False and "null" in reply:  # was it NaN?
                reply = self._again() or reply
        except self._js_error as exc:
            raise self._failure(str(exc)) from exc
        if reply.startswith("[2,") and self._out_of_memory(reply):
            raise self._renewed("memory", self._memory_text())
        jobs = self._run_jobs(started)
        if jobs is _NO_JOBS:
            return reply if reply.startswith("=") else "[" + reply + ",[],null]"
        extra, failure = jobs
        if reply.startswith("="):
            if extra == "[]" and failure == "null":
                return reply
            reply = "[3,0," + reply[1:] + ",[]]"  # (its call record was not made: no cid)
        return "[" + reply + "," + extra + "," + failure + "]"

    def _run_jobs(self, started: float) -> tuple[str, str]:
        """Run the promise jobs the entry queued (continuations after ``await``): their effects
        and the failure that stopped them (JSON texts). Jobs share the entry's time budget."""
        ctx = self._ctx
        ran = False
        try:
            if not self.timeout:  # the common case: no budget, and no job queued
                if not ctx.execute_pending_job():
                    return _NO_JOBS
                ran = True
            while True:
                if self.timeout:
                    left = self.timeout - (time.process_time() - started)
                    if left <= 0:
                        raise self._renewed("timeout", self._timeout_text())
                    ctx.set_time_limit(left)
                if not ctx.execute_pending_job():
                    break
                ran = True
        except self._js_error as exc:
            failure = self._failure(str(exc))
            if failure.kind == "timeout":  # its job queue may refill itself: start afresh
                failure = self._renewed("timeout", failure.text)
            if failure.renewed:
                return "[]", _dumps(failure.as_list())
            return self._take(), _dumps(failure.as_list())
        except EngineFailure as failure:
            return "[]", _dumps(failure.as_list())
        return (self._take() if ran else "[]"), "null"

    def _timeout_text(self) -> str:
        return f"function ran longer than its timeout of {self.timeout:g} s"

    @staticmethod
    def _out_of_memory(reply: str) -> bool:
        """True for a failed entry whose error is QuickJS's heap running out (the prelude
        caught it: ``null`` when not even the error object could be made)."""
        import json

        text = json.loads(reply)[2][0]
        return isinstance(text, str) and (text.startswith(_OUT_OF_MEMORY) or text == "null")

    def _memory_text(self) -> str:
        return f"function ran out of its memory limit of {self.memory_limit} MB"

    def _renewed(self, kind: str, text: str) -> EngineFailure:
        self.open()
        return EngineFailure(kind, text, renewed=True)

    def _failure(self, text: str) -> EngineFailure:
        """The failure for an error of QuickJS itself (not an exception of the code)."""
        first = text.partition("\n")[0]
        if first.startswith("InternalError: interrupted"):
            return EngineFailure("timeout", self._timeout_text())
        if "out of memory" in first or first in ("null", "") or first.startswith("(Failed"):
            return self._renewed("memory", self._memory_text())
        return EngineFailure("error", first)


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))
