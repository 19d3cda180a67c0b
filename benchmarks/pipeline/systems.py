"""The systems under test, each a process of its own as in production: ``flowrt run`` on a flow
file of ``benchmarks/flows/``, or Node-RED on the flow of :mod:`pipeline.nodered`.

flowrt runs from the source tree it is given (the working tree by default, or a commit
exported by ``bench_pipeline.py --at REV``): ``python -m flowrt`` in that directory imports its
``flowrt`` and ``nodes`` before the installed ones (the flow files are this checkout's: they
are part of the benchmark, not of what it measures).

A system is started for one run, with the run's addresses in its environment; its resident
memory (the process and its children, summed) is sampled every 0.2 s, and the peak is also
read from the kernel's high-water mark (``VmHWM``) of the main process before it stops.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import nodered

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Target:
    """Where one run's messages come from and go to."""

    transport: str
    mqtt_url: str
    topic: str
    client_id: str
    amqp_url: str
    queue: str
    pg_dsn: str
    table: str
    influx_url: str
    database: str
    state_dir: str = ""
    """flowrt's state directory (its journal), one per run, kept across a kill and restart."""

    def env(self) -> dict[str, str]:
        return {
            "FLOWRT_STATE_DIR": self.state_dir,
            "MQTT_URL": self.mqtt_url, "MQTT_TOPIC": self.topic,
            "MQTT_CLIENT_ID": self.client_id, "AMQP_URL": self.amqp_url,
            "AMQP_QUEUE": self.queue, "PG_DSN": self.pg_dsn, "PG_TABLE": self.table,
            "INFLUX_URL": self.influx_url, "INFLUX_DB": self.database,
        }


PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def journal_rows(state_dir: Path) -> int | None:
    """Messages held in the journals under a flowrt state directory (a source acknowledges a
    message to its broker once it is there, and deletes it once the flow finished it); None
    when there is no journal."""
    files = sorted((state_dir / "journal").glob("*.sqlite3"))
    if not files:
        return None
    held = 0
    for path in files:
        with closing(sqlite3.connect(path)) as db:
            held += int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
    return held


@dataclass
class Process:
    """One running system process with its memory sampler."""

    command: list[str]
    env: dict[str, str]
    log: Path
    cwd: Path = ROOT
    popen: subprocess.Popen[bytes] | None = None
    peak_rss: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._stop.clear()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        assert self.popen is not None
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, tree_rss(self.popen.pid))
            self._stop.wait(0.2)

    def _high_water(self) -> None:
        assert self.popen is not None
        try:
            for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_rss = max(self.peak_rss, int(line.split()[1]) * 1024)
        except OSError:
            pass

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill9(self) -> None:
        assert self.popen is not None
        self._high_water()
        self._stop.set()
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(30)

    def stop(self) -> int | None:
        """Stop gracefully (SIGINT, then SIGKILL after 60 s); the exit status."""
        if self.popen is None:
            return None
        self._high_water()
        self._stop.set()
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(60)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(30)
        return self.popen.returncode


class System:
    """One system under test; :meth:`command` says how to run it for a target."""

    name = ""
    label = ""
    transport = "mqtt"
    engine = ""
    window = 0
    """Most messages it holds unacknowledged at the broker: what a kill may duplicate."""

    def __init__(self, tree: Path = ROOT) -> None:
        self.tree = tree
        """The flowrt source tree to run (a checkout of the commit measured)."""
        self.directory = Path(tempfile.mkdtemp(prefix=f"flowrt-pipeline-{self.name}-"))
        self.process: Process | None = None
        self.peak_rss = 0
        self.journal_at_kill: int | None = None
        """Messages a source's journal held, unfinished, when the system was killed (None:
        no journal): those are fed to the flow again on restart."""

    def command(self, target: Target) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def start(self, target: Target) -> None:
        command, env = self.command(target)
        self.process = Process(command, env, self.directory / "output.log", self.tree)
        self.process.start()

    def kill9_and_restart(self, target: Target) -> None:
        """SIGKILL, then start again at once on the same target (same MQTT client id, same
        state directory); notes what the journal held when it died."""
        assert self.process is not None
        self.process.kill9()
        self.peak_rss = max(self.peak_rss, self.process.peak_rss)
        self.journal_at_kill = journal_rows(Path(target.state_dir)) if target.state_dir else None
        self.start(target)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        status = self.process.stop()
        self.peak_rss = max(self.peak_rss, self.process.peak_rss)
        return status

    def output(self, lines: int = 30) -> str:
        path = self.directory / "output.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def close(self) -> None:
        """Remove the system's files (its output and, for Node-RED, its user directory)."""
        shutil.rmtree(self.directory, ignore_errors=True)

    def reset(self) -> None:
        """Forget the last run's memory peak and output."""
        self.peak_rss = 0
        (self.directory / "output.log").unlink(missing_ok=True)


class Flowrt(System):
    flow = "pipeline-mqtt.yaml"
    engine = "flowrt"

    def command(self, target: Target) -> tuple[list[str], dict[str, str]]:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        # the tree's flowrt, and through its editable/ folder its nodes/ as flowrt_nodes (else
        # the node packs would load from the installed checkout, whatever --at says)
        env.update(target.env(), PYTHONPATH=os.pathsep.join(
            str(p) for p in (self.tree, self.tree / "editable")))
        return [sys.executable, "-m", "flowrt", "run", "--log-level", "warning",
                str(ROOT / "benchmarks" / "flows" / self.flow)], env


class FlowrtMqtt(Flowrt):
    name = "flowrt"
    label = "flowrt, MQTT, function (JavaScript)"
    window = 100  # mqtt-broker's receive_maximum


class FlowrtPython(Flowrt):
    name = "flowrt-py"
    label = "flowrt, MQTT, script (Python)"
    flow = "pipeline-mqtt-py.yaml"
    window = 100


class FlowrtMqtt5(Flowrt):
    name = "flowrt-mqtt5"
    label = "flowrt, MQTT 5, receive maximum 65,535"
    flow = "pipeline-mqtt5.yaml"
    window = 65535


class FlowrtAmqp(Flowrt):
    name = "flowrt-amqp"
    label = "flowrt, AMQP, function (JavaScript)"
    transport = "amqp"
    flow = "pipeline-amqp.yaml"
    window = 100  # amqp-in's prefetch


class NodeRed(System):
    name = "nodered"
    label = "Node-RED, one write per message"
    engine = "nodered"
    batch = False

    def command(self, target: Target) -> tuple[list[str], dict[str, str]]:
        user = self.directory / "user"
        user.mkdir(exist_ok=True)
        nodes = nodered.flow(
            mqtt_url=target.mqtt_url, topic=target.topic, client_id=target.client_id,
            influx_url=target.influx_url, database=target.database, table=target.table,
            batch=self.batch,
        )
        env = {**os.environ, "NR_HOME": str(nodered.NR_HOME), "NR_USERDIR": str(user),
               "PG_DSN": target.pg_dsn}
        return nodered.prepare(user, nodes), env


class NodeRedBatch(NodeRed):
    name = "nodered-batch"
    label = "Node-RED, join-batched writes"
    batch = True


SYSTEMS: dict[str, type[System]] = {
    cls.name: cls
    for cls in (FlowrtMqtt, FlowrtMqtt5, FlowrtPython, FlowrtAmqp, NodeRed, NodeRedBatch)
}
