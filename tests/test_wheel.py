"""The wheel as a user installs it: built from what the Dockerfile's build context holds (the
paths .dockerignore lets in), it holds the packages ``flowrt`` and ``flowrt_nodes`` only (no
top-level ``nodes`` to clash with another distribution), and installed into a fresh virtual
environment it lists the node types and runs a flow, the function node's worker process
included. The Dockerfile builds and installs that wheel the same way.

The fresh environment gets the wheel alone (``--no-deps``); the dependencies come from this
environment's site-packages, put on its path by a ``.pth`` line, so nothing is downloaded but the
build backend.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from flowrt.registry.discover import BUILTIN_PACKAGE

ROOT = Path(__file__).resolve().parent.parent

FLOW = """\
flowrt: 1
id: tiny
nodes:
  start:
    type: inject
    once: true
    payload: {type: num, value: "21"}
    to: double
  double:
    type: function
    func: "msg.payload = msg.payload * 2; return msg;"
    timeout: 5
    memory_limit: 64
    to: show
  show: {type: debug}
"""


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> str:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FLOWRT_", "PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def docker_context(to: Path) -> Path:
    """A copy of what `docker build` sends: .dockerignore ignores everything but `!PATH` lines."""
    rules = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in rules, ".dockerignore no longer starts from nothing: update this test"
    for name in (line[1:] for line in rules if line.startswith("!")):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, to / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, to / name)
    return to


def test_the_dockerfile_builds_the_wheel_and_installs_it() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "python -m build --wheel --outdir /wheels" in text
    assert "pip install /wheels/*.whl" in text


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    context = docker_context(tmp_path_factory.mktemp("context"))
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, context, cwd=dist)
    (built,) = dist.glob("flowrt-*.whl")
    return built


def test_the_wheel_holds_flowrt_and_the_packs_under_their_own_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"flowrt", BUILTIN_PACKAGE}
    packs = {name.split("/")[1] for name in names
             if name.startswith(BUILTIN_PACKAGE + "/") and name.endswith("/__init__.py")}
    assert {"core", "mqtt", "amqp", "influx", "postgres", "http", "function"} <= packs
    assert f"{BUILTIN_PACKAGE}/mqtt/pack.toml" in names, "the pack manifests are installed"


def test_the_installed_wheel_lists_the_node_types_and_runs_a_flow(
        wheel: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                  cwd=tmp_path).strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "-q", wheel, cwd=tmp_path)

    where = run(python, "-c", "import importlib.util as u, flowrt, flowrt_nodes; "
                "print(flowrt.__file__, flowrt_nodes.__file__, u.find_spec('nodes'))",
                cwd=tmp_path).split()
    assert where[0].startswith(purelib) and where[1].startswith(purelib), where
    assert where[2] == "None", "a package named nodes is importable"

    listed = run(fresh / "bin" / "flowrt", "nodes", cwd=tmp_path)
    assert "mqtt-in" in listed and "postgres-out" in listed and "function" in listed

    (tmp_path / "tiny.yaml").write_text(FLOW)
    ran = run(fresh / "bin" / "flowrt", "run", "tiny.yaml", "--until-idle",
              "--scripts", "sandboxed", cwd=tmp_path)  # sandboxed: the function node's worker
    assert "[debug:show] 42" in ran, ran
