"""Writing a group revision into a flows directory (FlowFiles.replace_all): a name that leads
outside the directory refuses the whole revision before anything is written."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from flowrt.server.files import BadName, FlowFiles

GOOD = "flowrt: 1\nid: good\nnodes:\n  n: {type: comment}\n"


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    root = tmp_path / "flows"
    root.mkdir()
    (root / "old.yaml").write_text(GOOD.replace("good", "old"))
    return root


@pytest.mark.parametrize("bad", [
    "../x.yaml", "/tmp/x.yaml", "sub/../../x.yaml", ".flowrt/x.yaml", "x.txt", "a\\b.yaml",
    "nul\x00.yaml", "link/x.yaml",
])
def test_a_revision_with_one_bad_name_writes_nothing(flows: Path, bad: str) -> None:
    outside = flows.parent / "elsewhere"
    outside.mkdir()
    (flows / "link").symlink_to(outside)
    before = {p.name: p.read_text() for p in flows.iterdir() if p.is_file()}
    with pytest.raises(BadName):
        FlowFiles(flows).replace_all({"good.yaml": GOOD, bad: GOOD})
    assert {p.name: p.read_text() for p in flows.iterdir() if p.is_file()} == before
    assert list(outside.iterdir()) == []
    assert not (flows.parent / "x.yaml").exists()


def test_a_revision_replaces_the_flow_files(flows: Path) -> None:
    (flows / "notes.txt").write_text("not a flow file")
    FlowFiles(flows).replace_all({"good.yaml": GOOD, "sub/deeper.yaml": GOOD})
    assert sorted(str(p.relative_to(flows)) for p in flows.rglob("*") if p.is_file()) == [
        "good.yaml", "notes.txt", "sub/deeper.yaml"]
    assert FlowFiles(flows).snapshot() == {"good.yaml": GOOD, "sub/deeper.yaml": GOOD}


def test_processes_sharing_a_directory_write_the_same_revision_at_once(flows: Path) -> None:
    """The workers of `flowrt run DIR --workers N` each write the revision they all got."""
    revision = {f"f{i}.yaml": GOOD.replace("good", f"f{i}") for i in range(40)}
    failures: list[BaseException] = []

    def write() -> None:
        try:
            FlowFiles(flows).replace_all(revision)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert FlowFiles(flows).snapshot() == revision
    assert not [n for n in os.listdir(flows) if n.endswith(".tmp")]


def test_a_temporary_file_left_by_a_killed_write_is_removed_once_old(flows: Path) -> None:
    old = flows / ".good.yaml.0123456789ab.tmp"
    recent = flows / ".good.yaml.ba9876543210.tmp"
    other = flows / ".good.yaml.notours.tmp"
    for path in (old, recent, other):
        path.write_text("half a flow")
    long_ago = time.time() - 3600
    for path in (old, other):
        os.utime(path, (long_ago, long_ago))
    FlowFiles(flows).replace_all({"good.yaml": GOOD})
    assert not old.exists()
    assert recent.exists(), "a write in progress elsewhere lost its temporary file"
    assert other.exists()
