"""What mqtt-in's intake through the journal costs a message, in CPU time, two trees side by side.

    python benchmarks/bench_intake.py --at HEAD~1              # HEAD~1 against the working tree
    python benchmarks/bench_intake.py --at abc123 --vs def456 --rounds 4 --n 20000
    python benchmarks/bench_intake.py --rounds 2 --json        # the working tree alone
    python benchmarks/bench_intake.py --units --at HEAD~1      # the units, side by side

The intake of the pipeline of ``bench_pipeline.py`` (``pipeline-mqtt5.yaml``): a burst of N
QoS 1 messages published as fast as a private Mosquitto takes them (the pipeline's message,
``{"id", "sent", "device", "value"}``) into ``mqtt-in`` (MQTT 5, ``receive_maximum: 65535``,
payload as text, through its journal) -> ``json`` -> ``postgres-out`` (COPY, batches of 500).
Each run is a process of its own that runs the flow in-process (the engine, a real broker,
journal and table); once the source is subscribed and its journal open, the publisher (this
process, so its work is not counted) sends the burst, and the run's clock stops once every
row is written and every journal row deleted. The figure is that process's CPU time a
message over the burst: all its threads, and the event loop's thread, paho's network thread
and the journal's thread apart (``/proc/self/task``). The wall time is shown, but on a
shared machine it moves with the other work; CPU time is the steadier figure.

``--at REV`` runs the flow as committed at REV (exported with ``git archive``) and ``--vs
REV`` (a revision or a folder holding a source tree; default: the working tree) in alternating
rounds, so that both see the same load.

``--units`` times the intake's parts instead, both trees' modules loaded side by side in this
process and alternating: the engine settling a message fed from the journal (tasks included),
the journal's encoding and decoding of a message, and paho's network thread reading a burst of
PUBLISH packets that another process writes into its socket (that thread's CPU time, with the
message infos the tree has paho make).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("FLOWRT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
THREADS = {"flowrt-mqtt": "network", "flowrt-journal": "journal"}
"""Thread name prefixes and what they are called here."""


def flow_text(url: str, topic: str, table: str) -> str:
    return json.dumps({
        "flowrt": 1, "id": "intake",
        "connections": {
            "broker": {"type": "mqtt-broker", "url": url, "protocol": "5",
                       "receive_maximum": 65535, "client_id": f"intake-{uuid.uuid4().hex[:8]}"},
            "db": {"type": "postgres", "dsn": PG},
        },
        "nodes": {
            "readings": {"type": "mqtt-in", "connection": "broker", "topic": topic, "qos": 1,
                         "payload": "string", "to": "parse"},
            "parse": {"type": "json", "action": "object", "to": "rows"},
            "rows": {"type": "postgres-out", "connection": "db", "table": table,
                     "columns": {"id": "payload.id", "sent": "payload.sent",
                                 "device": "payload.device", "value": "payload.value"}},
        },
    })


# the measured process ------------------------------------------------------------------------

def _threads() -> dict[str, float]:
    """CPU seconds of this process's threads so far, by kind (main, network, journal, other)."""
    import threading

    tick = os.sysconf("SC_CLK_TCK")
    names = {t.native_id: t.name for t in threading.enumerate()}
    out: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = names.get(int(task.name), "")
        kind = "main" if task.name == str(os.getpid()) else next(
            (k for prefix, k in THREADS.items() if name.startswith(prefix)), "other")
        out[kind] = out.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


