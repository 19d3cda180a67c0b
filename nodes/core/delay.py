"""delay: delay each message, or limit the rate at which messages pass."""

from __future__ import annotations

import math
import random
from collections import deque
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import Message, NodeConfig, Output, Timer, Transform, field

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
      dropped too, unless it also carries `flush` and more in `rate` mode: then, as in
      Node-RED, it is sent after the flushed messages.
    - `flush`: send the messages the node holds now, all of them or, when `flush` is a
      number, that many of the oldest. A message carrying nothing but `flush` only flushes.
    - `toFront`: `rate` mode: queue this message first rather than last.

    ### Outputs

    1. The messages, delayed or spread out.
    2. With `dropped_output`: the messages the node dropped (`rate` mode with `drop`, over the
       limit in `burst` mode, or replaced in `topic` mode).

    ### Details

    - **delay**: each message waits `delay` seconds from its arrival (or `msg.delay`
      milliseconds, with `allow_override`), independently of the others.
    - **random**: each message waits a random time between `delay` and `max_delay` seconds.
    - **rate**: at most `rate` messages per `per` seconds pass. The first message passes at
      once; the next ones are queued and released one per interval, or with `drop`, dropped.
    - **topic**: the node keeps the latest message of each `topic` (a newer one replaces the
      one waiting) and, every `rate` per `per` seconds, releases the oldest waiting topic's
      message (`release: next`) or every waiting message (`release: all`). A message without
      a `topic` is given `topic: "_none_"`, kept and sent so, as Node-RED does.
    - **burst**: at most `rate` messages pass within any `per` seconds, at once: each message
      sent takes a slot that frees `per` seconds after it was sent; a message that finds no
      free slot is dropped (or sent on the second output). `msg.reset` frees every slot and is
      not sent. The status is a green ring, a red dot once a message was dropped, green again
      when a slot frees. As Node-RED 5.0's `burst` rate limit; `flush` means nothing here.

    When more than `max_queue` messages wait, the flow's sources (and a file being read line by
    line) pause until half of them have gone: a flood slows down to the node's pace instead of
    filling memory, and no message is refused or dropped (rate mode with `drop` aside). The
    status shows how many messages wait. At shutdown, waiting messages are given up, not sent
    (a broker's are nacked, to be redelivered).
    """

    type = "delay"
    icon = "clock"
    asynchronous = True

    class Config(NodeConfig):
        mode: Literal["delay", "random", "rate", "topic", "burst"] = field(
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
        rate: float = field(1.0, description="Messages let through per `per` seconds (`burst` "
                            "mode: at most so many within any `per` seconds).", gt=0)
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
        max_queue: int = field(
            1000,
            description="Messages held beyond which the flow's sources wait for this node.",
            ge=1,
            advanced=True,
        )

        @model_validator(mode="after")
        def _consistent(self) -> Delay.Config:
            if self.mode == "random":
                if self.max_delay is None or self.max_delay < self.delay:
                    raise ValueError("random mode needs max_delay, at least delay")
            elif self.max_delay is not None:
                raise ValueError("max_delay applies to the random mode")
            if self.dropped_output and not (self.mode in ("topic", "burst") or self.drop):
                raise ValueError("dropped_output applies to the topic and burst modes and to "
                                 "rate with drop")
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
        self.slots: list[Timer] = []
        """burst mode: one timer per message sent within the last `per` seconds."""

    async def start(self) -> None:
        self.started = self.ctx.now()
        self.ctx.pace(self.config.max_queue)
        if self.config.mode == "burst":
            self.ctx.status("green", "ring", "")

    def process(self, msg: Message) -> Output:
        mode = self.config.mode
        if mode in ("delay", "random"):
            return self._delay(msg)
        if mode == "burst":
            return self._burst(msg)
        if self.config.allow_override:
            self._override_rate(msg)
        if mode == "rate" and self.config.drop:
            return self._drop_too_soon(msg)
        flush = msg.pop("flush", None) if "flush" in msg else _NO_FLUSH
        if "reset" in msg:
            if flush is not _NO_FLUSH:
                self._flush(flush)
            self._reset()
            if mode == "rate" and flush is not _NO_FLUSH and _has_content(msg):
                msg.pop("reset")  # as Node-RED: flushed out after the others
                return msg
            return None
        if _has_content(msg):
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

    # burst -----------------------------------------------------------------------------

    def _burst(self, msg: Message) -> Output:
        if "reset" in msg:
            self._free_slots()
            self.ctx.status("green", "ring", "")
            return None
        if len(self.slots) < self.config.rate:
            slot: list[Timer] = []
            slot.append(self.ctx.call_later(self.config.per, lambda: self._free_slot(slot[0])))
            self.slots.append(slot[0])
            return msg
        self.ctx.status("red", "dot", "")
        return [None, msg] if self.config.dropped_output else None

    def _free_slot(self, timer: Timer) -> None:
        if len(self.slots) >= self.config.rate:
            self.ctx.status("green", "ring", "")
        self.slots.remove(timer)

    def _free_slots(self) -> None:
        for timer in self.slots:
            timer.cancel()
        self.slots.clear()

    # topic -----------------------------------------------------------------------------

    def _keep_latest(self, msg: Message) -> None:
        if "topic" not in msg:
            msg["topic"] = "_none_"  # Node-RED's topic for messages without one
        key = group_key(msg["topic"])
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

    def _send_held(self, msg: Message) -> None:
        msg.pop("reset", None)
        self.ctx.send(msg, origin=msg)
        self.ctx.done(msg)

    def _report(self, waiting: int) -> None:
        if self.config.mode in ("delay", "random") and self.config.delay < 1:
            return
        self.ctx.status("blue", "dot" if waiting else "ring", str(waiting))

    def _give_up(self) -> None:
        self._free_slots()
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
