"""Helpers of the conformance suite: running a flow on the real clock, waiting, statuses."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry.packs import manifests
from flowrt.testing import Harness

TESTS_OF_PACKS = Path(__file__).resolve().parents[1] / "nodes"
BACKEND_MODULE = "conformance.py"
"""A pack takes part in the suite with tests/nodes/<pack>/conformance.py."""


def _load_backends() -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for pack in manifests():
        path = TESTS_OF_PACKS / pack.name / BACKEND_MODULE
        if not path.is_file():
            continue
        spec = importlib.util.spec_from_file_location(f"conformance_backend_{pack.name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found[pack.name] = list(module.BACKENDS)
    return found


BACKENDS_BY_PACK = _load_backends()
"""Each pack's backends, for every pack of the manifests with a conformance module."""
BACKENDS = [b for backends in BACKENDS_BY_PACK.values() for b in backends]
SOURCES = [b for b in BACKENDS if b.source_type]
SINKS = [b for b in BACKENDS if b.sink_type]


def flow_text(backend: Any, url: str, key: str, nodes: dict[str, Any]) -> str:
    return json.dumps(
        {"flowrt": 1, "connections": {"server": backend.connection(url, key)}, "nodes": nodes}
    )


@asynccontextmanager
async def running(text: str, env: dict[str, str], timeout: float = 120.0) -> AsyncIterator[Harness]:
    """The flow ``text`` running on the engine with the real clock; stopped gracefully after."""
    plan, _ = build_plan(Project(documents=[load_text(text, "conformance.yaml")]), env=env)
    harness = Harness(plan, env=env, virtual_time=False, timeout=timeout)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


def statuses(harness: Harness, node: str) -> list[dict[str, Any]]:
    return [status for who, status in harness.result.statuses if who == node]


def connected(harness: Harness, node: str) -> bool:
    seen = statuses(harness, node)
    return bool(seen) and seen[-1].get("fill") == "green"


def error_logs(harness: Harness) -> list[tuple[str, str, str]]:
    return [entry for entry in harness.result.logs if entry[1] == "error"]
