"""Every command in docs/security.md runs, as written, and does what the guide says.

The commands run with bash in a scratch directory laid out as the guide assumes: a copy of
the example flows in `flows/`, `users.yaml` (one user), `ci-token`, and `plant/in` and
`plant/out` for the file nodes. A `flowrt serve` command gets `--port` added (a free port, so
tests never clash on 1880), must answer `/health` on 127.0.0.1 and stop cleanly on SIGTERM.
Each command the guide holds must have its check here, so the guide cannot gain a command that
no test runs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from flowrt.server.auth import hash_password, verify_password
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
GUIDE = ROOT / "docs" / "security.md"
BIN = Path(sys.executable).parent


def commands() -> list[str]:
    """The commands of the guide's ```sh blocks (continued lines joined, comments dropped)."""
    found: list[str] = []
    for block in re.findall(r"^ *```sh\n(.*?)^ *```", GUIDE.read_text(), re.S | re.M):
        text = re.sub(r"\\\n\s*", "", block)
        for line in text.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                found.append(line)
    return found


@pytest.fixture
def place(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    (tmp_path / "users.yaml").write_text(f"users:\n  alice: {hash_password('a long passphrase')}\n")
    (tmp_path / "ci-token").write_text("ci-token-of-at-least-16-chars\n")
    for name in ("plant/in", "plant/out"):
        (tmp_path / name).mkdir(parents=True)
    return tmp_path


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWRT_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(command: str, place: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=place, env=environment(),
                          capture_output=True, text=True, timeout=120)


def serves(command: str, place: Path) -> str:
    """Start a `flowrt serve` command, wait for /health, stop it with SIGTERM; its log."""
    port = free_port()
    process = subprocess.Popen(["bash", "-c", f"{command} --port {port}"], cwd=place,
                               env=environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"{command} ended: {process.communicate()[0]}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{command} did not answer /health"
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, out
    return out


def refused_by_deny(result: subprocess.CompletedProcess[str]) -> None:
    """The example flows hold script nodes: under deny they are named, and nothing starts."""
    assert result.returncode == 1, result.stderr
    assert re.search(r"flows/\w+\.yaml:\d+:\d+: error E060 node '\w[\w-]*' \(script\)",
                     result.stderr)


def confined_to_plant(result: subprocess.CompletedProcess[str]) -> None:
    refused_by_deny(result)
    assert "plant/in" in result.stderr and "plant/out" in result.stderr


def shows_sql(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert "SQL" in result.stdout and "deny" in result.stdout


def hashes(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert verify_password("a long passphrase", result.stdout.strip())


Check = Callable[[subprocess.CompletedProcess[str]], None]
CHECKS: dict[str, Check | str] = {
    "flowrt run --scripts deny flows/": refused_by_deny,
    "flowrt nodes show postgres-query": shows_sql,
    "flowrt run --scripts deny --files plant/in --files plant/out flows/": confined_to_plant,
    "python -c \"from flowrt.server.auth import hash_password; "
    "print(hash_password('a long passphrase'))\"": hashes,
    "FLOWRT_SANDBOX_TIMEOUT=5 FLOWRT_SANDBOX_MEMORY=64 flowrt serve --flows flows/ "
    "--host 0.0.0.0 --auth-file users.yaml": "serves",
    "flowrt serve --flows flows --keep-revisions 500 --keep-revisions-days 90": "serves",
    "FLOWRT_FILES=plant/in:plant/out flowrt serve --host 0.0.0.0 --auth-file users.yaml":
        "serves",
    "FLOWRT_TOKENS=\"ci:$(cat ci-token)\" flowrt serve --flows flows --auth-file users.yaml "
    "--public-url https://flows.example.com --scripts sandboxed": "serves",
    "python -m pytest tests/security -q": "this suite",
}


def test_every_command_of_the_guide_has_a_check() -> None:
    assert sorted(commands()) == sorted(CHECKS)


@pytest.mark.parametrize("command", sorted(CHECKS))
def test_the_command_does_what_the_guide_says(command: str, place: Path) -> None:
    check = CHECKS[command]
    if check == "this suite":
        assert (ROOT / "tests" / "security").is_dir()  # running it again here would recurse
    elif check == "serves":
        log = serves(command, place)
        assert "Traceback" not in log
    else:
        assert callable(check)
        check(run(command, place))
