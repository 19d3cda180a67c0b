"""`flowrt run --workers N` as an operator runs it: one parent process supervising N workers of
the same flows on this host, with no group database.

Against the real servers: an MQTT QoS 1 flow and an AMQP flow split their messages among two
workers, each worker handles some, and every message reaches the PostgreSQL table exactly once;
a timer runs on one worker only, and moves to the other when its holder is killed with SIGKILL;
SIGTERM of the parent drains every worker and exits 0. Options that cannot work with several
processes are refused, saying what to do. Nothing is timed: every wait is for a state, with a
generous timeout.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flowrt.cli.commands import main
from tests.faults.brokers import delete_queue, publish_amqp, publish_mqtt
from tests.faults.harness import Worker, tag, tally, wait_for, write_flow
from tests.faults.pipelines import ENV, WORK, amqp_source, mqtt_source, pipeline, postgres_sink
from tests.faults.stores import Table
from tests.support.servers import url

WORK_INDEX = WORK.replace('env.get("WORKER")', 'env.get("FLOWRT_WORKER_INDEX")')
"""The faults' script, naming the worker by the index its parent gave it."""
MESSAGES = 1000

TICK = """\
flowrt: 1
nodes:
  tick:
    type: inject
    repeat: 0.3
    payload: {type: env, value: FLOWRT_WORKER_INDEX}
    to: log
  log: {type: debug}
"""


@pytest.fixture
def parent_of() -> Iterator[Callable[..., Worker]]:
    """Start ``flowrt run FLOWS --workers N ...`` (JSON logs); killed with its workers after
    the test if still running."""
    made: list[Worker] = []

    def start(flows: list[Path], *args: str, env: dict[str, str] | None = None) -> Worker:
        parent = Worker("parent", flows, {**ENV, **(env or {})}, args).start()
        made.append(parent)
        return parent

    yield start
    for parent in made:
        pids = [p for p in started_pids(parent).values() if p]
        parent.cleanup()
        for pid in pids:  # a worker in a session of its own outlives a killed parent briefly
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def started_pids(parent: Worker) -> dict[int, int]:
    """Worker index -> pid of its latest start, from the parent's log."""
    pids: dict[int, int] = {}
    for record in parent.log():
        text = str(record.get("message", ""))
        if record.get("logger") == "flowrt.workers" and " started (pid " in text:
            index = int(text.split()[1].lstrip("w"))
            pids[index] = int(text.rsplit(" ", 1)[1].rstrip(")"))
    return pids


