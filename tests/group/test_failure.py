"""The record of the group revision that failed on a worker: kept across restarts, one per
group and flows directory, and a broken one taken as none."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from flowrt.group.failure import Failure, FailureRecord


def test_a_failure_is_read_back_until_cleared(tmp_path: Path) -> None:
    record = FailureRecord.of("plant", tmp_path / "flows")
    assert record.path.parent == tmp_path / ".flowrt"  # beside the flows, never in them
    assert record.read() is None
    record.write(Failure(7, "abc", "revision abc: 1 problem(s) in the flows"))
    again = FailureRecord.of("plant", tmp_path / "flows")
    assert again.read() == Failure(7, "abc", "revision abc: 1 problem(s) in the flows")
    again.clear()
    assert record.read() is None and not record.path.exists()
    again.clear()  # nothing to remove: no error


def test_each_group_and_directory_has_its_own(tmp_path: Path) -> None:
    state = tmp_path / "state"
    paths = {FailureRecord.of(g, tmp_path / d, state).path
             for g in ("plant", "office") for d in ("a", "b")}
    assert len(paths) == 4 and all(p.parent == state for p in paths)


def test_a_broken_record_is_taken_as_none(tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    record = FailureRecord.of("plant", tmp_path / "flows")
    record.path.parent.mkdir()
    for text in ("{not json", '{"id": "x", "hash": "abc", "why": ""}', '{"hash": "abc"}',
                 "[]"):
        record.path.write_text(text)
        with caplog.at_level(logging.WARNING, logger="flowrt.group"):
            assert record.read() is None, text
        assert "cannot be read" in caplog.text
        caplog.clear()


def test_a_record_that_cannot_be_written_is_said(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "state").write_text("a file where the state directory should be")
    record = FailureRecord.of("plant", tmp_path / "flows", tmp_path / "state")
    with caplog.at_level(logging.WARNING, logger="flowrt.group"):
        record.write(Failure(1, "abc", "why"))
    assert "a restart applies it again" in caplog.text
    assert record.read() is None
