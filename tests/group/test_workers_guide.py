"""Every command and code block of docs/workers.md runs, as written, and does what the guide
says.

The commands run with bash in a scratch directory holding a copy of the example flows. A
command that runs flows is started, must bring up its workers (each logs "running"), and must
drain and exit 0 on SIGTERM with the parent's summary; a refused one must exit 2 saying why.
The guide's PostgreSQL address (``db.local``) is replaced by the test server's. Each command of
the guide must have its check here, so the guide cannot gain a command that no test runs; the
YAML flow must validate and run under ``--workers 2``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flowrt.cli.workers import cpu_count
from tests.support.servers import url

ROOT = Path(__file__).resolve().parent.parent.parent
GUIDE = ROOT / "docs" / "workers.md"
BIN = Path(sys.executable).parent
GUIDE_DB = "postgresql://postgres@127.0.0.1/flowrt"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```", GUIDE.read_text(), re.S | re.M)


def commands() -> list[str]:
    return [line.strip() for block in blocks("sh") for line in block.splitlines()
            if line.strip()]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWRT_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture
def place(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    return tmp_path


def runs(command: str, place: Path, workers: int, names: tuple[str, ...] = ()) -> str:
    """Start ``command``; wait until ``workers`` workers run; SIGTERM; its output."""
    log = place / "out.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["bash", "-c", command], cwd=place,
                                   env=environment(), stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(re.findall(r"\] flowrt\.run running ", log.read_text())) < workers:
            assert process.poll() is None, f"{command} ended:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"{command}: workers not up\n{log.read_text()}"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) == 0, log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    text = log.read_text()
    assert f"worker w{workers - 1} " in text or f"-w{workers - 1} " in text, text
    for name in names:
        assert f"joined as worker {name}" in text, text
    return text


def status(command: str, place: Path) -> None:
    """Run the status command while the guide's workers of group ``hello`` run."""
    import json

    workers = subprocess.Popen(
        ["flowrt", "run", "flows/hello.yaml", "--workers", "2", "--group", "hello"], cwd=place,
        env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        def listed() -> list[dict[str, object]] | None:
            done = subprocess.run(["bash", "-c", command + " --json"], cwd=place,
                                  env=environment(), capture_output=True, text=True,
                                  timeout=60)
            rows: list[dict[str, object]] = json.loads(done.stdout)["workers"] \
                if done.returncode == 0 else []
            alive = [r for r in rows if r["alive"]]
            return alive if len(alive) == 2 and any(r["holds"] for r in alive) else None

        deadline = time.monotonic() + 120
        while (alive := listed()) is None:
            assert workers.poll() is None and time.monotonic() < deadline, "no workers listed"
            time.sleep(0.2)
        assert sorted(str(r["worker"]) for r in alive) == ["w0", "w1"]
        assert sorted(str(h) for r in alive for h in r["holds"]) == ["tick"]
        text = subprocess.run(["bash", "-c", command], cwd=place, env=environment(),
                              capture_output=True, text=True, timeout=60)
        assert text.returncode == 0 and "alive" in text.stdout, text.stdout + text.stderr
        header = text.stdout.splitlines()[0]
        assert f"```\n{header}\n" in GUIDE.read_text(), "the guide shows another output"
    finally:
        workers.send_signal(signal.SIGTERM)
        assert workers.wait(timeout=120) == 0


def refused(command: str, place: Path, said: str) -> None:
    done = subprocess.run(["bash", "-c", command], cwd=place, env=environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr, done.stderr


def check_command(command: str, place: Path) -> None:
    if command == "flowrt run flows/hello.yaml --workers 2":
        runs(command, place, 2)
    elif command == "FLOWRT_WORKERS=auto flowrt run flows/hello.yaml":
        runs(command, place, cpu_count())
    elif command == "flowrt run flows/hello.yaml --workers 2 --group hello":
        runs(command, place, 2)
    elif command == "flowrt group status --group hello":
        status(command, place)
    elif command == "flowrt run flows/hello.yaml --workers 2 --until-idle":
        refused(command, place, "--until-idle")
    elif command.startswith(f"FLOWRT_GROUP_DB={GUIDE_DB} "):
        import socket

        host = socket.gethostname()
        runs(command.replace(GUIDE_DB, url("pg")), place, 2, (f"{host}-w0", f"{host}-w1"))
    else:
        raise AssertionError(f"docs/workers.md gained a command no test checks: {command}")


@pytest.mark.parametrize("command", commands())
def test_each_command_of_the_guide_does_what_it_says(command: str, place: Path) -> None:
    check_command(command, place)


def test_the_guide_has_the_commands_checked_here() -> None:
    assert len(commands()) == 6, commands()


def test_the_flow_of_the_guide_validates_and_runs_on_two_workers(place: Path) -> None:
    (flow,) = blocks("yaml")
    (place / "readings.yaml").write_text(flow)
    done = subprocess.run(["flowrt", "validate", "readings.yaml"], cwd=place,
                          env=environment(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    text = runs("flowrt run readings.yaml --workers 2", place, 2)
    assert "read 0 message(s)" in text
