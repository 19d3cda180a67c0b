"""The lease table on its own: who of this worker's claimants is granted a singleton, hand-over
within the worker on redeploy, and everything lost when the database connection breaks."""

from __future__ import annotations

from flowrt.group.leases import LeaseTable, lock_key


def test_lock_keys_are_stable_and_distinct_per_group_and_node() -> None:
    assert lock_key("g", "tick") == lock_key("g", "tick")
    keys = {lock_key(g, n) for g in ("g", "h") for n in ("tick", "tock", "g")}
    assert len(keys) == 6
    assert all(-(2**63) <= k < 2**63 for k in keys)


def test_a_claim_waits_until_the_lock_is_taken() -> None:
    table = LeaseTable("g")
    lease = table.claim("tick")
    assert not lease.held
    assert table.wanted() == ["tick"]
    table.took("tick")
    assert lease.held
    assert table.wanted() == []


def test_a_second_claimant_in_the_worker_gets_the_lease_when_the_first_releases() -> None:
    table = LeaseTable("g")
    old = table.claim("tick")
    table.took("tick")
    new = table.claim("tick")  # a redeploy starts the new runtime before the old one stopped
    assert old.held and not new.held
    old.release()
    assert new.held, "the lease is handed over without unlocking"
    assert table.to_unlock == set()
    new.release()
    assert table.to_unlock == {"tick"}, "the last claimant gone: the lock is given back"
    table.unlocked("tick")
    assert table.held == set()


def test_losing_the_connection_revokes_every_lease() -> None:
    table = LeaseTable("g")
    a, b = table.claim("a"), table.claim("b")
    table.took("a")
    table.took("b")
    assert table.lose_all() == ["a", "b"]
    assert not a.held and not b.held
    assert a._lost.is_set() and b._lost.is_set()
    assert sorted(table.wanted()) == ["a", "b"], "still wanted: taken again when possible"
    table.took("a")
    assert a.held and not a._lost.is_set()


def test_a_claim_made_again_after_release_cancels_the_pending_unlock() -> None:
    table = LeaseTable("g")
    first = table.claim("tick")
    table.took("tick")
    first.release()
    assert table.to_unlock == {"tick"}
    again = table.claim("tick")
    assert table.to_unlock == set()
    assert again.held, "the lock is still this worker's: granted at once"
