"""Imported exec and watch nodes behave as in Node-RED: one Node-RED export runs in real
Node-RED and, imported, in ``flowrt run`` (both on real time, real processes, real files), and
every output of every node gets the same messages.

- exec in exec mode (a shell, as Node-RED's): `echo` with the payload and extra arguments,
  `printf` with quoted words, a failing `ls` (stdout, stderr and the return code object with
  its `Command failed` message), a `sleep` killed by the node's timeout and one killed by a
  `msg.kill` naming SIGINT;
- exec in spawn mode: `echo` with the payload, a command that does not exist (`{code: -2}`),
  a `sleep` killed by the timeout;
- watch on a directory while a file node writes a new file in it: one message with the
  path, the watched name as topic, `file`, `filename`, `event`, `type` and `size`.

Each recorder is a function node (JSON of what it records) wired to one file node appending
lines, the same nodes on both sides.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_system.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from tests.nodered.differential import Received, fire_injects, run_nodered
from tests.nodered.helpers import nodered_home

MISSING_DIR = "/nonexistent-flowrt-differential"
EXEC_KEYS = ("payload", "rc")
WATCH_KEYS = ("payload", "topic", "file", "filename", "event", "type", "size")

# (id, exec properties, message properties of the inject(s) before it)
COMMANDS: list[tuple[str, dict[str, Any], list[dict[str, str]]]] = [
    ("echo", {"command": "echo", "addpay": "payload", "append": "more"},
     [{"payload": "hello world"}]),
    ("printf", {"command": "printf", "addpay": "", "append": "'[%s]' \"a b\" c"},
     [{"payload": "x"}]),
    ("failing", {"command": f"ls {MISSING_DIR}", "addpay": ""}, [{"payload": "x"}]),
    ("timeout", {"command": "sleep 5", "addpay": "", "timer": "0.5"}, [{"payload": "x"}]),
    ("killed", {"command": "sleep 5", "addpay": ""}, [{"payload": "x"}, {"kill": "SIGINT"}]),
    ("spawn", {"command": "echo", "addpay": "payload", "useSpawn": "true"},
     [{"payload": "spawned words"}]),
    ("unknown", {"command": "madeupcommandshouldfail", "addpay": "", "useSpawn": "true"},
     [{"payload": "x"}]),
    ("spawn-timeout", {"command": "sleep", "addpay": "", "append": "5", "useSpawn": "true",
                       "timer": "0.5"}, [{"payload": "x"}]),
]
EXPECTED = {  # what each output receives, in both engines (checked against Node-RED's)
    "echo": 2, "printf": 2, "failing": 3, "timeout": 2, "killed": 2, "spawn": 2, "unknown": 1,
    "spawn-timeout": 1,
}


def _recorder(node_id: str, keys: tuple[str, ...]) -> dict[str, Any]:
    picked = ", ".join(f"{json.dumps(k)}: msg[{json.dumps(k)}]" for k in keys)
    func = (f"msg.payload = JSON.stringify({{node: {json.dumps(node_id)}, "
            f"payload: {{{picked}}}}});\nreturn msg;")
    return {"id": node_id, "type": "function", "z": "t", "func": func, "outputs": 1,
            "x": 500, "y": 100, "wires": [["record"]]}


def _inject(node_id: str, props: dict[str, str], target: str) -> dict[str, Any]:
    return {"id": node_id, "type": "inject", "z": "t", "name": "",
            "props": [{"p": k, "v": v, "vt": "str"} for k, v in props.items() if k != "payload"]
            + [{"p": "payload"}], "payload": props.get("payload", ""), "payloadType": "str",
            "topic": "", "repeat": "", "crontab": "", "once": False, "onceDelay": 0.1,
            "x": 100, "y": 100, "wires": [[target]]}


def system_flow(out: Path, watched: Path) -> list[dict[str, Any]]:
    """The Node-RED export: the commands, then the watch and the file write it sees."""
    nodes: list[dict[str, Any]] = [{"id": "t", "type": "tab", "label": "system"}]
    for name, props, messages in COMMANDS:
        for index, message in enumerate(messages):
            nodes.append(_inject(f"go-{name}-{index}", message, name))
        nodes.append({"id": name, "type": "exec", "z": "t", "name": "", "addpay": "",
                      "append": "", "useSpawn": "false", "timer": "", "winHide": False,
                      "oldrc": False, **props, "x": 300, "y": 100,
                      "wires": [[f"{name}-out"], [f"{name}-err"], [f"{name}-rc"]]})
        for port in ("out", "err", "rc"):
            nodes.append(_recorder(f"{name}-{port}", EXEC_KEYS))
    nodes += [
        {"id": "watch", "type": "watch", "z": "t", "name": "", "files": str(watched),
         "recursive": "", "x": 100, "y": 300, "wires": [["watch-seen"]]},
        _recorder("watch-seen", WATCH_KEYS),
        _inject("go-write", {"payload": "ABCDE"}, "write"),
        {"id": "write", "type": "file", "z": "t", "name": "",
         "filename": str(watched / "new.txt"), "filenameType": "str", "appendNewline": False,
         "createDir": False, "overwriteFile": "true", "encoding": "none", "x": 300, "y": 300,
         "wires": [[]]},
        {"id": "record", "type": "file", "z": "t", "name": "", "filename": str(out),
         "filenameType": "str", "appendNewline": True, "createDir": False,
         "overwriteFile": "false", "encoding": "none", "x": 700, "y": 100, "wires": [[]]},
    ]
    return fire_injects(nodes)


def _read(out: Path) -> Received:
    received: Received = {}
    for line in out.read_text().split("\n"):
        if line.strip():
            item = json.loads(line)
            received.setdefault(item["node"], []).append(item["payload"])
    return received


def run_flowrt(nodes: list[dict[str, Any]], work: Path, out: Path, expected: int,
               timeout: float = 60.0) -> Received:
    """``flowrt run`` on the imported flow until ``expected`` lines were recorded (and 1 s
    more, for anything beyond them); what each recorder got."""
    conversion = convert(read_data(nodes), {}, "flows.json")
    assert not [d for d in conversion.report.diagnostics if " error " in d]
    folder = work / "flowrt-flows"
    folder.mkdir(parents=True)
    for flow in conversion.flows:
        (folder / flow.file).write_text(render(flow))
    out.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("FLOWRT_SCRIPTS", "FLOWRT_FILES")}
    process = subprocess.Popen([sys.executable, "-m", "flowrt", "run", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(_lines(out)) < expected:
            assert process.poll() is None, f"flowrt run exited with {process.returncode}"
            time.sleep(0.1)
        time.sleep(1.0)
    finally:
        process.terminate()
        process.wait(timeout=60)
    return _read(out)


def _lines(out: Path) -> list[str]:
    return [line for line in out.read_text().split("\n") if line.strip()]


def test_exec_and_watch_give_what_they_give_in_node_red(tmp_path: Path) -> None:
    home = nodered_home()
    expected = sum(EXPECTED.values()) + 1
    nr_dir, fr_dir = tmp_path / "nr", tmp_path / "fr"
    for side in (nr_dir, fr_dir):
        (side / "watched").mkdir(parents=True)
    nr_nodes = system_flow(nr_dir / "received.jsonl", nr_dir / "watched")
    theirs = run_nodered({"system": nr_nodes}, home, nr_dir, expected)["system"]
    ours = run_flowrt(system_flow(fr_dir / "out.jsonl", fr_dir / "watched"), fr_dir,
                      fr_dir / "out.jsonl", expected)

    def same_paths(received: Received, side: Path) -> Received:
        text = json.dumps(received).replace(str(side), "DIR")
        return {k: v for k, v in json.loads(text).items()}

    theirs, ours = same_paths(theirs, nr_dir), same_paths(ours, fr_dir)
    assert sum(len(v) for v in theirs.values()) == expected, theirs
    assert ours == theirs
    assert ours["watch-seen"] == [{"payload": "DIR/watched/new.txt", "topic": "DIR/watched",
                                   "file": "new.txt", "filename": "DIR/watched/new.txt",
                                   "event": "update", "type": "file", "size": 5}]
    assert ours["killed-rc"] == [{"payload": {"code": None, "signal": "SIGINT",
                                              "message": "Command failed: sleep 5\n"}}]
    assert ours["unknown-rc"] == [{"payload": {"code": -2}}]


def test_exec_mode_is_imported_with_a_shell_and_says_so(tmp_path: Path) -> None:
    conversion = convert(read_data(system_flow(tmp_path / "o", tmp_path)), {}, "flows.json")
    entries = {e.nr_id: e for e in conversion.report.entries}
    assert any("shell: true" in note for note in entries["echo"].notes)
    assert not any("shell" in note for note in entries["spawn"].notes)
    text = "\n".join(render(flow) for flow in conversion.flows)
    assert "shell: true" in text and "mode: spawn" in text


@pytest.fixture(autouse=True)
def _no_policy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOWRT_SCRIPTS", raising=False)
