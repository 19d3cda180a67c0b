"""mqtt-in (QoS 1) on a Mosquitto with stock limits, publishers 1.5 times (at least) faster
than the sink can take: with its journal (the default) every message arrives exactly once;
killed with SIGKILL mid-stream and started again, none is lost, and only messages its journal
had not finished come twice (see scenario_journal)."""

from __future__ import annotations

from tests.faults.scenario_journal import through_journal

MESSAGES = 20_000


def test_fast_publishers_slow_sink_every_message_exactly_once() -> None:
    out = through_journal(MESSAGES)
    assert out.tally.lost == [], out.tally
    assert out.tally.duplicated == 0, out.tally
    assert out.tally.unknown == [], out.tally
    assert out.left_at_broker == 0
    assert out.exit_code == 0
    assert out.errors == [], out.errors[:3]


def test_kill_9_mid_stream_loses_nothing_and_repeats_only_the_unfinished() -> None:
    out = through_journal(MESSAGES, kill_after=500)
    assert out.tally.lost == [], out.tally
    assert out.tally.unknown == [], out.tally
    assert out.rows_at_kill < MESSAGES, "the kill came after the stream had ended"
    assert out.journaled_at_kill, "the killed worker's journal held nothing"
    assert out.replayed == len(out.journaled_at_kill)
    # Only messages the killed worker's journal still held come twice: written by the sink but
    # not yet deleted from the journal, or committed to it but not yet acknowledged to the
    # broker (which sends them again too). A message it had finished and deleted never does.
    unexplained = out.duplicated - out.journaled_at_kill
    assert not unexplained, sorted(unexplained)[:10]
    assert out.left_at_broker == 0
    assert out.exit_code == 0
    assert out.errors == [], out.errors[:3]
