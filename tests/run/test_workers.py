"""A sink that prepares its batches (flowrt/run/workers.py, ``Sink.prepare``): the next full
batch is handed over while the one before is written, writes stay one at a time and in order,
and a message is acknowledged only once its own batch's write returned. On the virtual clock."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from flowrt.api import Message, NodeConfig, NotConnected, Sink, field
from flowrt.registry import Registry
from flowrt.registry.spec import spec_for
from flowrt.testing import run_flow
from tests.run.conftest import PACK, SETTLED, WRITTEN

EVENTS: list[tuple[Any, ...]] = []
"""What the preparing sink saw, in order, each with what was written by then."""
EARLY: list[Any] = []
"""Payloads acknowledged before their own batch's write returned (none may be)."""


class Preparing(Sink):
    """Writes payloads to WRITTEN[id] in batches of 4, each write taking `seconds`; records
    each prepare and write in EVENTS, and acknowledgements that came too early in EARLY."""

    type = "preparing"
    batch_size: ClassVar[int] = 4
    batch_interval: ClassVar[float] = 10.0

    class Config(NodeConfig):
        seconds: float = field(1.0, description="How long each write takes.")
        failures: int = field(0, description="NotConnected errors the first write raises.")
        broken: bool = field(False, description="prepare raises.")

    async def start(self) -> None:
        self.left = self.config.failures
        self.ready: dict[int, list[Message]] = {}

    def prepare(self, batch: list[Message]) -> None:
        if self.config.broken:
            raise RuntimeError("prepare broke")
        self.ready[id(batch)] = batch
        EVENTS.append(("prepare", [m["payload"] for m in batch], list(WRITTEN[self.id])))

    async def write(self, batch: list[Message]) -> None:
        payloads = [m["payload"] for m in batch]
        EVENTS.append(("write", payloads, self.ready.get(id(batch)) is batch,
                       list(WRITTEN[self.id])))
        if self.left > 0:
            self.left -= 1
            raise NotConnected("server away")
        await self.ctx.sleep(self.config.seconds)
        EARLY.extend(p for p in acked() if p in payloads)
        self.ready.pop(id(batch), None)
        WRITTEN[self.id].extend(payloads)


def acked() -> list[Any]:
    return [payload for how, payload in SETTLED["src"] if how == "ack"]


@pytest.fixture
def registry() -> Registry:
    return Registry(spec_for(cls, "test") for cls in [*PACK, Preparing])


@pytest.fixture(autouse=True)
def _events() -> None:
    EVENTS.clear()
    EARLY.clear()


def flow(count: int, sink: str = "{type: preparing}") -> str:
    return (f"flowrt: 1\nnodes:\n  src: {{type: numbers, count: {count}, to: out}}\n"
            f"  out: {sink}\n")


def test_the_next_full_batch_is_prepared_while_the_one_before_is_written(
    registry: Registry,
) -> None:
    run_flow(flow(12), registry=registry)
    assert WRITTEN["out"] == list(range(12))
    assert EVENTS == [
        ("write", [0, 1, 2, 3], False, []),
        ("prepare", [4, 5, 6, 7], []),  # while 0-3 are being written
        ("write", [4, 5, 6, 7], True, [0, 1, 2, 3]),
        ("prepare", [8, 9, 10, 11], [0, 1, 2, 3]),
        ("write", [8, 9, 10, 11], True, [0, 1, 2, 3, 4, 5, 6, 7]),
    ]
    assert EARLY == []
    assert acked() == list(range(12))


def test_a_batch_that_did_not_fill_meanwhile_is_written_unprepared(registry: Registry) -> None:
    run_flow(flow(6), registry=registry)
    assert WRITTEN["out"] == list(range(6))
    assert EVENTS == [
        ("write", [0, 1, 2, 3], False, []),
        ("write", [4, 5], False, [0, 1, 2, 3]),
    ]


def test_a_batch_written_again_keeps_its_place_and_what_was_prepared(
    registry: Registry,
) -> None:
    run_flow(flow(8, "{type: preparing, failures: 2}"), registry=registry)
    assert WRITTEN["out"] == list(range(8))
    assert EVENTS == [
        ("write", [0, 1, 2, 3], False, []),
        ("prepare", [4, 5, 6, 7], []),
        ("write", [0, 1, 2, 3], False, []),  # retried before the prepared batch is written
        ("write", [0, 1, 2, 3], False, []),
        ("write", [4, 5, 6, 7], True, [0, 1, 2, 3]),
    ]
    assert EARLY == []
    assert acked() == list(range(8))


def test_a_prepare_that_raises_is_logged_and_the_batch_written_anyway(
    registry: Registry,
) -> None:
    result = run_flow(flow(8, "{type: preparing, broken: true}"), registry=registry)
    assert WRITTEN["out"] == list(range(8))
    assert [e[:3] for e in EVENTS] == [("write", [0, 1, 2, 3], False),
                                       ("write", [4, 5, 6, 7], False)]
    assert any(node == "out" and "preparing a batch failed" in text and "prepare broke" in text
               for node, _, text in result.logs)
    assert acked() == list(range(8))
