"""What a runtime measures (flowrt.run.metrics): a synchronous node times the first message
after each arming and no other, every message with FLOWRT_METRICS_SAMPLE=0, none with off;
an asynchronous transform every message; the sampling variable is checked."""

from __future__ import annotations

import asyncio
from unittest import mock

import pytest

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.run import Runtime
from flowrt.run.metrics import Histogram, sample_interval

CHAIN = """\
flowrt: 1
nodes:
  chg: {type: change, rules: [{set: payload.x, to: 1}], to: [sw, keep]}
  sw: {type: switch, property: payload.x, rules: [{eq: 1}], to: {0: chg2}}
  chg2: {type: change, rules: [{set: payload.y, to: 2}]}
  keep: {type: file-out, filename: kept.txt}
"""


async def measured(sample: str, arm_between: bool = False) -> Runtime:
    """The chain run with ``FLOWRT_METRICS_SAMPLE=sample``: 3 messages, (the nodes armed,)
    3 more."""
    plan, _ = build_plan(Project(documents=[load_text(CHAIN, "chain.yaml")]), env={})
    with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": sample}):
        rt = Runtime(plan, env={})
    await rt.start()
    for i in range(6):
        if i == 3 and arm_between:
            rt.meter.arm()
        rt.inject("chg", {"payload": {"i": i}})
    await rt.stop()
    return rt


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where file-out writes kept.txt


def counts(rt: Runtime) -> dict[str, int]:
    return {n: h.count for n, h in rt.meter.timings.items()}


def test_a_node_times_the_first_message_after_each_arming_only() -> None:
    rt = asyncio.run(measured("3600", arm_between=True))  # no tick during the test
    assert counts(rt) == {"chg": 1, "sw": 1, "chg2": 1, "keep": 6}
    assert [rt.stats[n][0] for n in ("chg", "sw", "chg2", "keep")] == [6, 6, 6, 6]


def test_unarmed_nodes_time_nothing_and_0_times_every_message() -> None:
    assert counts(asyncio.run(measured("3600"))) == {"chg": 0, "sw": 0, "chg2": 0, "keep": 6}
    assert counts(asyncio.run(measured("0"))) == {"chg": 6, "sw": 6, "chg2": 6, "keep": 6}
    assert counts(asyncio.run(measured("off"))) == {}


def test_the_sampling_variable_is_read_and_checked() -> None:
    assert sample_interval({}) == 0.1
    assert sample_interval({"FLOWRT_METRICS_SAMPLE": "0.5"}) == 0.5
    assert sample_interval({"FLOWRT_METRICS_SAMPLE": "OFF"}) is None
    for bad in ("-1", "often", "nan"):
        with pytest.raises(ValueError, match="FLOWRT_METRICS_SAMPLE"):
            sample_interval({"FLOWRT_METRICS_SAMPLE": bad})


def test_a_histogram_counts_into_its_buckets_cumulatively() -> None:
    h = Histogram((0.001, 0.01))
    for value in (0.0005, 0.001, 0.005, 2.0):
        h.observe(value)
    snap = h.snapshot()
    assert snap["le"] == [[0.001, 2], [0.01, 3], ["+Inf", 4]]
    assert snap["count"] == 4 and snap["sum"] == pytest.approx(2.0065)
