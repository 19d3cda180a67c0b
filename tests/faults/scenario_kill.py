"""Kill -9 one of two workers in the middle of an AMQP -> script -> PostgreSQL stream.

Two workers consume one durable queue holding ``messages`` numbered messages (competing
consumers), each paced to ``rate`` messages a second so the stream lasts long enough to be cut
in its middle. Once the table has ``kill_after`` rows, one worker is killed with SIGKILL: it
drains nothing, acknowledges nothing. RabbitMQ gives its unacknowledged messages to the
survivor, which writes them again.

**The bound on duplicates.** A worker holds at most ``prefetch`` unacknowledged messages: the
sink's batches and buffer only ever hold messages of that set, because amqp-in acknowledges a
message once its row is committed. So the rows the killed worker committed whose
acknowledgement never reached the broker (committed but not yet acknowledged, in the batch
whose commit raced the kill) are at most ``prefetch``: duplicates <= prefetch.

**After the kill** the survivor writes everything: once the killed worker's database sessions
are gone (its connections carry its name as ``application_name``), no row with a higher ``id``
can come from it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.faults.brokers import delete_queue, fill_queue, queue_depth
from tests.faults.harness import Tally, Worker, tag, tally, wait_for, workers, write_flow
from tests.faults.pipelines import ENV, amqp_source, pipeline, postgres_sink
from tests.faults.stores import Table, check_content
from tests.support.servers import url


@dataclass
class KillOutcome:
    tally: Tally
    prefetch: int
    killed: str
    survivor: str
    rows_at_kill: int
    """Rows in the table when the worker was killed."""
    killed_rows: int
    """Rows the killed worker wrote (before it died)."""
    rows_after_kill: int
    """Rows written once the killed worker's sessions were gone."""
    writers_after_kill: set[str]
    bad_content: int
    bad_duplicates: list[tuple[int, list[str]]]
    """Numbers written twice whose first row is not the killed worker's, or whose later rows
    are not the survivor's (a duplicate that no kill explains)."""
    depth_at_end: int
    survivor_exit: int | None
    survivor_errors: list[dict[str, Any]] = field(default_factory=list)
    grouped: bool = False
    """Both workers logged joining the group (run with ``group_db``)."""


def kill_worker(
    mode: str = "insert",
    messages: int = 10_000,
    prefetch: int = 100,
    rate: float = 500.0,
    kill_after: int = 2_000,
    group_db: str | None = None,
) -> KillOutcome:
    """Run the scenario once. ``mode``: postgres-out's (``insert``: a table without a unique
    key, duplicates show; ``ignore``: ``seq`` is unique). ``group_db``: run the workers as a
    group (``--group``) whose locks live in that database."""
    run = tag()
    amqp, pg = url("amqp"), url("pg")
    queue, table_name = f"flowrt-fault-kill-{run}", f"fault_kill_{run}"
    table = Table(pg, table_name).create(unique=mode == "ignore")
    directory = Path(tempfile.mkdtemp(prefix="flowrt-fault-kill-"))
    try:
        fill_queue(amqp, queue, range(messages))
        flow = pipeline(amqp_source(amqp, queue, prefetch),
                        postgres_sink(pg, table_name, mode=mode), rate=rate)
        path = write_flow(directory, f"fault-kill-{run}", flow)
        args: list[str] = []
        if group_db is not None:
            args = ["--group", f"fault-kill-{run}", "--group-db", group_db]
        names = (f"victim-{run}", f"survivor-{run}")
        made = [Worker(name, [path], ENV, [*args, "--worker", name] if args else [])
                for name in names]
        with workers(*made) as (victim, survivor):
            for worker in (victim, survivor):
                worker.wait_running()
            rows_at_kill = wait_for(
                lambda: (n if (n := table.count()) >= kill_after else 0),
                f"{kill_after} rows before the kill", workers=[victim, survivor],
            )
            victim.kill()
            wait_for(lambda: table.sessions(victim.name) == 0,
                     "the killed worker's database sessions to end", workers=[survivor])
            last_before = table.max_id()
            wait_for(lambda: table.distinct() >= messages, f"all {messages} numbers in the table",
                     timeout=180, workers=[survivor])
            wait_for(lambda: queue_depth(amqp, queue) == 0, "an empty queue", workers=[survivor])
            survivor_exit = survivor.stop()
        depth_at_end = queue_depth(amqp, queue)
        rows = table.rows()
    finally:
        delete_queue(amqp, queue)
        table.drop()
        shutil.rmtree(directory, ignore_errors=True)
    after = [r for r in rows if r.id > last_before]
    by_seq: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        by_seq[r.seq].append((r.id, r.worker))
    bad_duplicates = []
    for seq, written in by_seq.items():
        if len(written) > 1:
            writers = [w for _, w in sorted(written)]
            if writers[0] != victim.name or any(w != survivor.name for w in writers[1:]):
                bad_duplicates.append((seq, writers))
    return KillOutcome(
        tally=tally(range(messages), (r.seq for r in rows)),
        prefetch=prefetch,
        killed=victim.name,
        survivor=survivor.name,
        rows_at_kill=rows_at_kill,
        killed_rows=sum(1 for r in rows if r.worker == victim.name),
        rows_after_kill=len(after),
        writers_after_kill={r.worker for r in after},
        bad_content=len(check_content(rows)),
        bad_duplicates=bad_duplicates,
        depth_at_end=depth_at_end,
        survivor_exit=survivor_exit,
        survivor_errors=survivor.errors(),
        grouped=all(
            any("joined as worker" in str(r.get("message")) for r in w.log())
            for w in (victim, survivor)
        ),
    )