async def _worker(url: str, topic: str, n: int) -> dict[str, Any]:
    import psycopg

    from flowrt.compile import build_plan
    from flowrt.load import Project, load_text
    from flowrt.run import Runtime
    from flowrt.run.journal_file import JournalSettings, configure

    table = "intake_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG, autocommit=True) as pg:
        pg.execute(f"CREATE TABLE {table} (id bigint, sent float8, device text, value float8)")
    state = tempfile.mkdtemp(prefix="flowrt-intake-")
    configure(JournalSettings(state_dir=Path(state)))
    plan, _ = build_plan(Project(documents=[load_text(flow_text(url, topic, table), "i.json")]),
                         env={})
    rt = Runtime(plan, env={})
    await rt.start()
    try:
        source: Any = rt.nodes["readings"]
        while "readings" not in rt.meter.journals or source._sub.client is None:
            await asyncio.sleep(0.01)
        journal: Any = rt.meter.journals["readings"]
        while journal._committer is None:
            await asyncio.sleep(0.01)
        written = rt.stats["rows"]
        threads, cpu, wall = _threads(), time.process_time(), time.perf_counter()
        print("ready", flush=True)
        while written[1] < n or journal.rows or journal._done:
            await asyncio.sleep(0.005)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        after = _threads()
        threads = {k: after.get(k, 0.0) - threads.get(k, 0.0) for k in after}
    finally:
        await rt.stop()
        with psycopg.connect(PG, autocommit=True) as pg:
            rows = pg.execute(f"SELECT count(*) FROM {table}").fetchone()
            pg.execute(f"DROP TABLE {table}")
    import flowrt

    return {"cpu": cpu, "wall": wall, "threads": threads, "rows": rows[0] if rows else 0,
            "flowrt": flowrt.__file__, "nodes": sys.modules["flowrt_nodes"].__file__}


# the units, side by side in one process -------------------------------------------------------

def _publish_packet(number: int) -> bytes:
    """An MQTT 5 PUBLISH, QoS 1, of the pipeline's message (no properties)."""
    from pipeline.load import body

    topic, payload = b"intake/t", body(number)
    rest = len(topic).to_bytes(2, "big") + topic + (number % 65535 + 1).to_bytes(2, "big")
    rest += b"\x00" + payload
    size, length = len(rest), bytearray()
    while True:
        byte, size = size % 128, size // 128
        length.append(byte | (128 if size else 0))
        if not size:
            return b"\x32" + bytes(length) + rest


def network_cpu(module: Any, count: int, info: Any) -> float:
    """CPU seconds of ``module``'s NetworkLoop thread reading ``count`` PUBLISH packets that a
    process of its own writes into the socket (paho 2.x, MQTT 5, manual acknowledgement),
    paho making ``info`` objects for the messages."""
    import socket
    import threading

    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    mqtt.MQTTMessageInfo = info  # type: ignore[misc]

    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5, manual_ack=True)
    client._sock = ours
    client._state = vars(mqtt)["_ConnectionState"].MQTT_CS_CONNECTED
    got = [0]
    done = threading.Event()

    def arrived(*_: Any) -> None:
        got[0] += 1
        if got[0] == count:
            done.set()

    client.on_message = arrived
    loop = module.NetworkLoop(client, "units", 65535, lambda: False)
    data = b"".join(_publish_packet(n) for n in range(count))
    writer = subprocess.Popen([sys.executable, "-c", "import socket,sys; s=socket.socket(fileno="
                               f"{theirs.fileno()}); s.sendall(sys.stdin.buffer.read())"],
                              stdin=subprocess.PIPE, pass_fds=[theirs.fileno()])
    loop.start()
    while loop.thread.native_id is None:
        time.sleep(0.001)
    before = _task_cpu(loop.thread.native_id)
    assert writer.stdin is not None
    writer.stdin.write(data)
    writer.stdin.close()
    done.wait(300)
    spent = _task_cpu(loop.thread.native_id) - before
    writer.wait()
    loop._stopping = True
    loop.wake()
    theirs.close()
    loop.thread.join(5)
    ours.close()
    return spent


def _task_cpu(native_id: int) -> float:
    fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def settle_cpu(module: Any, count: int) -> float:
    """CPU seconds of the engine settling ``count`` messages fed from a journal (``module``'s
    JournalAck, as :func:`flowrt.run.delivery.settle` settles it), tasks included."""
    from flowrt.run.delivery import settle
    from flowrt.run.tasks import Tasks

    class Rows:
        closing = False

        def finished(self, row: int, size: int) -> None:
            pass

    tasks = Tasks(lambda *_: None)
    feed = module.Feed(Rows(), "units", None, None)
    acks = [module.JournalAck(feed, row, 100) for row in range(count)]
    feed.in_flow = count
    started = time.process_time()
    for ack in acks:
        settle(ack, False, tasks.spawn)
    while tasks.spawned:
        await asyncio.sleep(0)
    return time.process_time() - started


