"""Helpers for the Node-RED import tests: convert node lists, look at the result, run it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from flowrt.nodered import Conversion, convert, read_data
from flowrt.nodered.credentials import Credentials
from flowrt.nodered.report import Entry
from flowrt.nodered.writer import render
from flowrt.testing import FlowResult, run_flow

NODERED_VERSION = "4"
NODERED_DIR = Path(os.environ.get("FLOWRT_NODERED_DIR",
                                  Path.home() / ".cache" / "flowrt" / f"nodered{NODERED_VERSION}"))
"""Where the tests install Node-RED's npm packages (examples, and the credentials code)."""
PACKAGES = (f"node-red@{NODERED_VERSION}", f"@node-red/nodes@{NODERED_VERSION}")
"""Node-RED itself (its runtime encrypts credentials; red.js loads exported flows) and the
package holding the example flows (the corpus)."""


def tab(tab_id: str = "t1", label: str = "Main", **extra: Any) -> dict[str, Any]:
    return {"id": tab_id, "type": "tab", "label": label, **extra}


def nr_import(nodes: list[dict[str, Any]], credentials: Credentials | None = None,
              source: str = "flows.json") -> Conversion:
    return convert(read_data(nodes), credentials or {}, source)


def texts(conversion: Conversion) -> dict[str, str]:
    return {flow.file: render(flow) for flow in conversion.flows}


def node(conversion: Conversion, nr_id: str) -> dict[str, Any]:
    """The flowrt node (as flow-file data) made from Node-RED node ``nr_id``, less its
    ``origin`` (the Node-RED id and type every imported node keeps, see test_roundtrip), so a
    mapping's test states the mapping only."""
    made = entry(conversion, nr_id).flowrt_id
    for flow in conversion.flows:
        for out in flow.all_nodes():
            if out.nr_id == nr_id and out.id == made:
                data = out.data()
                assert data.pop("origin") == {"id": nr_id, "type": out.nr_type}
                return data
    raise AssertionError(f"no node made from {nr_id}")


def entry(conversion: Conversion, nr_id: str) -> Entry:
    return next(e for e in conversion.report.entries if e.nr_id == nr_id)


def errors(conversion: Conversion) -> list[str]:
    return [d for d in conversion.report.diagnostics if " error " in d]


def run_imported(conversion: Conversion, inputs: list[Any] = (), *, into: str | None = None,
                 until: float | None = None, env: dict[str, str] | None = None) -> FlowResult:
    """Run every imported flow file together (the first is the main one)."""
    files = list(texts(conversion).values())
    return run_flow(files[0], inputs, into=into, until=until, env=env, others=files[1:])


def flowrt_id(conversion: Conversion, nr_id: str) -> str:
    return entry(conversion, nr_id).flowrt_id


def nodered_home() -> Path:
    """Node-RED's packages, installed with npm on first use (a missing npm fails the test)."""
    modules = NODERED_DIR / "node_modules"
    if not (modules / "node-red" / "red.js").exists() or not examples_dir().exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install Node-RED's packages (examples, credentials)")
        NODERED_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(NODERED_DIR), "--no-audit", "--no-fund",
             *PACKAGES], capture_output=True, text=True, timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(f"npm install {' '.join(PACKAGES)} failed:\n{done.stderr[-2000:]}")
    return NODERED_DIR


def examples_dir() -> Path:
    return NODERED_DIR / "node_modules" / "@node-red" / "nodes" / "examples"
