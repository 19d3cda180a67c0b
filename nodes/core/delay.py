"""delay: delay each message, or limit the rate at which messages pass."""

from __future__ import annotations

import math
import random
from collections import deque
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import Message, NodeConfig, NodeError, Output, Timer, Transform, field

from .js_coercion import to_number
from .message_sequence import group_key

_CONTROL = ("_msgid", "flush", "reset")


class Delay(Transform):
    """Delay each message, or limit the rate at which messages pass.

    ### Inputs

    - `delay` (milliseconds): with `allow_override`, this message's delay (`delay` mode).
    - `rate` (milliseconds): with `allow_override`, the time between messages from now on
      (`rate` and `topic` modes), until a reset.
    - `reset`: drop every message the node holds, without sending it; the message itself is
      dropped too.
    - `flush`: send the messages the node holds now, all of them or, when `flush` is a
      number, that many of the oldest. A message carrying nothing but `flush` only flushes.
    - `toFront`: `rate` mode: queue this message first rather than last.

    ### Outputs

    1. The messages, delayed or spread out.
    2. With `dropped_output`: the messages the node dropped (`rate` mode with `drop`, or
       replaced in `topic` mode).

    ### Details

    - **delay**: each message waits `delay` seconds from its arrival (or `msg.delay`
      milliseconds, with `allow_override`), independently of the others.
    - **random**: each message waits a random time between `delay` and `max_delay` seconds.
    - **rate**: at most `rate` messages per `per` seconds pass. The first message passes at
      once; the next ones are queued and released one per interval, or with `drop`, dropped.
    - **topic**: the node keeps the latest message of each `topic` (a newer one replaces the
      one waiting) and, every `rate` per `per` seconds, releases the oldest waiting topic's
      message (`release: next`) or every waiting message (`release: all`).

    The node holds at most `max_queue` messages; a message arriving when it is full is
    refused with an error (it goes to `catch` nodes), so a flood never exhausts memory. The
    status shows how many messages wait. At shutdown, waiting messages are given up, not sent.
    """

    type = "delay"
    asynchronous = True

    class Config(NodeConfig):
        mode: Literal["delay", "random", "rate", "topic"] = field(
            "delay", description="Delay each message, or limit the rate."
        )
        delay: float = field(
            1.0,
            description="`delay` mode: seconds each message waits; `random` mode: the least.",
            ge=0,
            examples=[5],
        )
        max_delay: float | None = field(
            None, description="`random` mode: the most seconds a message waits.", ge=0
        )
        allow_override: bool = field(
            False,
            description="Let `msg.delay` (delay mode) or `msg.rate` (rate and topic modes), "
            "in milliseconds, override the configured time.",
        )
        rate: float = field(1.0, description="Messages let through per `per` seconds.", gt=0)
        per: float = field(1.0, description="The period of `rate`, in seconds.", gt=0)
        drop: bool = field(
            False, description="`rate` mode: drop messages that come too soon, not queue them."
        )
        release: Literal["next", "all"] = field(
            "next",
            description="`topic` mode: each interval, release the oldest topic's message or "
            "every topic's.",
        )
        dropped_output: bool = field(False, description="Send dropped messages on a second output.")
        max_queue: int = field(1000, description="Most messages held at once.", ge=1, advanced=True)

        @model_validator(mode="after")
        def _consistent(self) -> Delay.Config:
            if self.mode == "random":
                if self.max_delay is None or self.max_delay < self.delay:
                    raise ValueError("random mode needs max_delay, at least delay")
            elif self.max_delay is not None:
                raise ValueError("max_delay applies to the random mode")
            if self.dropped_output and not (self.mode == "topic" or self.drop):
                raise ValueError("dropped_output applies to the topic mode and to rate with drop")
            if self.drop and self.mode != "rate":
                raise ValueError("drop applies to the rate mode")
            return self

    config: Config

    @classmethod
    def output_count(cls, config: Any) -> int:
        return 2 if config.dropped_output else 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interval = self.config.per / self.config.rate
        self.waiting: dict[int, tuple[Message, Timer]] = {}
        """delay modes: messages and their timers, in arrival order."""
        self.queue: deque[Message] = deque()
        """rate mode: the messages waiting for their turn."""
        self.topics: dict[Any, Message] = {}
        """topic mode: the latest message of each topic, oldest topic first."""
        self.timer: Timer | None = None
        self.last_sent: float | None = None
        self.started = 0.0

    async def start(self) -> None:
        self.started = self.ctx.now()

    def process(self, msg: Message) -> Output:
        mode = self.config.mode
        if mode in ("delay", "random"):
            return self._delay(msg)
        if self.config.allow_override:
            self._override_rate(msg)
        if mode == "rate" and self.config.drop:
            return self._drop_too_soon(msg)
        flush = msg.pop("flush", None) if "flush" in msg else _NO_FLUSH
        if "reset" in msg:
            if flush is not _NO_FLUSH:
                self._flush(flush)
            self._reset()
            return None
        if _has_content(msg):
            self._check_room()
            self.ctx.hold(msg)
            if mode == "rate":
                self._queue(msg)
            else:
                self._keep_latest(msg)
        if flush is not _NO_FLUSH:
            self._flush(flush)
        self._report(len(self.queue) + len(self.topics))
        return None

    # delay and random ------------------------------------------------------------------

    def _delay(self, msg: Message) -> Output:
        if "reset" in msg:
            for held, timer in self.waiting.values():
                timer.cancel()
                self.ctx.done(held)
            self.waiting.clear()
            self._report(0)
            return None
        if _has_content(msg):
            self._check_room()
            self.ctx.hold(msg)
            key = id(msg)
            timer = self.ctx.call_later(self._wait(msg), lambda: self._release_waiting(key))
            self.waiting[key] = (msg, timer)
        if "flush" in msg:
            for key in list(self.waiting)[: _flush_count(msg["flush"], len(self.waiting))]:
                self.waiting[key][1].cancel()
                self._release_waiting(key)
        self._report(len(self.waiting))
        return None

    def _wait(self, msg: Message) -> float:
        config = self.config
        if config.mode == "random":
            assert config.max_delay is not None
            return random.uniform(config.delay, config.max_delay)
        if config.allow_override and "delay" in msg:
            milliseconds = _number(msg["delay"])
            if milliseconds is not None:
                return max(milliseconds, 0.0) / 1000
        return config.delay

    def _release_waiting(self, key: int) -> None:
        entry = self.waiting.pop(key, None)
        if entry is None:
            return
        msg = entry[0]
        self.ctx.send(msg, origin=msg)
        self.ctx.done(msg)
        self._report(len(self.waiting))

    # rate ------------------------------------------------------------------------------

    def _drop_too_soon(self, msg: Message) -> Output:
        if "reset" in msg:
            self.last_sent = None
            self.interval = self.config.per / self.config.rate
            return None
        now = self.ctx.now()
        if self.last_sent is None or now - self.last_sent >= self.interval - 1e-9:
            self.last_sent = now
            return msg
        return [None, msg] if self.config.dropped_output else None

    def _queue(self, msg: Message) -> None:
        if self.timer is None:
            self._send_held(msg)
            self.timer = self.ctx.call_later(self.interval, self._next_in_queue)
        elif msg.get("toFront") is True:
            self.queue.appendleft(msg)
        else:
            self.queue.append(msg)

    def _next_in_queue(self) -> None:
        if not self.queue:
            self.timer = None
            return
        self._send_held(self.queue.popleft())
        self.timer = self.ctx.call_later(self.interval, self._next_in_queue)
        self._report(len(self.queue))

    # topic -----------------------------------------------------------------------------

    def _keep_latest(self, msg: Message) -> None:
        key = group_key(msg.get("topic"))
        replaced = self.topics.get(key)
        self.topics[key] = msg
        if replaced is not None:
            if self.config.dropped_output:
                self.ctx.send([None, replaced], origin=replaced)
            self.ctx.done(replaced)
        if self.timer is None:
            elapsed = self.ctx.now() - self.started
            ticks = math.floor(elapsed / self.interval + 1e-9) + 1
            due = self.started + ticks * self.interval - self.ctx.now()
            self.timer = self.ctx.call_later(due, self._release_topics)

    def _release_topics(self) -> None:
        self.timer = None
        count = 1 if self.config.release == "next" else len(self.topics)
        for key in list(self.topics)[:count]:
            self._send_held(self.topics.pop(key))
        if self.topics:
            self.timer = self.ctx.call_later(self.interval, self._release_topics)
        self._report(len(self.topics))

    # shared ----------------------------------------------------------------------------

    def _override_rate(self, msg: Message) -> None:
        milliseconds = _number(msg.get("rate"))
        if milliseconds is None or milliseconds <= 0 or milliseconds / 1000 == self.interval:
            return
        self.interval = milliseconds / 1000
        if self.timer is not None and self.config.mode == "rate":
            self.timer.cancel()
            self.timer = self.ctx.call_later(self.interval, self._next_in_queue)

    def _flush(self, flush: Any) -> None:
        if self.config.mode == "rate":
            for _ in range(_flush_count(flush, len(self.queue))):
                self._send_held(self.queue.popleft())
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if self.queue:
                self.timer = self.ctx.call_later(self.interval, self._next_in_queue)
        else:
            for key in list(self.topics)[: _flush_count(flush, len(self.topics))]:
                self._send_held(self.topics.pop(key))

    def _reset(self) -> None:
        self._give_up()
        self.interval = self.config.per / self.config.rate
        self.last_sent = None
        self._report(0)

    def _check_room(self) -> None:
        held = len(self.waiting) + len(self.queue) + len(self.topics)
        if held >= self.config.max_queue:
            raise NodeError(
                f"delay: {held} messages are waiting, the most it holds (max_queue); this "
                "message is dropped"
            )

    def _send_held(self, msg: Message) -> None:
        msg.pop("reset", None)
        self.ctx.send(msg, origin=msg)
        self.ctx.done(msg)

    def _report(self, waiting: int) -> None:
        if self.config.mode in ("delay", "random") and self.config.delay < 1:
            return
        self.ctx.status("blue", "dot" if waiting else "ring", str(waiting))

    def _give_up(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for msg, timer in self.waiting.values():
            timer.cancel()
            self.ctx.done(msg)
        for msg in [*self.queue, *self.topics.values()]:
            self.ctx.done(msg)
        self.waiting.clear()
        self.queue.clear()
        self.topics.clear()

    async def stop(self) -> None:
        self._give_up()


_NO_FLUSH = object()


def _has_content(msg: Message) -> bool:
    """False for a control message that carries nothing but flush or reset."""
    return any(key not in _CONTROL for key in msg)


def _flush_count(flush: Any, available: int) -> int:
    number = _number(flush)
    if number is None or isinstance(flush, bool):
        return available
    return max(0, min(available, math.floor(number)))


def _number(value: Any) -> float | None:
    """A number, or text read as JavaScript's ``Number()`` reads it; None for NaN and for
    values of other types (``true``, ``null``, lists), which, as in Node-RED, override nothing."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    number = to_number(value)
    return None if math.isnan(number) else number
