"""batch: group messages into sequences by count, by time, or by concatenating sequences."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import Message, NodeConfig, NodeError, Output, Timer, Transform, clone, field

from .message_sequence import group_key, whole_count


def _ends_sequence(parts: Any) -> bool:
    """Whether a message's ``parts`` make it its sequence's last (``index`` + 1 is ``count``)."""
    if not isinstance(parts, dict):
        return False
    index, count = parts.get("index"), parts.get("count")
    if isinstance(index, bool) or isinstance(count, bool):
        return False
    return isinstance(index, int | float) and isinstance(count, int | float) and index + 1 == count


class Batch(Transform):
    """Group messages into sequences: by count, by time interval, or by concatenating sequences.

    ### Inputs

    - Any message. In `concat` mode, `topic` says which sequence the message belongs to and
      `parts` (`id`, `index`, `count`) its place in it; a message of another topic is dropped,
      and one without complete `parts` is an error.
    - `reset`: drop the messages kept so far, without sending them (the message itself is
      dropped too).

    ### Outputs

    - The messages, each with `parts` set: `id` (the id of the sequence's first message),
      `index` (from 0) and `count`. Other keys a message's `parts` had are kept.

    ### Details

    **count**: every `count` messages form a sequence. With `overlap`, the last `overlap`
    messages of a sequence are also the first ones of the next. With `honour_parts`, the last
    message of an incoming sequence (its `parts.index` + 1 is its `parts.count`) also ends the
    sequence being formed, however few messages it has.

    **interval**: the messages that arrived during each `interval` seconds (counted from the
    start of the flow) form a sequence. With `send_empty`, an interval with no messages sends
    a message with a `null` payload, as a sequence of one.

    **concat**: a complete sequence from each of `topics` is sent as one sequence, in the
    order of `topics`, once every one of them has a complete sequence waiting.

    Messages are held until they are sent. At most `max_messages` are kept; past that they
    are all dropped with an error, as in Node-RED. In `interval` mode, which lets go of them on
    its own clock, the flow's sources pause instead while it holds more than half of
    `max_messages`, so a flood makes smaller sequences, not errors.
    """

    type = "batch"
    icon = "list"
    asynchronous = True

    class Config(NodeConfig):
        mode: Literal["count", "interval", "concat"] = field(
            "count", description="How to form the sequences."
        )
        count: int = field(10, description="`count` mode: messages per sequence.", ge=1)
        overlap: int = field(
            0, description="`count` mode: messages repeated from one sequence in the next.", ge=0
        )
        honour_parts: bool = field(
            False, description="`count` mode: the last message of an incoming sequence "
            "(`parts`) ends the sequence early."
        )
        interval: float = field(
            10.0, description="`interval` mode: seconds per sequence.", gt=0, examples=[60]
        )
        send_empty: bool = field(
            False, description="`interval` mode: send an empty message when none arrived."
        )
        topics: list[str] = field(
            default_factory=list,
            description="`concat` mode: the topics whose sequences are concatenated, in order.",
            examples=[["first", "second"]],
        )
        max_messages: int = field(
            10_000, description="Most messages kept at once.", ge=1, advanced=True
        )

        @model_validator(mode="after")
        def _consistent(self) -> Batch.Config:
            if self.overlap >= self.count:
                raise ValueError("overlap must be less than count")
            if self.mode == "concat" and not self.topics:
                raise ValueError("concat mode needs at least one topic")
            return self

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: list[Message] = []
        self.by_topic: dict[Any, dict[Any, list[Message]]] = {}
        """concat mode: topic -> sequence id -> messages, oldest sequence first."""
        self.timer: Timer | None = None
        self.started = 0.0

    async def start(self) -> None:
        self.started = self.ctx.now()
        if self.config.mode == "interval":
            self.ctx.pace(self.config.max_messages // 2)
            if self.config.send_empty:
                self._schedule()

    def process(self, msg: Message) -> Output:
        if "reset" in msg:
            self._release(self.pending)
            self.pending = []
            for groups in self.by_topic.values():
                for messages in groups.values():
                    self._release(messages)
            self.by_topic.clear()
            if self.config.mode == "interval":
                self._restart_interval()
            return None
        mode = self.config.mode
        if mode == "concat":
            self._concat(msg)
            return None
        self.ctx.hold(msg)
        self.pending.append(msg)
        if mode == "count":
            if len(self.pending) == self.config.count or (
                self.config.honour_parts and _ends_sequence(msg.get("parts"))
            ):
                kept = max(len(self.pending) - self.config.overlap, 0)
                self._send_sequence(self.pending, finished=kept)
                self.pending = self.pending[kept:]
        elif self.timer is None:
            self._schedule()
        if self._kept() > self.config.max_messages:
            self._overflow(msg)
        return None

    def _send_sequence(self, messages: list[Message], finished: int) -> None:
        """Send ``messages`` as one sequence; the first ``finished`` of them are done with."""
        sequence_id = messages[0].get("_msgid") or self.ctx.new_msgid()
        for index, msg in enumerate(messages):
            out = clone(msg)
            parts = out.get("parts")
            out["parts"] = {
                **(parts if isinstance(parts, dict) else {}),
                "id": sequence_id,
                "index": index,
                "count": len(messages),
            }
            self.ctx.send(out, origin=msg)
        for msg in messages[:finished]:
            self.ctx.done(msg)

    # interval mode -----------------------------------------------------------------------

    def _schedule(self) -> None:
        """Wake at the next interval boundary counted from the start."""
        interval = self.config.interval
        elapsed = self.ctx.now() - self.started
        ticks = math.floor(elapsed / interval + 1e-9) + 1
        self.timer = self.ctx.call_later(
            self.started + ticks * interval - self.ctx.now(), self._tick
        )

    def _tick(self) -> None:
        self.timer = None
        if self.pending:
            messages, self.pending = self.pending, []
            self._send_sequence(messages, finished=len(messages))
        elif self.config.send_empty:
            parts = {"id": self.ctx.new_msgid(), "index": 0, "count": 1}
            self.ctx.send({"_msgid": self.ctx.new_msgid(), "payload": None, "parts": parts})
        if self.config.send_empty:
            self._schedule()

    def _restart_interval(self) -> None:
        """Count intervals from now (after a reset)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.started = self.ctx.now()
        if self.config.send_empty:
            self._schedule()

    # concat mode -------------------------------------------------------------------------

    def _concat(self, msg: Message) -> None:
        topic = msg.get("topic")
        if topic not in self.config.topics:
            return
        parts = msg.get("parts")
        if not (isinstance(parts, dict) and all(k in parts for k in ("id", "index", "count"))):
            raise NodeError(
                "batch: a message to concatenate needs parts.id, parts.index and parts.count"
            )
        self.ctx.hold(msg)
        groups = self.by_topic.setdefault(topic, {})
        groups.setdefault(group_key(parts["id"]), []).append(msg)
        if self._kept() > self.config.max_messages:
            self._overflow(msg)
            return
        firsts = []
        for wanted in self.config.topics:
            first = next(iter(self.by_topic.get(wanted, {}).values()), None)
            count = whole_count(first[0]["parts"].get("count")) if first else None
            if first is None or count is None or len(first) < count:
                return
            firsts.append(first)
        for wanted in dict.fromkeys(self.config.topics):
            groups = self.by_topic[wanted]
            del groups[next(iter(groups))]
        messages = [m for first in firsts for m in first]
        self._send_sequence(messages, finished=0)
        for msg_done in {id(m): m for m in messages}.values():
            self.ctx.done(msg_done)

    # limits and shutdown -----------------------------------------------------------------

    def _kept(self) -> int:
        in_topics = sum(len(m) for g in self.by_topic.values() for m in g.values())
        return len(self.pending) + in_topics

    def _overflow(self, msg: Message) -> None:
        kept = self.pending + [m for g in self.by_topic.values() for ms in g.values() for m in ms]
        self.pending = []
        self.by_topic.clear()
        self._release([m for m in kept if m is not msg])
        self.ctx.done(
            msg,
            NodeError(
                f"batch: more than {self.config.max_messages} messages kept; dropped them all"
            ),
        )

    def _release(self, messages: list[Message]) -> None:
        for msg in messages:
            self.ctx.done(msg)

    async def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self._release(self.pending)
        self.pending = []
        for groups in self.by_topic.values():
            for messages in groups.values():
                self._release(messages)
        self.by_topic.clear()