def prefixed(flow: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The flow with its node and connection ids prefixed: ids are unique in a project."""
    nodes = {}
    for node_id, node in flow["nodes"].items():
        node = dict(node)
        if "to" in node:
            node["to"] = prefix + node["to"]
        if "connection" in node:
            node["connection"] = prefix + node["connection"]
        nodes[prefix + node_id] = node
    return {"connections": {prefix + k: v for k, v in flow["connections"].items()},
            "nodes": nodes}


def running_workers(parent: Worker) -> set[str]:
    return {str(r["worker"]) for r in parent.log()
            if r.get("worker") and str(r.get("message", "")).startswith("running ")}


def test_the_options_that_cannot_work_with_several_workers_are_refused(tmp_path: Path) -> None:
    flow = tmp_path / "tick.yaml"
    flow.write_text(TICK)
    cases = {
        ("--until-idle",): "--until-idle",
        ("--mqtt-broker",): "--mqtt-broker",
        ("--context-store", f"sqlite:///{tmp_path / 'c.db'}"): "postgresql://",
    }
    for extra, said in cases.items():
        done = CliRunner().invoke(main, ["run", str(flow), "--workers", "2", *extra])
        assert done.exit_code == 2, (extra, done.output)
        assert said in done.output, (extra, done.output)
    done = CliRunner().invoke(main, ["run", str(flow), "--workers", "0"])
    assert done.exit_code == 2 and "1 or more" in done.output, done.output


def test_mqtt_and_amqp_messages_are_split_among_two_workers_none_lost_none_twice(
    tmp_path: Path, parent_of: Callable[..., Worker]
) -> None:
    run = tag()
    amqp, mqtt, pg = url("amqp"), url("mqtt"), url("pg")
    queue, topic = f"flowrt-workers-{run}", f"flowrt/workers/{run}"
    tables = {kind: Table(pg, f"workers_{kind}_{run}").create() for kind in ("amqp", "mqtt")}
    # a client id per worker: two workers sharing one would take the session from each other
    client = f"flowrt-workers-{run}-${{FLOWRT_WORKER_INDEX}}"
    flows = [
        write_flow(tmp_path, f"amqp-{run}", prefixed(pipeline(
            amqp_source(amqp, queue, 10), postgres_sink(pg, tables["amqp"].name),
            work=WORK_INDEX), "a_")),
        write_flow(tmp_path, f"mqtt-{run}", prefixed(pipeline(
            mqtt_source(mqtt, topic, client), postgres_sink(pg, tables["mqtt"].name),
            work=WORK_INDEX), "m_")),
    ]
    parent = parent_of(flows, "--workers", "2", "--group", f"w-{run}")
    try:
        wait_for(lambda: running_workers(parent) == {"w0", "w1"}, "both workers to run",
                 workers=[parent])
        # Each worker has subscribed and consumes once each took some probes (seq < 0).
        probes = iter(range(-1, -100_000, -1))

        def both_take(kind: str, send: Callable[[int], Any]) -> bool:
            send(next(probes))
            return {r.worker for r in tables[kind].rows() if r.seq < 0} == {"0", "1"}

        wait_for(lambda: both_take("amqp", lambda s: publish_amqp(amqp, queue, [s])),
                 "both workers to consume from the queue", interval=0.2, workers=[parent])
        wait_for(lambda: both_take("mqtt", lambda s: publish_mqtt(mqtt, topic, [s])),
                 "both workers to subscribe", interval=0.2, workers=[parent])
        publish_amqp(amqp, queue, range(MESSAGES))
        publish_mqtt(mqtt, topic, range(MESSAGES))
        for table in tables.values():
            wait_for(lambda t=table: t.distinct() >= MESSAGES + 2, f"{MESSAGES} rows",  # type: ignore[misc]
                     timeout=300, interval=0.2, workers=[parent])
        assert parent.stop() == 0, parent.tail(60)
        for kind, table in tables.items():
            rows = [r for r in table.rows() if r.seq >= 0]
            check = tally(range(MESSAGES), (r.seq for r in rows))
            assert check.lost == [] and check.duplicated == 0 and check.unknown == [], \
                f"{kind}: {check}"
            shares = {w: sum(1 for r in rows if r.worker == w) for w in ("0", "1")}
            assert all(shares.values()), f"{kind}: a worker took no message: {shares}"
        summary = [str(r.get("message", "")) for r in parent.log() if r.get("level") == "text"]
        assert any(line.startswith("worker w1 ") for line in summary), summary
    finally:
        delete_queue(amqp, queue)
        for table in tables.values():
            table.drop()


def ticks(parent: Worker) -> list[tuple[float, str]]:
    """(when seen, worker) of every tick the debug node logged."""
    return [(float(r["seen"]), str(r["worker"])) for r in parent.log()
            if r.get("node") == "log" and r.get("logger") == "flowrt.node"]


def test_a_timer_runs_on_one_worker_and_moves_when_its_holder_is_killed(
    tmp_path: Path, parent_of: Callable[..., Worker]
) -> None:
    flow = tmp_path / "tick.yaml"
    flow.write_text(TICK)
    parent = parent_of([flow], "--workers", "2", "--group", f"t-{tag()}", "--group-poll", "0.2")
    wait_for(lambda: running_workers(parent) == {"w0", "w1"}, "both workers to run",
             workers=[parent])
    wait_for(lambda: len(ticks(parent)) >= 8, "eight ticks", workers=[parent])
    holders = {w for _, w in ticks(parent)}
    assert len(holders) == 1, f"the timer ran on {holders}"
    holder = holders.pop()
    index = int(holder.lstrip("w"))
    os.kill(started_pids(parent)[index], signal.SIGKILL)
    other = f"w{1 - index}"
    wait_for(lambda: sum(1 for _, w in ticks(parent) if w == other) >= 5,
             f"{other} to take the timer over", workers=[parent])
    before = [t for t, w in ticks(parent) if w == holder]
    after = [t for t, w in ticks(parent) if w == other]
    assert max(before) < min(after), "the timer ran on both workers at once"
    # the parent restarts the killed worker, which stands by
    wait_for(lambda: any("restarting it" in str(r.get("message", "")) for r in parent.log()),
             "the parent to restart the killed worker", workers=[parent])
    wait_for(lambda: len([r for r in parent.log() if r.get("worker") == holder and
                          str(r.get("message", "")).startswith("running ")]) == 2,
             f"{holder} to run again", workers=[parent])
    assert parent.stop() == 0, parent.tail(60)
    assert {w for _, w in ticks(parent) if _ > min(after)} == {other}


def test_a_worker_failing_at_start_makes_the_parent_give_up(
    tmp_path: Path, parent_of: Callable[..., Worker]
) -> None:
    """A worker that keeps ending at once (here: its HTTP port is taken by another process)
    is restarted with back-off, then the parent stops and fails."""
    flow = tmp_path / "web.yaml"
    flow.write_text(json.dumps({"flowrt": 1, "nodes": {
        "hello": {"type": "http-in", "method": "get", "url": "/hello", "to": "answer"},
        "answer": {"type": "http-response"}}}))
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        parent = parent_of([flow], "--workers", "1", "--group", f"f-{tag()}",
                           "--http", f"127.0.0.1:{port}")
        assert parent.process is not None
        code = parent.process.wait(timeout=180)
    assert code == 1, parent.tail(40)
    said = " ".join(str(r.get("message", "")) for r in parent.log())
    assert "restarting it" in said and "failed 5 times in a row" in said, parent.tail(40)


WHO = """\
flowrt: 1
nodes:
  who:
    type: http-in
    url: /who
    to: name
  name:
    type: change
    rules:
      - set: payload
        to: {type: env, value: FLOWRT_WORKER_INDEX}
    to: answer
  answer: {type: http-response}
"""


def test_the_workers_share_the_http_port(
    tmp_path: Path, parent_of: Callable[..., Worker]
) -> None:
    """Every worker listens on the --http port (SO_REUSEPORT); the kernel spreads new
    connections among them."""
    import httpx

    from tests.support.servers import free_port

    flow = tmp_path / "who.yaml"
    flow.write_text(WHO)
    port = free_port()
    parent = parent_of([flow], "--workers", "2", "--group", f"h-{tag()}",
                       "--http", f"127.0.0.1:{port}")
    wait_for(lambda: running_workers(parent) == {"w0", "w1"}, "both workers to run",
             workers=[parent])
    answered: set[str] = set()

    def both_answer() -> bool:
        for _ in range(10):  # a new connection each time
            answered.add(httpx.get(f"http://127.0.0.1:{port}/who", timeout=30).text)
        return answered == {"0", "1"}

    wait_for(both_answer, "both workers to answer", workers=[parent])
    assert parent.stop() == 0, parent.tail(60)


def test_the_workers_stop_gracefully_when_their_parent_is_killed(
    tmp_path: Path, parent_of: Callable[..., Worker]
) -> None:
    flow = tmp_path / "tick.yaml"
    flow.write_text(TICK)
    parent = parent_of([flow], "--workers", "2", "--group", f"k-{tag()}")
    wait_for(lambda: running_workers(parent) == {"w0", "w1"}, "both workers to run",
             workers=[parent])
    pids = started_pids(parent)
    os.kill(parent.pid, signal.SIGKILL)
    assert parent.process is not None
    parent.process.wait(timeout=30)

    def gone(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        return state in ("Z", "X")

    wait_for(lambda: all(gone(pid) for pid in pids.values()), "the workers to stop")
    said = [r for r in parent.log() if "parent flowrt process is gone" in str(r.get("message"))]
    assert {r["worker"] for r in said} == {"w0", "w1"}


def test_two_workers_appending_to_one_file_write_whole_lines(
    tmp_path: Path, parent_of: Callable[..., Worker]
) -> None:
    """AMQP messages of 20 kB each, split between two workers that append each to one file:
    every line is one whole message, each message once."""
    run, amqp = tag(), url("amqp")
    queue, out = f"flowrt-workers-file-{run}", tmp_path / "out.jsonl"
    flow = pipeline(amqp_source(amqp, queue, 10), postgres_sink(url("pg"), "unused"),
                    work=WORK_INDEX)
    flow["connections"].pop("sink_server")
    flow["nodes"]["store"] = {"type": "file-out", "filename": str(out), "action": "append"}
    path = write_flow(tmp_path, f"file-{run}", flow)
    parent = parent_of([path], "--workers", "2", "--group", f"f-{run}")
    try:
        wait_for(lambda: running_workers(parent) == {"w0", "w1"}, "both workers to run",
                 workers=[parent])

        def lines() -> list[dict[str, Any]]:
            """The lines written so far, each once it ends: a worker may be in the middle of
            writing the last one while the test reads."""
            text = out.read_text() if out.exists() else ""
            return [json.loads(line) for line in text.split("\n")[:-1]]

        probes = iter(range(-1, -100_000, -1))

        def both_write() -> bool:
            publish_amqp(amqp, queue, [next(probes)], size=20_000)
            return {line["worker"] for line in lines()} == {"0", "1"}

        wait_for(both_write, "both workers to write", interval=0.2, workers=[parent])
        publish_amqp(amqp, queue, range(300), size=20_000)
        wait_for(lambda: len({x["seq"] for x in lines() if x["seq"] >= 0}) >= 300,
                 "300 lines", timeout=300, interval=0.2, workers=[parent])
        assert parent.stop() == 0, parent.tail(60)
        assert out.read_text().endswith("\n")
        written = [x for x in lines() if x["seq"] >= 0]  # a torn line fails json.loads
        check = tally(range(300), (x["seq"] for x in written))
        assert check.lost == [] and check.duplicated == 0, check
        assert all(x["pad"] == "x" * x["size"] and x["size"] > 19_000 for x in written)
    finally:
        delete_queue(amqp, queue)


def test_a_second_parent_of_the_same_group_on_this_host_is_refused(
    tmp_path: Path, parent_of: Callable[..., Worker]
) -> None:
    import subprocess
    import sys

    flow = tmp_path / "tick.yaml"
    flow.write_text(TICK)
    group = f"s-{tag()}"
    parent = parent_of([flow], "--workers", "1", "--group", group)
    wait_for(lambda: running_workers(parent) == {"w0"}, "the worker to run", workers=[parent])
    second = subprocess.run(
        [sys.executable, "-m", "flowrt", "run", str(flow), "--workers", "1", "--group", group],
        capture_output=True, text=True, timeout=120)
    assert second.returncode == 2, second.stderr
    assert "another `flowrt run --workers` runs group" in second.stderr
    assert parent.stop() == 0, parent.tail(40)