def codec_cpu(module: Any, count: int) -> float:
    """CPU seconds of ``module``'s journal encode and decode of ``count`` messages as mqtt-in
    makes them from the pipeline's (payload as text)."""
    from pipeline.load import body

    msgs = [{"topic": "intake/t", "payload": body(n).decode(), "qos": 1, "retain": False}
            for n in range(count)]
    encode, decode = module.encode, module.decode
    started = time.process_time()
    for msg in msgs:
        decode(encode(msg))
    return time.process_time() - started


def units(before: Path, after: Path, rounds: int, count: int) -> None:
    """Each unit of the intake, ``before`` and ``after``, alternating, in this process."""
    import importlib.util

    def load(tree: Path, relative: str, name: str) -> Any:
        spec = importlib.util.spec_from_file_location(name, tree / relative)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module

    def infos(tree: Path, index: int) -> Any:
        """paho's MQTTMessageInfo class as ``tree`` has paho make it."""
        import paho.mqtt.client as mqtt

        if not (tree / "nodes/mqtt/mqtt_message_info.py").exists():
            return mqtt.MQTTMessageInfo
        return load(tree, "nodes/mqtt/mqtt_message_info.py", f"info_{index}").lazy_class()

    trees = (before, after)
    measures: list[tuple[str, list[Any], Any]] = [
        ("settling a journal's message", [load(tree, "flowrt/run/journal_feed.py", f"feed_{i}")
                                          for i, tree in enumerate(trees)],
         lambda module: asyncio.run(settle_cpu(module, count))),
        ("journal encode + decode", [load(tree, "flowrt/run/journal_file.py", f"file_{i}")
                                     for i, tree in enumerate(trees)],
         lambda module: codec_cpu(module, count)),
        ("network thread", [(load(tree, "nodes/mqtt/mqtt_network.py", f"net_{i}"),
                             infos(tree, i)) for i, tree in enumerate(trees)],
         lambda modules: network_cpu(modules[0], count, modules[1])),
    ]
    for title, modules, measure in measures:
        spent: list[list[float]] = [[], []]
        for _ in range(rounds):
            for i, module in enumerate(modules):
                spent[i].append(measure(module) / count * 1e6)
        for name, values in zip(("before", "after"), spent, strict=True):
            print(f"{title}, {name}: " + ", ".join(f"{v:.2f}" for v in values)
                  + f" us a message (median {statistics.median(values):.2f})", flush=True)


# the driver ----------------------------------------------------------------------------------

