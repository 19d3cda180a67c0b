"""Points that carry no time of their own, against the real servers: influx-out stamps them, and
no two points of a series may share a stamp (InfluxDB keeps one value per series and time: a
point written at the time of another would silently replace it)."""

from __future__ import annotations

from typing import Any

from flowrt.testing import FlowResult, run_flow
from tests.nodes.influx.influx_kit import INFLUX, VM, influxql, v1_flow, v2_flow, vm_export
from tests.support.waiting import wait_until

COUNT = 1000


def out_node(extra: str = "") -> str:
    return f"  store: {{type: influx-out, connection: tsdb, batch_interval: 0.05{extra}}}\n"


def write(flow: str, msgs: list[dict[str, Any]], virtual_time: bool = False) -> FlowResult:
    return run_flow(flow, msgs, into="store", virtual_time=virtual_time, timeout=60,
                    env={"INFLUX_TOKEN": "secret-token"})


def v1_rows(db: str, measurement: str) -> list[tuple[int, float]]:
    """(time in ns, value) of every point of ``measurement``, in time order."""
    result = influxql(INFLUX, f'SELECT "value" FROM "{measurement}"', db, epoch="ns")
    series = result["results"][0].get("series", [])
    return [(time, value) for one in series for time, value in one["values"]]


def test_a_burst_of_one_series_keeps_every_point_at_the_default_precision(
    database: str,
) -> None:
    result = write(v1_flow(database, out_node(", measurement: m")),
                   [{"payload": i} for i in range(COUNT)])
    assert not result.errors, result.errors
    found = v1_rows(database, "m")
    assert [value for _, value in found] == list(range(COUNT))
    times = [time for time, _ in found]
    assert all(a < b for a, b in zip(times, times[1:], strict=False))


def test_stamps_increase_while_the_clock_stands_still(database: str) -> None:
    """Under a virtual clock the time does not move while a batch is mapped: each stamp is the
    one before plus a nanosecond."""
    result = write(v1_flow(database, out_node(", measurement: m, precision: s")),
                   [{"payload": i} for i in range(5)] + [{"payload": 5, "timestamp": 7}],
                   virtual_time=True)
    assert not result.errors, result.errors
    found = v1_rows(database, "m")
    assert found[0] == (7_000_000_000, 5)  # a time in the message is kept, in its precision
    times = [time for time, _ in found[1:]]
    assert [value for _, value in found[1:]] == [0, 1, 2, 3, 4]
    assert [b - a for a, b in zip(times, times[1:], strict=False)] == [1, 1, 1, 1]


def test_victoria_metrics_keeps_a_burst_to_the_millisecond(measurement: str) -> None:
    """VictoriaMetrics stores milliseconds: points of a series in the same millisecond keep
    their values (its export shows each), not their order within that millisecond."""
    msgs = [{"payload": i, "measurement": measurement} for i in range(COUNT)]
    result = write(v2_flow(out_node()), msgs)
    assert not result.errors, result.errors
    match = f'{{__name__="{measurement}_value"}}'

    def all_there() -> list[dict[str, Any]]:
        found = vm_export(VM, match)
        return found if found and len(found[0]["values"]) == COUNT else []

    (series,) = wait_until(all_there, f"{COUNT} points on VictoriaMetrics")
    assert sorted(series["values"]) == list(range(COUNT))
    stamps = series["timestamps"]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) < COUNT  # several points shared a millisecond, and are all there
