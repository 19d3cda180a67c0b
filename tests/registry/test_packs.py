"""The packs' manifests (nodes/*/pack.toml) and what derives from them: pyproject.toml's
dependencies and extras are what ``python -m flowrt.registry.packs --write`` makes of them, the
default install holds every pack's requirements, and ``.ci/services.sh ensure`` starts every
server a pack's tests need."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from flowrt.errors import RegistryError
from flowrt.registry import discover
from flowrt.registry.packs import (
    MANIFEST,
    WRITE,
    main,
    manifests,
    packs_folder,
    read_manifest,
    render_pyproject,
)
from tests.support.servers import SCRIPT

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
MANIFESTS = manifests()


def project() -> dict[str, object]:
    data: dict[str, object] = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return data


def test_every_pack_of_the_registry_has_a_manifest() -> None:
    packs = {s.pack for s in discover(include_entry_points=False)}
    assert packs == {m.name for m in MANIFESTS}


def test_pyproject_is_what_the_manifests_make() -> None:
    text = PYPROJECT.read_text(encoding="utf-8")
    assert render_pyproject(text, MANIFESTS) == text, (
        f"pyproject.toml's dependencies or extras differ from nodes/*/pack.toml: run `{WRITE}`"
    )
    assert main(["--pyproject", str(PYPROJECT)]) == 0


def test_the_default_install_holds_every_pack_and_each_pack_has_its_extra() -> None:
    data = project()
    dependencies = data["dependencies"]
    extras = data["optional-dependencies"]
    assert isinstance(dependencies, list) and isinstance(extras, dict)
    for manifest in MANIFESTS:
        assert set(manifest.requires) <= set(dependencies), manifest.name
        assert extras[manifest.name] == list(manifest.requires)


def test_a_requirement_added_to_a_manifest_reaches_pyproject(tmp_path: Path) -> None:
    first, *rest = MANIFESTS
    grown = [type(first)(first.name, (*first.requires, "frobnicate>=1"), first.test_servers),
             *rest]
    text = render_pyproject(PYPROJECT.read_text(encoding="utf-8"), grown)
    data = tomllib.loads(text)["project"]
    assert "frobnicate>=1" in data["dependencies"]
    assert data["optional-dependencies"][first.name][-1] == "frobnicate>=1"
    changed = tmp_path / "pyproject.toml"
    changed.write_text(text.replace('  "frobnicate>=1",\n', ""))
    assert main(["--pyproject", str(changed)]) == 1, "a drifted pyproject.toml is refused"


def test_a_manifest_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pack.toml").write_text('requires = ["x"]\nservers = ["mosquitto"]\n')
    with pytest.raises(RegistryError, match="servers"):
        read_manifest(tmp_path / "pack.toml")


def test_services_sh_starts_every_server_a_pack_needs() -> None:
    listed = subprocess.run(["bash", str(SCRIPT), "servers"], capture_output=True, text=True,
                            check=True, timeout=30).stdout
    started = {line.split()[1] for line in listed.splitlines()}
    needed = {s for m in MANIFESTS for s in m.test_servers}
    assert needed, "no pack names a test server"
    assert needed <= started, f"not started by .ci/services.sh ensure: {needed - started}"


def test_services_sh_reads_the_test_servers_as_toml_does() -> None:
    """services.sh reads the `test-servers = [...]` line with sed: it must be on one line."""
    for manifest in MANIFESTS:
        text = (packs_folder() / manifest.name / MANIFEST).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.startswith("test-servers")]
        assert len(lines) == 1 and lines[0].rstrip().endswith("]"), manifest.name
        assert tuple(re.findall(r"[A-Za-z0-9_.-]+", lines[0].split("=", 1)[1])) == (
            manifest.test_servers
        )
