"""Token buckets and daily quotas on a clock the test moves (no sleeping, no timing)."""

from __future__ import annotations

from flowrt.run.limits import MAX_CLIENTS, Limited, Limits


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_burst_then_the_rate_with_retry_after() -> None:
    clock = Clock()
    limits = Limits(rate=2.0, burst=3, quota=None, clock=clock, wall=clock)
    assert [limits.take("a") for _ in range(3)] == [None, None, None]
    assert limits.take("a") == Limited("rate", 1)
    clock.now += 0.5  # one token back at 2 a second
    assert limits.take("a") is None
    assert limits.take("a") == Limited("rate", 1)
    assert limits.take("b") is None  # each client has its own bucket
    clock.now += 100
    assert [limits.take("a") for _ in range(4)] == [None, None, None, Limited("rate", 1)]


def test_a_slow_rate_asks_to_wait_longer() -> None:
    clock = Clock()
    limits = Limits(rate=0.1, burst=None, quota=None, clock=clock, wall=clock)
    assert limits.take("a") is None
    assert limits.take("a") == Limited("rate", 10)
    clock.now += 4
    assert limits.take("a") == Limited("rate", 6)


def test_the_quota_resets_at_utc_midnight() -> None:
    day = 86_400
    wall = Clock(20_000 * day + day - 30)  # 30 s before midnight
    limits = Limits(rate=None, burst=None, quota=2, clock=Clock(), wall=wall)
    assert [limits.take("a"), limits.take("a")] == [None, None]
    assert limits.take("a") == Limited("quota", 30)
    assert limits.take("b") is None
    wall.now += 31
    assert limits.take("a") is None


def test_refused_requests_are_not_counted() -> None:
    clock = Clock()
    limits = Limits(rate=1.0, burst=1, quota=5, clock=clock, wall=clock)
    assert limits.take("a") is None
    for _ in range(10):
        assert limits.take("a") == Limited("rate", 1)
    for _ in range(4):
        clock.now += 1
        assert limits.take("a") is None
    clock.now += 1
    over = limits.take("a")
    assert over is not None and over.reason == "quota"


def test_many_anonymous_clients_do_not_grow_the_table_without_bound() -> None:
    clock = Clock()
    limits = Limits(rate=1.0, burst=1, quota=None, clock=clock, wall=clock)
    for i in range(MAX_CLIENTS + 500):
        limits.take(f"address:{i}")
        clock.now += 0.001
    assert len(limits.clients) <= MAX_CLIENTS
