"""Closing a journal (flowrt/run/journal.py) whatever its committer is doing: Python 3.11's
asyncio.wait_for swallowed a cancellation that arrived as the wait it guarded ended, and the
committer then went on and waited for work for ever, and close() with it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from flowrt.api import Ack
from flowrt.run.clock import RealClock
from flowrt.run.inflow import Inflow
from flowrt.run.journal import Journal
from flowrt.run.journal_file import JournalSettings
from flowrt.types import Message


class Flow:
    """The runtime's intake as the journal sees it; the test finishes the messages fed."""

    def __init__(self) -> None:
        self.inflow = Inflow()
        self.full = False
        self.room = asyncio.Event()
        self.room.set()
        self.acks: list[Ack] = []

    def emit_source(self, node_id: str, msg: Message, ack: Ack | None) -> None:
        assert ack is not None
        self.acks.append(ack)


class BrokerAck:
    async def ack(self) -> None:
        return None

    async def nack(self, requeue: bool = True) -> None:
        return None


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.001)


async def close_while_work_comes(journal: Journal, flow: Flow, turns: int) -> None:
    """The committer waits a little to delete a finished row; a message is read, and the
    source stops ``turns`` turns of the loop later; close() must end, and the committer too."""
    await journal.open()
    journal.take("src", {"payload": 1}, BrokerAck())
    journal.take("src", {"payload": 2}, BrokerAck())
    await until(lambda: len(flow.acks) == 2)  # committed and fed
    await flow.acks[0].ack()  # finished: its row is deleted by the next commit
    await asyncio.sleep(0)
    await flow.acks[1].ack()  # finished while that commit runs
    await until(lambda: not journal._work.is_set())  # the committer waits a little
    journal.take("src", {"payload": 3}, BrokerAck())  # ... and has work again
    for _ in range(turns):
        await asyncio.sleep(0)
    await journal.stop_reading()
    committer = journal._committer
    assert committer is not None
    closing = asyncio.get_running_loop().create_task(journal.close())
    await asyncio.wait({closing}, timeout=20)  # a hang fails here, not the whole run
    assert closing.done(), f"close() hangs ({turns} turns)"
    assert committer.done(), f"the committer outlived close() ({turns} turns)"


def test_a_journal_closes_however_its_committer_is_caught(tmp_path: Path) -> None:
    """60 stops, landing 0 to 5 turns after the committer has work again. Python 3.11's
    wait_for swallowed the cancellation at 0 to 2 turns: close() then waited for ever."""

    async def scenario() -> None:
        for i in range(60):
            flow = Flow()
            journal = Journal("src", tmp_path / f"j{i}.sqlite", JournalSettings(),
                              flow=flow, clock=RealClock(), log_node=lambda *_: None)
            await close_while_work_comes(journal, flow, i % 6)

    asyncio.run(scenario())
