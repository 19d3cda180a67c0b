"""What the tests of a group's revisions share: real `flowrt serve` and `flowrt run` workers of
one group over the PostgreSQL on 127.0.0.1, each with a flows directory of its own, and a look
at the group's tables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from tests.support.servers import free_port
from tests.support.serving import flowrt_command

ANSWER = """\
flowrt: 1
id: version
nodes:
  ask: {{type: http-in, url: /version, to: say}}
  say:
    type: change
    rules:
      - set: payload
        to: {text}
    to: answer
  answer: {{type: http-response}}
"""


def answer(text: str) -> str:
    """A flow answering GET /version with ``text``."""
    return ANSWER.format(text=json.dumps(text))


@dataclass
class Worker:
    name: str
    flows: Path
    port: int
    log: Path
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                flowrt_command(*self.args), stdout=out, stderr=subprocess.STDOUT,
                cwd=self.flows.parent, env={**os.environ, **self.env},
                start_new_session=True)
        return self

    def version(self) -> str | None:
        """What GET /version answers on this worker's port, or None."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/version",
                                        timeout=5) as res:
                return str(res.read().decode())
        except OSError:
            return None

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as res:
            return json.loads(res.read().decode())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=json.dumps(body).encode(),
            method="POST", headers={"Content-Type": "application/json",
                                    "X-Flowrt-Request": "1"})
        with urllib.request.urlopen(request, timeout=120) as res:
            return json.loads(res.read().decode())

    def kill(self) -> None:
        """kill -9 of the worker's process group."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int | None:
        proc = self.process
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        return proc.returncode

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.name} ---\n" + self.log.read_text(errors="replace")[-chars:]


def make_worker(tmp_path: Path, name: str, kind: str, group: str, pg: str,
                files: dict[str, str], *extra: str) -> Worker:
    """A worker ``name`` (``kind`` "serve" or "run") of ``group`` over a flows directory of
    its own holding ``files``; not started."""
    flows = tmp_path / name / "flows"
    flows.mkdir(parents=True)
    for file, text in files.items():
        (flows / file).write_text(text)
    port = free_port()
    common = ["--group", group, "--group-db", pg, "--worker", name, "--group-poll", "0.5",
              "--log-format", "json", *extra]
    if kind == "serve":
        args = ["serve", "--flows", str(flows), "--port", str(port),
                "--state-dir", str(flows.parent / "state"), *common]
    else:
        args = ["run", str(flows), "--http", f"127.0.0.1:{port}", *common]
    return Worker(name, flows, port, flows.parent / "worker.log", args)


def members(pg: str, group: str) -> dict[str, dict[str, Any]]:
    """The group's member rows, by worker (alive as the group says)."""
    from flowrt.group.postgres import ALIVE, TABLE

    with psycopg.connect(pg, autocommit=True) as conn:
        rows = conn.execute(
            f"SELECT worker, revision, deploy_error, {ALIVE} FROM {TABLE} "
            "WHERE group_name = %s", (5.0, group)).fetchall()
    return {r[0]: {"revision": r[1], "deploy_error": r[2], "alive": r[3]} for r in rows}


def newest(pg: str, group: str) -> str | None:
    from flowrt.group.revisions import TABLE

    with psycopg.connect(pg, autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,)).fetchone()[0]:
            return None
        row = conn.execute(f"SELECT hash FROM {TABLE} WHERE group_name = %s "
                           "ORDER BY id DESC LIMIT 1", (group,)).fetchone()
    return row[0] if row else None


def store(pg: str, group: str, files: dict[str, str], author: str = "test") -> str:
    """Store a revision of ``group`` as a deploy does (and notify), from outside any worker;
    its hash."""
    import asyncio

    from flowrt.group.revisions import create_table
    from flowrt.group.revisions import store as store_revision

    async def go() -> str:
        async with await psycopg.AsyncConnection.connect(pg, autocommit=True) as conn:
            await create_table(conn)
            rev = await store_revision(conn, group, files, author, "from the test")
            return rev.hash

    return asyncio.run(go())


def converged(pg: str, group: str, workers: list[Worker]) -> bool:
    """Every worker given is alive and reports the group's newest revision, without error."""
    target = newest(pg, group)
    rows = members(pg, group)
    return target is not None and all(
        w.name in rows and rows[w.name]["alive"] and rows[w.name]["revision"] == target
        and not rows[w.name]["deploy_error"] for w in workers)
