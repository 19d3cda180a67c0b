"""Groups against a real PostgreSQL: one worker holds a singleton, another takes over when it
leaves, dies or loses its database session; the member table shows who is alive and holds what."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import psycopg

from flowrt.group import Group
from tests.support.servers import PrivateServer
from tests.support.waiting import eventually


def run(coro: object) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]


def test_one_worker_holds_a_singleton_and_another_takes_over_when_it_leaves(
    group_name: str, pg: str
) -> None:
    async def scenario() -> None:
        a = Group(group_name, pg, worker="a", poll=0.2)
        b = Group(group_name, pg, worker="b", poll=0.2)
        await a.start()
        await b.start()
        try:
            la, lb = a.lease("tick"), b.lease("tick")
            await eventually(lambda: la.held or lb.held, "one worker to take the lease")
            await asyncio.sleep(1.0)  # several rounds: the other must still not have it
            assert la.held != lb.held, "exactly one worker holds a singleton"
            holder, other = (a, b) if la.held else (b, a)
            other_lease = lb if la.held else la
            await eventually(lambda: other.holder("tick") == holder.worker,
                             "the other worker to see who holds it")
            await holder.stop()
            await eventually(lambda: other_lease.held, "the other worker to take over")
            await eventually(
                lambda: [m.worker for m in other.members if m.alive] == [other.worker],
                "the worker that left to show as gone")
        finally:
            await a.stop()
            await b.stop()

    run(scenario())


def test_a_lost_database_session_stops_the_singleton_there_and_another_takes_over(
    group_name: str, pg: str
) -> None:
    """The holder's session is ended by the database (as when the network between them
    breaks): the holder revokes its lease at once; the other worker gets it; the first,
    reconnected, stays in standby."""

    async def scenario() -> None:
        a = Group(group_name, pg, worker="a", poll=0.2)
        await a.start()
        la = a.lease("tick")
        await eventually(lambda: la.held, "a to take the lease")
        b = Group(group_name, pg, worker="b", poll=0.2)
        await b.start()
        lb = b.lease("tick")
        try:
            await asyncio.sleep(0.6)
            assert la.held and not lb.held
            async with await psycopg.AsyncConnection.connect(pg, autocommit=True) as admin:
                await admin.execute(
                    "SELECT pg_terminate_backend(backend_pid) FROM flowrt_group_member "
                    "WHERE group_name = %s AND worker = 'a'", (group_name,))
            await asyncio.wait_for(la.lost(), 15)
            await eventually(lambda: lb.held, "b to take over")
            await eventually(lambda: a.connected, "a to reconnect")
            await asyncio.sleep(1.0)
            assert not la.held, "b holds it now: a waits"
            assert {m.worker for m in b.members if m.alive} == {"a", "b"}
        finally:
            await a.stop()
            await b.stop()

    run(scenario())


def test_members_show_messages_and_what_each_holds(group_name: str, pg: str) -> None:
    async def scenario() -> None:
        a = Group(group_name, pg, worker="a", poll=0.2, address="http://127.0.0.1:1")
        b = Group(group_name, pg, worker="b", poll=0.2)
        a.count(lambda: 42)
        retire = b.count(lambda: 7)
        await a.start()
        await b.start()
        try:
            a.lease("tick")
            await eventually(lambda: "tick" in a.leases.held, "a to take tick")
            b.lease("tock")
            await eventually(lambda: "tock" in b.leases.held, "b to take tock")
            retire()
            b.count(lambda: 1)

            def seen() -> dict[str, tuple[int, tuple[str, ...], bool]]:
                return {m.worker: (m.messages, m.holds, m.alive) for m in a.members}

            await eventually(lambda: seen() == {"a": (42, ("tick",), True),
                                                "b": (8, ("tock",), True)},
                             "both members with their counts and holds")
            me = next(m for m in a.members if m.worker == "a").public("a")
            assert me["me"] is True and me["address"] == "http://127.0.0.1:1"
            assert b.holder("tick") == "a" and a.holder("tock") == "b"
        finally:
            await a.stop()
            await b.stop()

    run(scenario())


def test_singletons_wait_for_the_database_and_start_when_it_answers(
    group_name: str, private: Callable[[str], PrivateServer]
) -> None:
    async def scenario() -> None:
        server = private("pg")
        url = server.url
        await asyncio.to_thread(server.stop)
        a = Group(group_name, url, worker="a", poll=0.2)
        await a.start(wait=2.0)
        lease = a.lease("tick")
        try:
            await asyncio.sleep(1.0)
            assert not a.connected and not lease.held
            await asyncio.to_thread(server.start)
            await eventually(lambda: lease.held, "the lease once the database answers", 60)
            losses = lease.losses
            await asyncio.to_thread(server.restart)
            # the lease may be lost and taken again before the restart returns: count, not wait
            await eventually(lambda: lease.losses > losses, "the lease lost in the restart", 30)
            await eventually(lambda: lease.held, "the lease again after the restart", 60)
        finally:
            await a.stop()

    run(scenario())

