"""A function node's JavaScript run inside the server process: under ``--scripts allow``, or
when the operator asks for it.

Inline, each function node's QuickJS context runs on the event loop's thread instead of in a
worker process (:mod:`.js_process`): a message costs no round trip between processes (see
benchmarks/bench_function.py), but nothing protects the server from the engine. A crash of
QuickJS ends the server, and code that QuickJS cannot interrupt holds up every flow until it
ends. The time and memory limits are QuickJS's own, as in the worker. That is the default
under ``--scripts allow`` (the authors are trusted with Python); ``FLOWRT_JS_ISOLATION=worker``
or ``inline`` chooses. A server under ``--scripts sandboxed`` refuses ``inline`` (E060).

:class:`JsInline` answers the same calls as :class:`.js_process.JsProcess`, always at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .js_engine import EngineFailure, JsEngine
from .js_process import Reply

ISOLATION_VAR = "FLOWRT_JS_ISOLATION"


def runs_inline(scripts: str) -> bool:
    """True when JavaScript runs inside the server process: the operator asked for it
    (``FLOWRT_JS_ISOLATION=inline``), or did not say (``worker`` or ``inline``) and the script
    policy is ``allow`` (whoever deploys may run Python anyway, so a worker process would cost
    a round trip per message and protect nothing)."""
    asked = os.environ.get(ISOLATION_VAR, "").strip().lower()
    if asked in ("inline", "worker"):
        return asked == "inline"
    return scripts == "allow"


class JsInline:
    """One node's QuickJS context in this process, behind the worker's interface."""

    busy = False
    pid = None

    def __init__(self, settings: dict[str, Any], *, get: Callable[[int, str], str],
                 keys: Callable[[int], str], **_: Any) -> None:
        self.settings = settings
        self._get, self._keys = get, keys
        self._engine: JsEngine | None = None
        self.failure: str | None = None

    def start(self) -> None:
        try:
            self._engine = JsEngine(self.settings, get=self._get, keys=self._keys)
        except Exception as exc:  # the worker reports the same as "could not start"
            self.failure = f"the JavaScript context of this node could not be made: {exc}"

    async def ready(self) -> str | None:
        return self.failure

    def request(self, kind: bytes, make: Callable[[], str],
                done: Callable[[Reply], None], wait: float = 0.0) -> Reply:
        engine = self._engine
        if engine is None:
            return ("lost", self.failure or "the flow stopped before this message was run")
        text = make()
        try:
            if kind == b"C":
                msg, _, preload = text.partition("\0")
                return ("R", engine.enter("call", msg, preload or None))
            if kind == b"T":
                timer, _, preload = text.partition("\0")
                return ("R", engine.enter("fire", int(timer), preload or None))
            return ("R", engine.enter("init" if kind == b"I" else "fin", text or None))
        except EngineFailure as failure:
            return ("F", failure.as_list())
        except (TypeError, ValueError) as exc:  # a value the binding cannot carry
            return ("F", ["error", f"{type(exc).__name__}: {exc}", False])

    def call(self, msg: str, preload: str) -> Reply:
        """A message's request (``C``) given its two parts, answered at once: what
        :meth:`request` does for it, without making and splitting the frame's text."""
        engine = self._engine
        if engine is None:
            return ("lost", self.failure or "the flow stopped before this message was run")
        try:
            return ("R", engine.call(msg, preload or None))
        except EngineFailure as failure:
            return ("F", failure.as_list())
        except (TypeError, ValueError) as exc:  # a value the binding cannot carry
            return ("F", ["error", f"{type(exc).__name__}: {exc}", False])

    async def ask(self, kind: bytes, make: Callable[[], str]) -> Reply:
        return self.request(kind, make, lambda reply: None)

    def close(self) -> None:
        self._engine = None
