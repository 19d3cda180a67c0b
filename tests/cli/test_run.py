"""`flowrt run` and `flowrt serve` on the command line: the optional address of --mqtt-broker,
the run summary's counts, a port in use, and where serve keeps its state."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from flowrt.cli.commands import main
from flowrt.cli.run import run, serve
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


def flowrt(*args: str) -> list[str]:
    exe = shutil.which("flowrt")
    return [*([exe] if exe else [sys.executable, "-m", "flowrt"]), *args]


def parsed(command: click.Command, args: list[str]) -> dict[str, object]:
    with command.make_context(command.name, args) as ctx:
        return dict(ctx.params)


def test_mqtt_broker_never_takes_a_flow_file_for_its_address(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("flows").mkdir()
    Path("flows/sensors.yaml").write_text("flowrt: 1\n")
    Path("1884").write_text("a file named like a port is a path\n")
    cases = {
        ("--mqtt-broker", "flows/sensors.yaml"): ("127.0.0.1:1883", ("flows/sensors.yaml",)),
        ("flows/sensors.yaml", "--mqtt-broker"): ("127.0.0.1:1883", ("flows/sensors.yaml",)),
        ("--mqtt-broker", "127.0.0.1:1884", "flows/sensors.yaml"):
            ("127.0.0.1:1884", ("flows/sensors.yaml",)),
        ("--mqtt-broker", "1885", "flows/sensors.yaml"): ("1885", ("flows/sensors.yaml",)),
        ("--mqtt-broker", "[::1]:1886", "flows/sensors.yaml"):
            ("[::1]:1886", ("flows/sensors.yaml",)),
        ("--mqtt-broker=flows", "flows/sensors.yaml"): ("flows", ("flows/sensors.yaml",)),
        ("--mqtt-broker", "1884"): ("127.0.0.1:1883", ("1884",)),
        ("flows/sensors.yaml",): (None, ("flows/sensors.yaml",)),
        ("--mqtt-broker", "--", "flows/sensors.yaml"): ("127.0.0.1:1883", ("flows/sensors.yaml",)),
    }
    for args, (broker, paths) in cases.items():
        params = parsed(run, list(args))
        assert (params["mqtt_broker"], params["paths"]) == (broker, paths), args


def test_serve_takes_mqtt_broker_with_and_without_an_address() -> None:
    assert parsed(serve, ["--mqtt-broker", "--port", "1"])["mqtt_broker"] == "127.0.0.1:1883"
    assert parsed(serve, ["--mqtt-broker", "127.0.0.1:1884"])["mqtt_broker"] == "127.0.0.1:1884"
    assert parsed(serve, ["--port", "1"])["mqtt_broker"] is None


SUMMED = """\
flowrt: 1
id: counted
nodes:
  start: {type: inject, once: true, payload: {type: num, value: 1}, to: double}
  double:
    type: change
    rules: [{set: payload, to: {type: jsonata, value: payload * 2}}]
    to: [keep, log]
  keep: {type: switch, property: payload, rules: [{gt: 5}, {else: true}], to: {1: log}}
  log: {type: debug}
"""


def test_the_run_summary_counts_messages_out_of_every_node(tmp_path: Path) -> None:
    (tmp_path / "counted.yaml").write_text(SUMMED)
    result = subprocess.run(flowrt("run", "--until-idle", "counted.yaml"), cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    table = result.stderr[result.stderr.index("node  "):].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in table[1:] if line.strip()}
    # a message sent to two targets is one message out; a sink's out is what it took
    assert rows == {"start": ["inject", "0", "1"], "double": ["change", "1", "1"],
                    "keep": ["switch", "1", "1"], "log": ["debug", "2", "2"]}, table


TIMED = """\
flowrt: 1
id: timed
nodes:
  every:
    type: cron-plus
    time_zone: UTC
    schedules: [{name: tick, cron: "* * * * * *", limit: 2, payload: 1}]
    to: log
  log: {type: debug}
"""


def test_the_run_summary_counts_what_a_source_sends_from_its_own_timers(tmp_path: Path) -> None:
    # cron-plus sends from its schedules' timers, not by being read: its messages count too
    (tmp_path / "timed.yaml").write_text(TIMED)
    result = subprocess.run(flowrt("run", "--until-idle", "timed.yaml"), cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    table = result.stderr[result.stderr.index("node  "):].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in table[1:] if line.strip()}
    assert rows == {"every": ["cron-plus", "0", "2"], "log": ["debug", "2", "2"]}, table


def test_serve_on_a_port_in_use_says_so_in_one_line_with_status_2(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(flowrt("serve", "--flows", str(flows), "--port", str(port)),
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert errors == [f"flowrt: error: cannot serve on 127.0.0.1:{port}: the port is in use; "
                      "give another --port (or stop what listens there)"], result.stderr
    assert "2" in " ".join(serve.help.split("Exit status:")[1].split()[:8])
    assert "port in use" in " ".join((serve.help or "").split())


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "dir" for p in sorted(folder.rglob("*"))}


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)


@pytest.mark.parametrize("state_option", [False, True])
def test_serve_writes_nothing_into_the_flows_folder(tmp_path: Path, state_option: bool) -> None:
    project = tmp_path / "project"
    flows = project / "flows"
    shutil.copytree(ROOT / "flows", flows)
    before = tree(flows)
    port = free_port()
    state = tmp_path / "state"
    args = ["--flows", "flows/", "--port", str(port), "--close-timeout", "2"]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(flowrt("serve", *args, *(["--state-dir", str(state)]
                                                          if state_option else [])),
                                cwd=project, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", proc, log)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/deploy", method="POST",
                                         data=json.dumps({"mode": "full"}).encode(),
                                         headers={"Content-Type": "application/json",
                                                  "X-Flowrt-Request": "1"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/revisions", timeout=10) as r:
            assert len(json.load(r)) >= 1
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert tree(flows) == before, log.read_text()
    where = state if state_option else project / ".flowrt"
    assert (where / "revisions.db").is_file()


def test_schema_write_refuses_outside_a_source_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flowrt.cli.commands as commands

    installed = tmp_path / "site-packages"
    (installed / "schemas").mkdir(parents=True)
    monkeypatch.setattr(commands, "__file__", str(installed / "flowrt" / "cli" / "commands.py"))
    result = CliRunner().invoke(main, ["schema", "--write"])
    assert result.exit_code == 2
    assert "-o FILE" in result.output
    assert list((installed / "schemas").iterdir()) == []
    (installed / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    assert CliRunner().invoke(main, ["schema", "--write"]).exit_code == 2
    assert list((installed / "schemas").iterdir()) == []
    written = tmp_path / "out.json"
    assert CliRunner().invoke(main, ["schema", "-o", str(written)]).exit_code == 0
    assert json.loads(written.read_text())["$schema"]


def test_schema_write_in_the_source_checkout_names_it() -> None:
    from flowrt.cli.commands import source_checkout

    assert source_checkout() == ROOT
