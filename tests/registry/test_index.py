"""The cached index of node types: written after a discovery, read while its fingerprint holds,
and a registry from it imports only the modules of the types asked for."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from flowrt.registry import discover
from flowrt.registry.index import CACHE_ENV, IndexedRegistry, cache_file, indexed_registry, load

discover_module = importlib.import_module("flowrt.registry.discover")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


NODE = '''
from flowrt.api import Transform

class {cls}(Transform):
    """Does {type}."""

    type = "{type}"

    def process(self, msg):
        return msg
'''


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A third-party pack, flowrt_indexed, with one node type (beep)."""
    package = tmp_path / "packs" / "flowrt_indexed"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "beep.py").write_text(NODE.format(cls="Beep", type="beep"))
    monkeypatch.syspath_prepend(str(package.parent))
    ep = EntryPoint(name="indexed", value="flowrt_indexed", group="flowrt.nodes")
    monkeypatch.setattr(discover_module, "entry_points", lambda group: [ep])
    yield package
    for name in [m for m in sys.modules if m.startswith("flowrt_indexed")]:
        del sys.modules[name]


def test_a_discovery_writes_the_index_and_the_next_reads_it(cache: Path) -> None:
    first = indexed_registry(discover)
    assert not isinstance(first, IndexedRegistry) and cache_file().is_file()
    second = indexed_registry(discover)
    assert isinstance(second, IndexedRegistry)
    assert second.types() == first.types() and len(second) == len(first)
    assert second.node_types() == first.node_types()
    assert second.connection_types() == first.connection_types()
    assert "inject" in second and "no-such-type" not in second
    assert second["inject"] == first["inject"] and second.get("no-such-type") is None
    assert [s.type for s in second] == [s.type for s in first]


def test_an_edited_pack_makes_the_index_stale(cache: Path, pack: Path) -> None:
    assert "beep" in indexed_registry(discover)
    assert load() is not None
    (pack / "boop.py").write_text(NODE.format(cls="Boop", type="boop"))
    assert load() is None  # a module added
    registry = indexed_registry(discover)
    assert registry["boop"].pack == "indexed"
    assert load() is not None
    (pack / "beep.py").write_text(NODE.format(cls="Beep", type="beep") + "\n# edited\n")
    assert load() is None  # a module changed


def test_an_entry_that_no_longer_holds_discovers(cache: Path) -> None:
    indexed_registry(discover)
    data = json.loads(cache_file().read_text())
    for entry in data["types"]:
        if entry["type"] == "inject":
            entry["cls"] = "NotThere"
    cache_file().write_text(json.dumps(data))
    registry = indexed_registry(discover)
    assert isinstance(registry, IndexedRegistry)
    assert registry["inject"].cls.__name__ == "Inject"
    assert registry.types() == discover().types()


def test_a_cache_that_cannot_be_written_only_discovers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocked / "cache"))
    assert indexed_registry(discover).types() == discover().types()
    assert load() is None


def test_a_registry_from_the_index_imports_only_the_modules_asked_for(
        tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from flowrt.registry import default_registry\n"
        "registry = default_registry()\n"
        "print(type(registry).__name__, len(registry.types()) > 50, registry['inject'].type)\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('flowrt_nodes.'))))\n"
    )
    env = {**os.environ, CACHE_ENV: str(tmp_path)}

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    discovered, modules_then = run()
    assert discovered == "Registry True inject"
    assert "flowrt_nodes.mqtt.mqtt_in" in modules_then.split()
    # a pack edited meanwhile (in a working tree) makes the next process discover again
    indexed, modules_now = next(r for r in (run() for _ in range(3))
                                if r[0].startswith("IndexedRegistry"))
    assert indexed == "IndexedRegistry True inject"
    assert modules_now.split() == ["flowrt_nodes.core", "flowrt_nodes.core.inject"]
