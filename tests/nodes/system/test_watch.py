"""watch: Node-RED's watch node (23-watch.js and its spec) on real files: the message of a
change, files, directories and their subdirectories, one message per save, names that appear
later, and the file rule of --files."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flowrt import file_access
from flowrt.compile import build_plan
from flowrt.file_access import FileAccess
from flowrt.load import Project, load_text
from flowrt.registry import default_registry
from flowrt.testing.harness import Harness

Step = Callable[[], object]


def _plan(config: str) -> Any:
    flow = f"flowrt: 1\nnodes:\n  w: {{type: watch, {config}}}\n"
    return build_plan(Project(documents=[load_text(flow, "t.yaml")]), default_registry(),
                      env={})[0]


async def _until(check: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        await asyncio.sleep(0.02)


def watched(config: str, steps: list[tuple[Step, Callable[[list[dict[str, Any]]], bool]]],
            ) -> tuple[list[dict[str, Any]], Harness]:
    """Start a watch node, then do each step once the previous one's condition on the
    messages sent so far holds; the messages (without `_msgid`)."""

    async def main() -> Harness:
        h = Harness(_plan(config), virtual_time=False)
        await h.start()
        await _until(lambda: any(s["text"] == "watching" for _, s in h.result.statuses)
                     or bool(h.result.logs))
        try:
            for step, ready in steps:
                step()
                await _until(lambda ready=ready: ready(_sent(h)))  # type: ignore[misc]
        finally:
            await h.stop()
        return h

    h = asyncio.run(main())
    return _sent(h), h


def _sent(h: Harness) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k != "_msgid"} for m in h.result.sent("w")]


def test_a_changed_file_gives_its_path_type_and_size(tmp_path: Path) -> None:
    target = tmp_path / "file0.txt"
    target.write_text("")
    sent, _ = watched(f"files: ['{target}']", [
        (lambda: target.write_text("ABCDE"), lambda s: len(s) >= 1)])
    assert sent == [{"payload": str(target), "topic": str(target), "file": "file0.txt",
                     "filename": str(target), "event": "update", "type": "file", "size": 5}]


def test_several_names_give_their_list_as_the_topic(tmp_path: Path) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("")
    two.write_text("")
    sent, _ = watched(f"files: ['{one}', '{two}']", [
        (lambda: one.write_text("1"), lambda s: len(s) >= 1),
        (lambda: two.write_text("22"), lambda s: len(s) >= 2)])
    assert [(m["file"], m["size"]) for m in sent] == [("one.txt", 1), ("two.txt", 2)]
    assert {m["topic"] for m in sent} == {json.dumps([str(one), str(two)], separators=(",", ":"))}


def test_a_directory_reports_what_is_created_and_removed_in_it(tmp_path: Path) -> None:
    item = tmp_path / "a.txt"
    sent, _ = watched(f"files: ['{tmp_path}']", [
        (lambda: item.write_text("hi"), lambda s: len(s) >= 1),
        (lambda: (tmp_path / "sub").mkdir(), lambda s: len(s) >= 2),
        (lambda: item.unlink(), lambda s: len(s) >= 3)])
    assert [(m["payload"], m["event"], m["type"]) for m in sent] == [
        (str(item), "update", "file"), (str(tmp_path / "sub"), "update", "directory"),
        (str(item), "remove", "none")]
    assert "size" not in sent[1] and "size" not in sent[2]


def test_subdirectories_are_watched_only_when_recursive(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    deep, marker = tmp_path / "sub" / "deep.txt", tmp_path / "marker.txt"
    sent, _ = watched(f"files: ['{tmp_path}']", [
        (lambda: deep.write_text("x"), lambda s: True),
        (lambda: marker.write_text("x"), lambda s: any(m["file"] == "marker.txt" for m in s))])
    assert "deep.txt" not in {m["file"] for m in sent}
    deep2 = tmp_path / "sub" / "deep2.txt"
    sent, _ = watched(f"files: ['{tmp_path}'], recursive: true", [
        (lambda: deep2.write_text("x"), lambda s: any(m["file"] == "deep2.txt" for m in s))])
    assert [m["payload"] for m in sent if m["file"] == "deep2.txt"] == [str(deep2)]


def test_one_save_is_one_message(tmp_path: Path) -> None:
    target, marker = tmp_path / "doc.txt", tmp_path / "marker.txt"

    def save() -> None:
        with open(target, "w") as handle:  # created, then written three times
            for part in ("one ", "two ", "three"):
                handle.write(part)
                handle.flush()
                os.fsync(handle.fileno())

    sent, _ = watched(f"files: ['{tmp_path}']", [
        (save, lambda s: any(m["file"] == "doc.txt" for m in s)),
        (lambda: marker.write_text("x"), lambda s: any(m["file"] == "marker.txt" for m in s))])
    assert [m["size"] for m in sent if m["file"] == "doc.txt"] == [13]


def test_a_relative_name_is_kept_as_written(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spool").mkdir()
    sent, _ = watched("files: [./spool]", [
        (lambda: (tmp_path / "spool" / "job").write_text("1"), lambda s: len(s) >= 1)])
    assert (sent[0]["payload"], sent[0]["topic"]) == ("spool/job", "./spool")


def test_a_name_that_appears_later_is_watched_once_it_exists(tmp_path: Path) -> None:
    later = tmp_path / "later"
    sent, h = _appearing(later)
    assert [m["payload"] for m in sent] == [str(later / "f")]
    assert any("does not exist" in text for _, _, text in h.result.logs)


def _appearing(later: Path) -> tuple[list[dict[str, Any]], Harness]:
    async def main() -> Harness:
        h = Harness(_plan(f"files: ['{later}']"), virtual_time=False)
        await h.start()
        await _until(lambda: any("does not exist" in t for _, _, t in h.result.logs))
        later.mkdir()
        await _until(lambda: any(s["text"] == "watching" for _, s in h.result.statuses))
        try:
            (later / "f").write_text("x")
            await _until(lambda: len(h.result.sent("w")) >= 1)
        finally:
            await h.stop()
        return h

    h = asyncio.run(main())
    return _sent(h), h


def test_names_outside_the_files_the_operator_allows_are_refused(tmp_path: Path) -> None:
    allowed, other = tmp_path / "allowed", tmp_path / "other"
    allowed.mkdir()
    other.mkdir()
    file_access.configure(FileAccess.for_policy("deny", [allowed]))
    sent, h = watched(f"files: ['{other}']", [])
    assert sent == []
    assert any(f"cannot watch '{other}'" in text and "outside the directories" in text
               for _, _, text in h.result.logs)


def test_changes_the_file_rule_forbids_are_not_reported(tmp_path: Path) -> None:
    secrets, outside = tmp_path / "secrets.yaml", tmp_path / "outside"
    secrets.write_text("k: v")
    outside.mkdir()
    spool = tmp_path / "spool"
    spool.mkdir()
    file_access.configure(FileAccess.for_policy("allow", [spool], private=[secrets]))
    marker = spool / "marker"
    sent, _ = watched(f"files: ['{spool}']", [
        (lambda: os.link(secrets, spool / "hard"), lambda s: True),
        (lambda: (spool / "link").symlink_to(outside), lambda s: True),
        (lambda: marker.write_text("x"), lambda s: any(m["file"] == "marker" for m in s))])
    assert [m["file"] for m in sent] == ["marker"]
