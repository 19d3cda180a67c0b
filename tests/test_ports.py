"""Ports the tests give their servers lie below the kernel's ephemeral range. A client that
polls a port in that range before its server listens can be handed that very port as its own
source port and connect to itself (TCP simultaneous open): it then reads its own request back
as the answer (CI once failed with ``BadStatusLine: GET /health HTTP/1.1``)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.servers import _ephemeral_start, free_port

ROOT = Path(__file__).resolve().parent.parent


def test_free_ports_and_their_companions_are_below_the_ephemeral_range() -> None:
    start = _ephemeral_start()
    ports = {free_port() for _ in range(300)}
    assert len(ports) > 100, "free_port keeps giving the same few ports"
    assert all(1024 < port and port + 2 < start for port in ports), sorted(ports)[-5:]


def _probes(path: Path) -> list[int]:
    """Lines of ``path`` that bind port 0 and return the port from a function that closes the
    socket: a port picked that way is ephemeral and free for anyone, the client included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.FunctionDef) and node.name == "free_port":
            found.append(node.lineno)
    return found


def test_one_free_port_for_the_whole_suite() -> None:
    copies = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for top in ("tests", "benchmarks")
        for path in sorted((ROOT / top).rglob("*.py"))
        if path != ROOT / "tests/support/servers.py"
        for line in _probes(path)
    ]
    assert copies == [], f"use tests.support.servers.free_port instead: {copies}"
