"""The shape of the tree, checked so it cannot decay quietly.

- node packs import nothing from flowrt but ``flowrt.api``;
- a node type's id, module and class name correspond (``file-in`` / ``file_in.py`` / ``FileIn``);
- no module is over the 400-line hard limit;
- the stages import one way only: load -> check -> compile -> run -> server;
- ``schemas/flow.schema.json`` is what ``flowrt schema`` generates now.

Every list here is derived from the tree and the registry at test time, never written down, so
new modules and node types are covered as they arrive.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowrt.cli import main, source_schema_path
from flowrt.registry import discover
from flowrt.registry.discover import BUILTIN_PACKAGE
from flowrt.registry.spec import NodeSpec

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
STAGES = ("load", "check", "compile", "run", "server")
"""The stages in the order a flow goes through them: each may import only those before it."""


def python_files(*tops: str) -> list[Path]:
    return sorted(p for top in tops for p in (ROOT / top).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(path: Path) -> list[str]:
    """The package a module's relative imports start from."""
    parts = module_name(path).split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def imported_modules(path: Path, package: list[str]) -> Iterator[tuple[str, int]]:
    """Every module a file imports (relative imports resolved), with the line, anywhere in it."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module, node.lineno
            for alias in node.names:  # `from flowrt import check` imports flowrt.check
                yield f"{module}.{alias.name}", node.lineno


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# (a) node packs use the public node API only


def test_there_are_node_modules() -> None:
    assert python_files(BUILTIN_PACKAGE), "no module under nodes/: the checks below check nothing"


@pytest.mark.parametrize("path", python_files(BUILTIN_PACKAGE), ids=rel)
def test_node_modules_import_only_the_api(path: Path) -> None:
    bad = [
        f"{rel(path)}:{line}: imports {module}"
        for module, line in imported_modules(path, package_of(path))
        if (module == "flowrt" or module.startswith("flowrt."))
        and module != "flowrt.api"
        and not module.startswith("flowrt.api.")
    ]
    assert not bad, "node packs may import only flowrt.api from flowrt:\n" + "\n".join(bad)


# (b) type id, module name and class name correspond


def builtin_specs() -> list[NodeSpec]:
    return [
        s for s in discover(include_entry_points=False) if s.cls.__module__.startswith("nodes.")
    ]


def test_there_are_builtin_types() -> None:
    assert builtin_specs(), "no built-in node type is registered"


@pytest.mark.parametrize("spec", builtin_specs(), ids=lambda s: s.type)
def test_type_module_and_class_names_correspond(spec: NodeSpec) -> None:
    words = spec.type.split("-")
    module = spec.cls.__module__.rsplit(".", 1)[-1]
    expected = ("_".join(words), "".join(w.capitalize() for w in words))
    assert (module, spec.cls.__name__) == expected, (
        f"node type {spec.type!r} must be class {expected[1]} in module {expected[0]}.py; "
        f"it is {spec.cls.__name__} in {spec.cls.__module__}"
    )


# (c) the line limit


@pytest.mark.parametrize("path", python_files("flowrt", BUILTIN_PACKAGE), ids=rel)
def test_module_is_within_the_line_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{rel(path)} has {lines} lines; the limit is {MAX_LINES}: split it by concept"
    )


# (d) imports point one way


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "flowrt" and parts[1] in STAGES else None


STAGE_FILES = [p for p in python_files("flowrt") if stage_of(module_name(p)) in STAGES[:-1]]


def test_stages_exist() -> None:
    assert {stage_of(module_name(p)) for p in STAGE_FILES} >= {"load", "check"}


@pytest.mark.parametrize("path", STAGE_FILES, ids=rel)
def test_stage_imports_only_earlier_stages(path: Path) -> None:
    stage = stage_of(module_name(path))
    assert stage is not None
    later = STAGES[STAGES.index(stage) + 1 :]
    bad = [
        f"{rel(path)}:{line}: imports {module}"
        for module, line in imported_modules(path, package_of(path))
        if stage_of(module) in later
    ]
    assert not bad, (
        f"flowrt/{stage} may not import from {', '.join(later)} (the stages import one way):\n"
        + "\n".join(bad)
    )


def test_import_scan_sees_relative_and_late_imports(tmp_path: Path) -> None:
    """The scanner itself: relative, nested and `from package import module` forms are seen."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from ..run import runtime\n"
        "from . import env\n"
        "def f() -> None:\n"
        "    from flowrt import compile\n"
        "    import flowrt.server.app\n"
    )
    found = {m for m, _ in imported_modules(probe, ["flowrt", "load"])}
    assert {"flowrt.run.runtime", "flowrt.load.env", "flowrt.compile", "flowrt.server.app"} <= found
    assert [stage_of(m) for m in ("flowrt.run", "flowrt.compile", "flowrt.load.env")] == [
        "run",
        "compile",
        "load",
    ]


# (e) the generated schema is up to date


def test_committed_flow_schema_is_what_flowrt_schema_generates() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    committed = source_schema_path().read_text(encoding="utf-8")
    assert result.output == committed, (
        "schemas/flow.schema.json is out of date with the node types: "
        "run `flowrt schema --write` and commit it"
    )


# (f) heavy libraries load with the node that uses them, not with the registry

LAZY_LIBRARIES = (
    "jsonschema", "referencing", "jinja2", "pystache", "jsonata", "croniter",
    "paho", "pika", "influxdb_client", "psycopg", "sqlalchemy", "httpx", "starlette", "uvicorn",
    "amqtt",
)


def test_discovering_the_registry_imports_no_heavy_library() -> None:
    """A fresh interpreter that discovers every node type has none of them loaded."""
    probe = (
        "import sys; from flowrt.registry import default_registry; "
        "assert len(default_registry()) > 0; "
        f"print(' '.join(m for m in {LAZY_LIBRARIES!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], f"imported when the registry is discovered: {done.stdout}"
