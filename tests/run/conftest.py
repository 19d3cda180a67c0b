"""A node pack for engine tests: each class exercises one part of the node contract."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from flowrt_nodes.core.catch import Catch
from flowrt_nodes.core.complete import Complete
from flowrt_nodes.core.status import Status

from flowrt.api import (
    AsyncTransform,
    ConfigError,
    EndOfInput,
    Message,
    NodeConfig,
    NotConnected,
    Output,
    Sink,
    SinkConfig,
    Source,
    Transform,
    field,
)
from flowrt.registry import Registry
from flowrt.registry.spec import spec_for

WRITTEN: dict[str, list[Any]] = defaultdict(list)
"""Sink id -> payloads written, in order."""
SETTLED: dict[str, list[tuple[str, Any]]] = defaultdict(list)
"""Source id -> ("ack" | "nack", payload) in the order they were settled."""
SEEN: dict[str, list[int]] = defaultdict(list)
"""Node id -> id() of each message object it received."""


class RecordingAck:
    def __init__(self, source: str, payload: Any) -> None:
        self.source, self.payload = source, payload

    async def ack(self) -> None:
        SETTLED[self.source].append(("ack", self.payload))

    async def nack(self, requeue: bool = True) -> None:
        SETTLED[self.source].append(("nack", self.payload))


class Numbers(Source):
    """Emits payloads 0..count-1, each with an acknowledgement, then ends."""

    type = "numbers"

    class Config(NodeConfig):
        count: int = field(3, description="How many.")
        ack: bool = field(True, description="Give each message an acknowledgement.")

    async def start(self) -> None:
        self.next = 0

    async def read(self) -> tuple[Message, Any]:
        if self.next >= self.config.count:
            raise EndOfInput("done")
        n = self.next
        self.next += 1
        return {"payload": n}, RecordingAck(self.id, n) if self.config.ack else None


class Windowed(Source):
    """Like a broker with a prefetch: emits 0..count-1, never more than `window` of them
    unacknowledged at once, and declares that window to the engine when `declare` is true."""

    type = "windowed"

    class Config(NodeConfig):
        count: int = field(20, description="How many.")
        window: int = field(5, description="Most messages unacknowledged at once.")
        declare: bool = field(True, description="Tell the engine about the window.")

    async def start(self) -> None:
        self.next = 0
        self.unacked = 0
        self.room = asyncio.Event()

    def window(self) -> tuple[str, int] | None:
        return (self.id, self.config.window) if self.config.declare else None

    async def read(self) -> tuple[Message, Any]:
        if self.next >= self.config.count:
            raise EndOfInput("done")
        while self.unacked >= self.config.window:
            self.room.clear()
            await self.room.wait()
        n = self.next
        self.next += 1
        self.unacked += 1
        return {"payload": n}, WindowAck(self, n)


class Bursts(Source):
    """Like publishers that send in bursts: `bursts` times, `size` messages at hand at once,
    then a pause of `pause` seconds on the engine clock with none; then ends. Payloads count
    from 0."""

    type = "bursts"

    class Config(NodeConfig):
        bursts: int = field(3, description="How many bursts.")
        size: int = field(10, description="Messages in a burst.")
        pause: float = field(5.0, description="Seconds between bursts.")

    async def start(self) -> None:
        self.next = 0

    async def read(self) -> tuple[Message, Any]:
        n = self.next
        if n >= self.config.bursts * self.config.size:
            raise EndOfInput("done")
        if n and n % self.config.size == 0:
            await self.ctx.sleep(self.config.pause)
        self.next += 1
        return {"payload": n}, None


class WindowAck(RecordingAck):
    def __init__(self, source: Windowed, payload: Any) -> None:
        super().__init__(source.id, payload)
        self.windowed = source

    async def ack(self) -> None:
        await super().ack()
        self.windowed.unacked -= 1
        self.windowed.room.set()


class Add(Transform):
    """Adds to the payload."""

    type = "add"

    class Config(NodeConfig):
        amount: int = field(1, description="Amount.")

    def process(self, msg: Message) -> Output:
        msg["payload"] += self.config.amount
        return msg


class Tag(Transform):
    """Sets payload[key] = value on a dict payload (mutates the message)."""

    type = "tag"

    class Config(NodeConfig):
        key: str = field(description="Key.")

    def process(self, msg: Message) -> Output:
        SEEN[self.id].append(id(msg))
        msg["payload"][self.config.key] = True
        return msg


class Peek(Transform):
    """Records what it sees and changes nothing."""

    type = "peek"
    category = "sink"
    outputs = 0
    mutates = False

    def process(self, msg: Message) -> Output:
        SEEN[self.id].append(id(msg))
        WRITTEN[self.id].append(msg["payload"])
        return None


class Boom(Transform):
    """Fails on the given payload."""

    type = "boom"

    class Config(NodeConfig):
        bad: Any = field(description="The payload that fails.")

    def process(self, msg: Message) -> Output:
        if msg["payload"] == self.config.bad:
            raise ValueError(f"bad payload {msg['payload']!r}")
        return msg


class Parity(Transform):
    """Even payloads on port 0, odd on port 1; 10 and up: both ports, twice on port 1."""

    type = "parity"
    outputs = 2

    def process(self, msg: Message) -> Output:
        n = msg["payload"]
        if n >= 10:
            return [msg, [{"payload": -n}, {"payload": -n - 1}]]
        return [msg, None] if n % 2 == 0 else [None, msg]


class Later(Transform):
    """Holds each message and sends it after `seconds` (a delay)."""

    type = "later"
    asynchronous = True

    class Config(NodeConfig):
        seconds: float = field(1.0, description="Delay.")

    def process(self, msg: Message) -> Output:
        self.ctx.hold(msg)

        def fire() -> None:
            self.ctx.send(msg, origin=msg)
            self.ctx.done(msg)

        self.ctx.call_later(self.config.seconds, fire)
        return None


class Pairs(Transform):
    """Joins every two messages into one whose payload is the list of both."""

    type = "pairs"
    asynchronous = True

    async def start(self) -> None:
        self.waiting: list[Message] = []

    def process(self, msg: Message) -> Output:
        self.ctx.hold(msg)
        self.waiting.append(msg)
        if len(self.waiting) == 2:
            parts, self.waiting = self.waiting, []
            self.ctx.send({"payload": [m["payload"] for m in parts]}, origin=parts)
            for part in parts:
                self.ctx.done(part)
        return None


class Slow(AsyncTransform):
    """Waits `seconds` per message (on the engine clock), then sends it on."""

    type = "slow"

    class Config(NodeConfig):
        seconds: float = field(1.0, description="Wait.")

    async def receive(self, msg: Message) -> None:
        await self.ctx.sleep(self.config.seconds)
        self.ctx.send(msg)


class Collect(Sink):
    """Writes payloads to WRITTEN[id]; fails with NotConnected `failures` times first."""

    type = "collect"
    queue_size: ClassVar[int] = 1000

    class Config(NodeConfig):
        failures: int = field(0, description="NotConnected errors to raise before writing.")
        fail_on: Any = field(None, description="A payload whose batch fails for good.")
        reject: list[Any] = field(
            default_factory=list, description="Payloads refused one by one (ctx.error)."
        )

    async def start(self) -> None:
        self.left = self.config.failures
        self.batches: list[int] = []
        self.times: list[float] = []
        """When each batch was written, on the engine clock."""

    async def write(self, batch: list[Message]) -> None:
        if self.left > 0:
            self.left -= 1
            raise NotConnected("server away")
        if any(m["payload"] == self.config.fail_on for m in batch):
            raise RuntimeError("rejected by the server")
        for m in batch:
            if m["payload"] in self.config.reject:
                self.ctx.error(ValueError(f"refused {m['payload']}"), m)
            else:
                WRITTEN[self.id].append(m["payload"])
        self.batches.append(len(batch))
        self.times.append(self.ctx.now())


class Batched(Collect):
    """Collect, in batches of up to 4, waiting up to 1 s for a batch to fill."""

    type = "batched"
    batch_size: ClassVar[int] = 4
    batch_interval: ClassVar[float] = 1.0


class BigBatch(Collect):
    """Collect, in batches of up to 50, waiting up to 10 s for a batch to fill."""

    type = "big-batch"
    batch_size: ClassVar[int] = 50
    batch_interval: ClassVar[float] = 10.0


class CollectBig(Collect):
    """Collect, in batches of up to 1,000, waiting up to 10 s for a batch to fill."""

    type = "collect-big"
    batch_size: ClassVar[int] = 1000
    batch_interval: ClassVar[float] = 10.0


class Stalled(Sink):
    """A sink with the standard buffer settings whose server stalls: its first write waits
    `stall` seconds on the engine clock; records the longest its queue grew."""

    type = "stalled"

    class Config(SinkConfig):
        stall: float = field(1.0, description="Seconds the first write waits.")

    async def start(self) -> None:
        self.stalled = False
        self.longest = 0

    async def write(self, batch: list[Message]) -> None:
        queue = self.ctx.runtime.queues[self.id]  # type: ignore[attr-defined]
        self.longest = max(self.longest, len(queue) + len(batch))
        if not self.stalled:
            self.stalled = True
            await self.ctx.sleep(self.config.stall)
        WRITTEN[self.id].extend(m["payload"] for m in batch)


class Misconfigured(Source):
    """A source whose server says its configuration cannot work (an unknown queue)."""

    type = "misconfigured"

    async def start(self) -> None:
        self.attempts = 0

    async def connect(self) -> None:
        self.attempts += 1
        raise ConfigError("the queue 'jobs' does not exist: declare it", node=self.id)

    async def read(self) -> tuple[Message, Any]:
        raise AssertionError("never read: connect failed")


class Signal(Transform):
    """Sets its status to the payload's text."""

    type = "signal"

    def process(self, msg: Message) -> Output:
        self.ctx.status("green", "dot", str(msg["payload"]))
        return msg


PACK = [Numbers, Windowed, Bursts, CollectBig, BigBatch, Add, Tag, Peek, Boom, Parity, Later,
        Pairs, Slow, Collect, Batched, Stalled, Misconfigured, Signal, Catch, Status, Complete]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry(spec_for(cls, "test") for cls in PACK)


@pytest.fixture(autouse=True)
def _clean() -> None:
    WRITTEN.clear()
    SETTLED.clear()
    SEEN.clear()


@pytest.fixture
def rabbit() -> Iterator[Any]:
    """RabbitMQ for the delivery tests (tests/run/guarantee_kit.py); imported here lazily, so
    the engine tests never load pika."""
    from tests.run.guarantee_kit import open_rabbit

    yield from open_rabbit()


@pytest.fixture
def db() -> Iterator[Any]:
    """PostgreSQL for the delivery tests, with tables dropped after the test."""
    from tests.run.guarantee_kit import open_database

    yield from open_database()
