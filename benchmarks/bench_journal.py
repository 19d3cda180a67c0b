"""What the journal of mqtt-in (QoS 1) costs, and what it buys, on Mosquitto with stock limits.

    python benchmarks/bench_journal.py [--rate 1000] [--seconds 5] [--repeat 1]
                                       [--messages 20000] [--skip-loss] [--json]

1. **Latency added.** The round trip of benchmarks/bench_mqtt.py (a paho client publishes
   stamped QoS 1 messages at ``--rate`` to a ``flowrt run`` relay, ``mqtt-in -> mqtt-out``, and
   a second client times their arrival), on a private Mosquitto with ``set_tcp_nodelay true``
   (so TCP's delayed acknowledgements do not drown the figure), with the journal (the default)
   and with ``journal: false``, ``--repeat`` times each, alternating. The difference is what
   the journal adds: the group commit
   (one ``fsync`` per group) before the PUBACK, the hand-over from the intake to the feeder,
   and the delete.
2. **Intake rate.** ``--messages`` QoS 1 messages published as fast as the broker takes them
   (the publisher waits for every PUBACK) into ``mqtt-in -> delay (1 hour)``: the flow holds
   what it is fed and finishes nothing, so everything else waits in the journal. The rate is
   messages over the seconds from the first publish until the journal file holds them all
   (read from outside, as SQLite allows a reader beside the writer). ``broker alone`` is the
   same publisher into a topic with a plain paho subscriber: the most the publisher can give.
3. **Loss.** The scenario of tests/faults/scenario_journal.py: ``--messages`` messages
   published as fast as the broker takes them into ``mqtt-in -> script -> postgres-out`` whose
   table sleeps 1 ms per row, on a private Mosquitto with stock limits (20 in flight, 1,000
   queued): messages never written, with ``journal: false`` and with the journal.

Needs the ``mosquitto`` program (private brokers), and PostgreSQL (FLOWRT_TEST_POSTGRES) for 3.
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent),  # bench_mqtt
                str(Path(__file__).resolve().parent.parent)]  # tests.faults

from bench_mqtt import (  # noqa: E402
    ROOT,
    Receiver,
    client,
    figures,
    nodelay_broker,
    send_steady,
    stamped,
    wait_relaying,
)


def start_flow(nodes: dict[str, Any], url: str, directory: Path) -> Any:
    flow = directory / "flow.json"
    flow.write_text(json.dumps({
        "flowrt": 1, "id": "bench",
        "connections": {"broker": {"type": "mqtt-broker", "url": url,
                                   "client_id": f"bench-{uuid.uuid4().hex[:8]}"}},
        "nodes": nodes,
    }))
    return subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", "--log-level", "error", str(flow)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def stop(process: Any) -> None:
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    if process.returncode not in (0, None):
        print(err, file=sys.stderr)


def relay(url: str, rate: int, seconds: float, journal: bool) -> tuple[float, float, int]:
    base = f"flowrt/bench/{uuid.uuid4().hex[:8]}"
    receiver = Receiver(url, f"{base}/B")
    with tempfile.TemporaryDirectory() as directory:
        process = start_flow({
            "in": {"type": "mqtt-in", "connection": "broker", "topic": f"{base}/A", "qos": 1,
                   "payload": "bytes", "journal": journal, "to": "out"},
            "out": {"type": "mqtt-out", "connection": "broker", "topic": f"{base}/B", "qos": 1},
        }, url, Path(directory))
        try:
            wait_relaying(url, f"{base}/A", receiver)
            return figures(receiver, send_steady(url, f"{base}/A", rate, seconds), rate)
        finally:
            stop(process)
            receiver.close()


def publish_all(url: str, topic: str, count: int) -> tuple[float, float]:
    """Publish ``count`` QoS 1 messages as fast as the broker acknowledges them; returns when
    the first was sent and the last acknowledged (time.monotonic)."""
    sender = client(url)
    try:
        started = time.monotonic()
        infos = [sender.publish(topic, stamped(n), qos=1) for n in range(count)]
        for info in infos:
            info.wait_for_publish(120)
        return started, time.monotonic()
    finally:
        sender.disconnect()
        sender.loop_stop()


def settle(counted: Any, quiet: float = 3.0) -> tuple[int, float]:
    """Poll ``counted()`` until it has not grown for ``quiet`` seconds; returns the count and
    when it last grew."""
    last, grew = counted(), time.monotonic()
    while time.monotonic() - grew < quiet:
        time.sleep(0.01)
        now = counted()
        if now != last:
            last, grew = now, time.monotonic()
    return last, grew


def journaled(directory: Path) -> int:
    total = 0
    for path in directory.rglob("*.sqlite3"):
        try:
            with sqlite3.connect(path, timeout=5) as db:
                total += int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
        except sqlite3.Error:
            pass
    return total


def intake(url: str, count: int) -> tuple[float, float, int]:
    """(publisher msg/s, journal intake msg/s, messages the broker dropped)."""
    topic = f"flowrt/bench/{uuid.uuid4().hex[:8]}/intake"
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        process = start_flow({
            "in": {"type": "mqtt-in", "connection": "broker", "topic": topic, "qos": 1,
                   "payload": "bytes", "to": "hold"},
            "hold": {"type": "delay", "delay": 3600, "max_queue": 1_000_000},
        }, url, directory)
        try:
            deadline = time.monotonic() + 60
            while not list(directory.rglob("*.sqlite3")):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the flow did not open its journal")
                time.sleep(0.1)
            time.sleep(0.5)  # subscribed
            started, published = publish_all(url, topic, count)
            taken, last = settle(lambda: journaled(directory))
            return count / (published - started), taken / (last - started), count - taken
        finally:
            process.kill()
            process.communicate()


def broker_alone(url: str, count: int) -> tuple[float, float, int]:
    """The same publisher into a plain paho subscriber that acknowledges on arrival."""
    topic = f"flowrt/bench/{uuid.uuid4().hex[:8]}/alone"
    receiver = client(url)
    got = [0]
    lock = threading.Lock()

    def arrived(*_: Any) -> None:
        with lock:
            got[0] += 1

    receiver.on_message = arrived
    receiver.subscribe(topic, 1)
    time.sleep(0.5)
    try:
        started, published = publish_all(url, topic, count)
        taken, last = settle(lambda: got[0])
        return count / (published - started), taken / (last - started), count - taken
    finally:
        receiver.disconnect()
        receiver.loop_stop()


def loss(count: int) -> list[tuple[str, float, str]]:
    from tests.faults.scenario_journal import through_journal

    found = []
    for journal in (False, True):
        out = through_journal(count, journal=journal, timeout=900)
        name = "with the journal" if journal else "journal: false"
        found.append((f"messages lost of {count:,} into a slow postgres-out, {name}",
                      float(len(out.tally.lost)), "messages"))
    return found


def measure(rate: int, seconds: float, count: int, with_loss: bool,
            repeat: int = 1) -> list[tuple[str, float, str]]:
    found: list[tuple[str, float, str]] = []
    with nodelay_broker() as url:
        for run in range(1, repeat + 1):
            for journal in (False, True):
                p50, p99, lost = relay(url, rate, seconds, journal)
                name = ("with the journal" if journal else "journal: false") + (
                    f", run {run}" if repeat > 1 else "")
                found += [
                    (f"relay round trip p50 at {rate:,} msg/s, {name}", round(p50, 3), "ms"),
                    (f"relay round trip p99 at {rate:,} msg/s, {name}", round(p99, 3), "ms"),
                    (f"relay messages lost, {name}", float(lost), "messages")]
        for name, measured in (("plain paho subscriber", broker_alone(url, count)),
                               ("journal of mqtt-in (flow holding all)", intake(url, count))):
            sent, taken, dropped = measured
            found += [(f"{name}: publisher rate ({count:,} QoS 1)", round(sent), "msg/s"),
                      (f"{name}: taken", round(taken), "msg/s"),
                      (f"{name}: dropped by the broker", float(dropped), "messages")]
    if with_loss:
        found += loss(count)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=1000, help="Relay messages per second.")
    parser.add_argument("--seconds", type=float, default=5.0, help="Measured relay seconds.")
    parser.add_argument("--repeat", type=int, default=1, help="Relay runs of each kind.")
    parser.add_argument("--messages", type=int, default=20_000,
                        help="Messages of the intake and loss measures.")
    parser.add_argument("--skip-loss", action="store_true", help="Leave out the loss measure.")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = parser.parse_args()
    found = measure(args.rate, args.seconds, args.messages, not args.skip_loss, args.repeat)
    if args.json:
        print(json.dumps([{"label": a, "value": b, "unit": c} for a, b, c in found], indent=2))
        return
    width = max(len(label) for label, _, _ in found)
    for label, value, unit in found:
        print(f"{label:<{width}}  {value:>9g} {unit}")


if __name__ == "__main__":
    main()