@contextmanager
def tree_of(rev: str | None) -> Iterator[Path]:
    """The source tree of ``rev`` (``git archive`` into a temporary folder), or the working
    tree for None."""
    if rev is None or Path(rev).is_dir():
        yield Path(rev) if rev else ROOT
        return
    with tempfile.TemporaryDirectory(prefix="flowrt-intake-tree-") as folder:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def run_once(tree: Path, url: str, n: int, spy: str | None = None) -> dict[str, Any]:
    sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]
    from pipeline.load import MqttPublisher

    topic = f"intake/{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, PYTHONPATH=f"{tree}{os.pathsep}{tree / 'editable'}",
               FLOWRT_JS_ISOLATION="inline")
    command = [sys.executable, __file__, "--worker", url, topic, str(n)]
    if spy:
        command = ["py-spy", "record", "-r", "250", "-t", "-f", "raw", "-o", spy, "--", *command]
    worker = subprocess.Popen(command, cwd=tree, env=env,
        stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    try:
        for line in worker.stdout:  # py-spy says a line of its own first
            if line.strip() == "ready":
                break
        else:
            raise RuntimeError("the measured process did not start")
        publisher = MqttPublisher(url, topic)
        try:
            for number in range(n):
                publisher.send(number)
            publisher.flush(600)
        finally:
            publisher.close()
        result: dict[str, Any] = json.loads(worker.stdout.readline())
        worker.wait(120)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    if result["rows"] != n:
        print(f"warning: {result['rows']} rows of {n}", file=sys.stderr)
    if not result["flowrt"].startswith(str(tree)) or not result["nodes"].startswith(str(tree)):
        raise RuntimeError(f"the measured process ran {result['flowrt']}, {result['nodes']}, "
                           f"not the tree {tree}")
    return result


def per_message(results: list[dict[str, Any]], n: int) -> dict[str, float]:
    """Medians over the rounds, microseconds a message."""
    kinds = sorted({k for r in results for k in r["threads"]})
    out = {"cpu": statistics.median(r["cpu"] for r in results) / n * 1e6,
           "wall": statistics.median(r["wall"] for r in results) / n * 1e6}
    for kind in kinds:
        out[kind] = statistics.median(r["threads"].get(kind, 0.0) for r in results) / n * 1e6
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--at", help="Also run the flow as committed at this revision.")
    parser.add_argument("--vs", help="Compare with this revision, or a source tree (a folder); "
                        "default: the working tree.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--units", action="store_true",
                        help="Time the intake's units instead (settling a journal's message, "
                        "its encoding, the network thread), --at against --vs, in this process.")
    parser.add_argument("--py-spy", metavar="FILE",
                        help="Record the last run with py-spy (raw stacks, all threads).")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]
    if args.units:
        if not args.at:
            parser.error("--units compares two trees: give --at")
        with tree_of(args.at) as before, tree_of(args.vs) as after:
            units(before, after, args.rounds, args.n)
        return
    from pipeline.stores import Mosquitto

    names = ([args.at] if args.at else []) + [args.vs or "working tree"]
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    broker = Mosquitto()
    try:
        with tree_of(args.at) if args.at else _none() as before, tree_of(args.vs) as after:
            trees: list[Path] = ([before] if before is not None else []) + [after]
            for number in range(args.rounds):
                for name, tree in zip(names, trees, strict=True):
                    last = number == args.rounds - 1 and tree is trees[-1]
                    result = run_once(tree, broker.url, args.n, args.py_spy if last else None)
                    results[name].append(result)
                    print(f"round {number + 1} {name}: cpu {result['cpu'] / args.n * 1e6:.1f} "
                          f"us/msg, wall {result['wall']:.2f} s "
                          + " ".join(f"{k} {v / args.n * 1e6:.1f}"
                                     for k, v in sorted(result["threads"].items())),
                          file=sys.stderr, flush=True)
    finally:
        broker.close()
    table = {name: per_message(rs, args.n) for name, rs in results.items()}
    if args.json:
        print(json.dumps({"n": args.n, "rounds": args.rounds, "load": os.getloadavg()[0],
                          "figures": table}, indent=1))
        return
    kinds = sorted({k for row in table.values() for k in row} - {"cpu", "wall"})
    print(f"{args.n:,} messages, median of {args.rounds} rounds, microseconds a message "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(f"{'tree':<16}{'CPU':>8}" + "".join(f"{k:>9}" for k in kinds) + f"{'wall':>9}")
    for name, row in table.items():
        print(f"{name[:15]:<16}{row['cpu']:>8.1f}" + "".join(f"{row.get(k, 0):>9.1f}"
                                                        for k in kinds) + f"{row['wall']:>9.1f}")
    if args.at:
        a, b = table[names[0]]["cpu"], table[names[1]]["cpu"]
        print(f"CPU {names[0]} / {names[1]}: {a / b:.2f}x")


@contextmanager
def _none() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        outcome = asyncio.run(_worker(sys.argv[2], sys.argv[3], int(sys.argv[4])))
        print(json.dumps(outcome), flush=True)
    else:
        main()
