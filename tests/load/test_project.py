"""Which files of a directory are its flows."""

from __future__ import annotations

from pathlib import Path

from flowrt.load.project import load_project


def test_a_secrets_file_beside_the_flows_is_not_a_flow(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("flowrt: 1\nid: a\nnodes: {}\n")
    (tmp_path / "secrets.yaml").write_text("PLANT_PASSWORD: x\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "secrets.yml").write_text("TOKEN: y\n")
    project = load_project([tmp_path])
    assert [d.id for d in project.documents] == ["a"]
    assert project.diagnostics == []


def test_a_secrets_file_named_is_read_as_a_flow(tmp_path: Path) -> None:
    (tmp_path / "secrets.yaml").write_text("PLANT_PASSWORD: x\n")
    project = load_project([tmp_path / "secrets.yaml"])
    assert [Path(d.file).name for d in project.documents] == ["secrets.yaml"]
