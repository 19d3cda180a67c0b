"""The shape of the tree, checked so it cannot decay quietly.

- node packs import nothing from flowrt but ``flowrt.api``, and no pack imports another's modules;
- a node type's id, module and class name correspond (``file-in`` / ``file_in.py`` / ``FileIn``);
- no module is over the 400-line hard limit, in flowrt, the node packs and the editor's JavaScript,
  and no line of the editor's JavaScript is over 100 characters;
- every module of flowrt belongs to a layer, and imports only from its own layer and those below
  it (the stages load -> check -> compile -> run among them);
- the server's app is imported only by what starts it, and its route modules never import one
  another;
- no module of flowrt imports itself in a circle, not even for type checking;
- ``schemas/flow.schema.json`` is what ``flowrt schema`` generates now, and
  ``schemas/test.schema.json`` what ``flowrt schema --tests`` does.

Every list here is derived from the tree and the registry at test time, never written down, so
new modules and node types are covered as they arrive.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowrt.cli.commands import main, source_schema_path
from flowrt.registry import discover
from flowrt.registry.discover import BUILTIN_PACKAGE
from flowrt.registry.spec import NodeSpec

ROOT = Path(__file__).resolve().parent.parent
PACKS = Path(importlib.import_module(BUILTIN_PACKAGE).__path__[0]).relative_to(ROOT).as_posix()
"""The folder of the built-in packs (``nodes``), which is imported as BUILTIN_PACKAGE."""
MAX_LINES = 400
LAYERS: tuple[tuple[str, ...], ...] = (
    ("flowrt", "types", "diagnostics", "errors", "message", "evaluated", "file_access", "netloc",
     "step_code"),
    ("protocols",),
    ("expressions",),
    ("broker",),
    ("api", "node_config", "access_fields"),
    ("load",),
    ("registry",),
    ("secrets",),
    ("check",),
    ("compile",),
    ("group",),
    ("run",),
    ("testing", "nodered"),
    ("server",),
    ("cli",),
    ("__main__",),
)
"""flowrt's packages and root modules from the bottom up: each may import only from its own layer
and the layers below it. The stages (load, check, compile, run) are layers in the order a flow
goes through them; the root keeps what every layer shares."""
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


def imported_modules(
    path: Path, package: list[str], typing_only: bool = True
) -> Iterator[tuple[str, int]]:
    """Every module a file imports (relative imports resolved), with the line, anywhere in it;
    without those under ``if TYPE_CHECKING:`` when ``typing_only`` is false."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped: set[int] = set()
    if not typing_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped |= {id(n) for b in node.body for n in ast.walk(b)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
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
    assert python_files(PACKS), "no module under nodes/: the checks below check nothing"


@pytest.mark.parametrize("path", python_files(PACKS), ids=rel)
def test_node_modules_import_only_the_api(path: Path) -> None:
    bad = [
        f"{rel(path)}:{line}: imports {module}"
        for module, line in imported_modules(path, package_of(path))
        if (module == "flowrt" or module.startswith("flowrt."))
        and module != "flowrt.api"
        and not module.startswith("flowrt.api.")
    ]
    assert not bad, "node packs may import only flowrt.api from flowrt:\n" + "\n".join(bad)


def pack_of(module: str) -> str | None:
    """The pack a module of the built-in packs belongs to (``core`` for
    ``flowrt_nodes.core.template``, whichever name it is imported by), else None."""
    parts = module.split(".")
    return parts[1] if parts[0] in (PACKS, BUILTIN_PACKAGE) and len(parts) > 1 else None


@pytest.mark.parametrize("path", [p for p in python_files(PACKS) if pack_of(module_name(p))],
                         ids=rel)
def test_node_packs_do_not_import_one_another(path: Path) -> None:
    """Each pack stands alone (it is installed, left out or replaced on its own): what two
    packs share lives in flowrt and reaches them through flowrt.api."""
    mine = pack_of(module_name(path))
    bad = sorted({
        f"{rel(path)}:{line}: imports from the pack {theirs!r}"
        for module, line in imported_modules(path, package_of(path))
        if (theirs := pack_of(module)) is not None and theirs != mine
    })
    assert not bad, "a node pack may not import another pack's modules:\n" + "\n".join(bad)


def absolute_imports(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module, node.lineno


def test_the_packs_are_imported_by_their_installed_name_only() -> None:
    """In a source checkout the folder is importable under its own name too (the repository is
    on sys.path), but a module imported by both names is two modules with two sets of classes,
    and the folder's name is not what a wheel installs."""
    bad = [
        f"{rel(path)}:{line}: imports {module}; import {BUILTIN_PACKAGE} instead"
        for path in python_files("flowrt", PACKS, "tests", "benchmarks")
        for module, line in absolute_imports(path)
        if module == PACKS or module.startswith(PACKS + ".")
    ]
    assert not bad, "\n".join(bad)


# (b) type id, module name and class name correspond


def builtin_specs() -> list[NodeSpec]:
    return [
        s for s in discover(include_entry_points=False)
        if s.cls.__module__.startswith(BUILTIN_PACKAGE + ".")
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


@pytest.mark.parametrize("path", python_files("flowrt", PACKS), ids=rel)
def test_module_is_within_the_line_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{rel(path)} has {lines} lines; the limit is {MAX_LINES}: split it by concept"
    )


UI_MAX_COLUMNS = 100


def ui_modules() -> list[Path]:
    return sorted((ROOT / "ui" / "js").glob("*.js"))


def test_there_are_ui_modules() -> None:
    assert ui_modules(), "no module under ui/js: the checks below check nothing"


@pytest.mark.parametrize("path", ui_modules(), ids=rel)
def test_ui_module_is_within_the_limits(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_LINES, (
        f"{rel(path)} has {len(lines)} lines; the limit is {MAX_LINES}: split it by concept"
    )
    long = [f"{rel(path)}:{n}" for n, line in enumerate(lines, 1) if len(line) > UI_MAX_COLUMNS]
    assert not long, f"lines over {UI_MAX_COLUMNS} characters: {long}"


@pytest.mark.parametrize("path", ui_modules(), ids=rel)
def test_ui_module_does_not_patch_classes_or_build_its_own_elements(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert ".prototype" not in text, (
        f"{rel(path)} changes a prototype: extend a class in its own module instead"
    )
    if path.name != "dom.js":
        assert "document.createElement(" not in text, (
            f"{rel(path)} builds elements itself: use h() from dom.js"
        )


# (d) imports point one way


def layer_of(module: str) -> int | None:
    """The index in LAYERS of a flowrt module, or None for a module outside flowrt."""
    parts = module.split(".")
    if parts[0] != "flowrt":
        return None
    unit = parts[1] if len(parts) > 1 else "flowrt"
    for index, layer in enumerate(LAYERS):
        if unit in layer:
            return index
    return -1


FLOWRT_FILES = python_files("flowrt")


def test_every_module_is_in_a_layer() -> None:
    lost = sorted({rel(p) for p in FLOWRT_FILES if layer_of(module_name(p)) == -1})
    assert not lost, (
        "these modules belong to no layer: put them in a package, or add their package to "
        f"LAYERS in tests/test_structure.py at the height of what they import: {lost}"
    )


@pytest.mark.parametrize("path", FLOWRT_FILES, ids=rel)
def test_module_imports_only_its_layer_and_below(path: Path) -> None:
    mine = layer_of(module_name(path))
    assert mine is not None and mine >= 0
    bad = [
        f"{rel(path)}:{line}: imports {module}"
        for module, line in imported_modules(path, package_of(path), typing_only=False)
        if (theirs := layer_of(module)) is not None and theirs > mine
        and module != "flowrt.__version__"
    ]
    names = ", ".join(LAYERS[mine])
    assert not bad, (
        f"{names} may import only from layers below it (see LAYERS in tests/test_structure.py):\n"
        + "\n".join(bad)
    )


def test_import_scan_sees_relative_and_late_imports(tmp_path: Path) -> None:
    """The scanner itself: relative, nested and `from package import module` forms are seen, and
    imports for type checking only are told apart."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "from ..run import runtime\n"
        "from . import env\n"
        "if TYPE_CHECKING:\n"
        "    from flowrt.server import app\n"
        "def f() -> None:\n"
        "    from flowrt import compile\n"
        "    import flowrt.server.deploy\n"
    )
    found = {m for m, _ in imported_modules(probe, ["flowrt", "load"])}
    assert {"flowrt.run.runtime", "flowrt.load.env", "flowrt.compile", "flowrt.server.app",
            "flowrt.server.deploy"} <= found
    at_run_time = {m for m, _ in imported_modules(probe, ["flowrt", "load"], typing_only=False)}
    assert "flowrt.server.app" not in at_run_time and "flowrt.server.deploy" in at_run_time
    assert [layer_of(m) for m in ("flowrt.run", "flowrt.compile", "flowrt.load.env", "json")] == [
        LAYERS.index(("run",)),
        LAYERS.index(("compile",)),
        LAYERS.index(("load",)),
        None,
    ]


SERVER_APP = "flowrt.server.app"
STARTS_THE_APP = ("flowrt.cli", "flowrt.server", "flowrt.server.serve")
"""What may import flowrt.server.app: the commands (and what is under flowrt.cli), the server
package itself, and flowrt.server.serve, which builds the app and runs it under uvicorn."""


def server_imports() -> Iterator[tuple[str, str, int]]:
    """(importer, imported module of flowrt.server, line) for every import in flowrt."""
    for path in FLOWRT_FILES:
        mine = module_name(path)
        for module, line in imported_modules(path, package_of(path)):
            parts = module.split(".")
            if parts[:2] == ["flowrt", "server"] and len(parts) > 2:
                yield mine, ".".join(parts[:3]), line


def test_only_what_starts_the_server_imports_its_app() -> None:
    """app.py assembles the routes and the middleware: what it assembles never reaches back to
    it, and route modules share what they share through modules of their own (state, json_api),
    never through one another."""
    bad = []
    for mine, theirs, line in server_imports():
        if theirs == SERVER_APP and mine != SERVER_APP and not (
            mine in STARTS_THE_APP or mine.startswith("flowrt.cli.")
        ):
            bad.append(f"{mine}:{line}: imports {theirs}")
        route = "flowrt.server.routes_"
        if mine.startswith(route) and theirs.startswith(route) and theirs != mine:
            bad.append(f"{mine}:{line}: a route module imports another one, {theirs}")
    assert not bad, "\n".join(bad)


def test_no_module_of_flowrt_imports_itself_in_a_circle() -> None:
    """No import cycle between flowrt's modules, for type checking or not: the parts of a package
    meet through the small objects one hands another (flowrt.run.ports names the runtime's), and
    a package's modules never import one another in a circle (the server's routes, the Node-RED
    families, the group's backends included)."""
    import networkx

    modules = {module_name(p) for p in FLOWRT_FILES}
    graph = networkx.DiGraph()
    graph.add_edges_from(
        (module_name(p), module) for p in FLOWRT_FILES
        for module, _ in imported_modules(p, package_of(p))
        if module in modules and module != module_name(p)
    )
    cycles = [sorted(c) for c in networkx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"modules of flowrt that import one another in a circle: {cycles}"


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    """The scan behind the check above reports a module importing another that imports it."""
    (tmp_path / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from flowrt.run import b\n")
    found = {m for m, _ in imported_modules(tmp_path / "a.py", ["flowrt", "run"])}
    assert "flowrt.run.b" in found


# (e) the generated schema is up to date


@pytest.mark.parametrize("tests", [False, True], ids=["flow.schema.json", "test.schema.json"])
def test_committed_schema_is_what_flowrt_schema_generates(tests: bool) -> None:
    result = CliRunner().invoke(main, ["schema", *(["--tests"] if tests else [])])
    assert result.exit_code == 0, result.output
    committed = source_schema_path(tests).read_text(encoding="utf-8")
    assert result.output == committed, (
        f"schemas/{source_schema_path(tests).name} is out of date: "
        f"run `flowrt schema{' --tests' if tests else ''} --write` and commit it"
    )


# (f) heavy libraries load with the node that uses them, not with the registry

LAZY_LIBRARIES = (
    "jsonschema", "referencing", "jinja2", "pystache", "jsonata", "croniter",
    "paho", "pika", "influxdb_client", "psycopg", "sqlalchemy", "httpx", "starlette", "uvicorn",
    "amqtt", "aiomysql", "pymysql",
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
