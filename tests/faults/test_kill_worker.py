"""kill -9 of one of two workers in the middle of an AMQP -> script -> PostgreSQL stream of
10,000 messages: every message ends up in the table with its content, duplicates are at most
what the killed worker had unacknowledged (its ``prefetch``, see scenario_kill), and the
survivor takes the whole load."""

from __future__ import annotations

from tests.faults.scenario_kill import kill_worker
from tests.support.servers import url


def test_kill_one_of_two_workers_loses_nothing() -> None:
    out = kill_worker(mode="insert")
    assert out.tally.lost == [], out.tally
    assert out.tally.unknown == [], out.tally
    assert out.bad_content == 0, f"{out.bad_content} rows with wrong content"
    assert out.rows_at_kill < out.tally.expected, "the kill came after the stream had ended"
    assert out.killed_rows > 0, "the killed worker never took part"
    # Duplicates: only messages the killed worker held unacknowledged, at most its prefetch.
    assert out.tally.duplicated <= out.prefetch, out.tally
    assert out.bad_duplicates == [], out.bad_duplicates[:10]
    # The survivor takes the whole load once the other is gone.
    assert out.rows_after_kill > 0
    assert out.writers_after_kill == {out.survivor}, out.writers_after_kill
    assert out.depth_at_end == 0
    assert out.survivor_exit == 0
    assert out.survivor_errors == []


def test_kill_with_ignore_mode_leaves_no_duplicate() -> None:
    """With ``mode: ignore`` on a unique ``seq``, the messages the survivor gets again after
    the kill are skipped by the database: one row per message, and no error."""
    out = kill_worker(mode="ignore")
    assert out.tally.lost == [], out.tally
    assert out.tally.duplicated == 0, out.tally
    assert out.tally.arrived == out.tally.expected == 10_000
    assert out.bad_content == 0
    assert out.rows_at_kill < out.tally.expected
    assert out.killed_rows > 0
    assert out.writers_after_kill == {out.survivor}, out.writers_after_kill
    assert out.depth_at_end == 0
    assert out.survivor_exit == 0
    assert out.survivor_errors == [], out.survivor_errors[:3]


def test_kill_one_of_two_workers_of_a_group() -> None:
    """The same with the workers run as a group (``--group``, locks and members in
    PostgreSQL): amqp-in runs on every worker of a group, so the survivor takes the load the
    same way, and the group's bookkeeping costs no message."""
    out = kill_worker(mode="insert", group_db=url("pg"))
    assert out.grouped, "the workers did not log joining the group"
    assert out.tally.lost == [], out.tally
    assert out.tally.duplicated <= out.prefetch, out.tally
    assert out.bad_duplicates == [], out.bad_duplicates[:10]
    assert out.bad_content == 0
    assert out.rows_at_kill < out.tally.expected
    assert out.killed_rows > 0
    assert out.writers_after_kill == {out.survivor}, out.writers_after_kill
    assert out.depth_at_end == 0
    assert out.survivor_exit == 0
    assert out.survivor_errors == [], out.survivor_errors[:3]
