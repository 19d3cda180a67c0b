"""The data-analysis node. The expected figures are what node-red-contrib-prib-functions'
Data Analysis node (0.27.1) computes for the same input, quirks included (an unsorted median,
its skewness formula, Infinity and NaN where it divides by zero); the first cases are its own
test suite's."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from flowrt.testing import run_flow

DATA = [3, 1, 4, 1, 5, 9, 2, 6]


def analyse(action: str, messages: list[dict[str, Any]], port: int = 0,
            **config: Any) -> list[dict[str, Any]]:
    flow = {"flowrt": 1, "nodes": {"a": {"type": "data-analysis", "action": action, **config}}}
    result = run_flow(json.dumps(flow), messages, into="a")
    return result.sent("a", port)


def results(action: str, *arrays: list[float], **config: Any) -> list[Any]:
    return [m.get("result", m.get("error")) for m in
            analyse(action, [{"payload": a} for a in arrays], **config)]


@pytest.mark.parametrize(("action", "arrays", "expected"), [
    ("sum", [[0], [0, 0], [1, 1, 1], [-1, 1, -1]], [0, 0, 3, -1]),
    ("avg", [[1, 2], [-1, 1, -1], [1, 2, 3, 4]], [1.5, -1 / 3, 2.5]),
    ("max", [[-1], [-1, 1]], [-1, 1]),
    ("min", [[-1, 1, -1], [2, 2]], [-1, 2]),
    ("stdDev", [[1], [-1, 1], [-1, 1, -1], [1, 2, 3]], [0, 1, 0.9428090415820634,
                                                        0.8164965809277263]),
    ("sampleStdDev", [[1], [1, 2], [1, 2, 3], [1, 2, 3, 4]], [0, 0.7071067811865476, 1,
                                                              1.2909944487358056]),
])
def test_the_contribs_own_cases(action: str, arrays: list[list[float]],
                                expected: list[float]) -> None:
    assert results(action, *arrays) == pytest.approx(expected)


INF, NAN = math.inf, math.nan
FIGURES: list[tuple[str, Any]] = [
    ("avg", 3.875), ("sum", 31), ("min", 1), ("max", 9), ("median", 3), ("range", 8),
    ("variance", 6.609375), ("stdDev", 2.5708704751503917),
    ("sampleVariance", 7.553571428571429), ("sampleStdDev", 2.748376143938713),
    ("skew", -57.581616469447546), ("deltas", [3, -2, 3, -3, 4, 4, -7, 4]),
    ("deltaNormalised", [INF, -0.6666666666666666, 3, -0.75, 4, 0.8, -0.7777777777777778, 2]),
    ("movingAvgCumulative", [3, 2, 2.6666666666666665, 2.25, 2.8, 3.833333333333333,
                             3.571428571428571, 3.875]),
    ("movingAvgSimple", [3, 2, 2.6666666666666665, 2.25, 3.583333333333333, 5.25,
                         5.583333333333333, 5.916666666666666]),
    ("movingAvgWeighted", [1.5, 1.5, 2.8333333333333335, 2, 3.5, 6.333333333333333,
                           4.833333333333333, 5.166666666666667]),
    ("normalize", [-0.109375, -0.359375, 0.015625, -0.359375, 0.140625, 0.640625, -0.234375,
                   0.265625]),
    ("standardize", [-0.3403516468284206, -1.118298268150525, 0.048621663832631515,
                     -1.118298268150525, 0.4375949744936836, 1.9934882171378923,
                     -0.7293249574894728, 0.8265682851547358]),
    ("difference", [-2, 3, -3, 4, 4, -7, 4]),
    ("differenceSeasonal", [1, 0, 1, 8, -3, -3]),
    ("differenceSecondOrder", [5, -6, 7, 0, -11, 11]),
    ("differenceSeasonalSecondOrder", [NAN, -1, 1, 7, -11]),
    ("autocovariance", 0.33482142857142855), ("autocorrelation", 0.044326241134751775),
]


@pytest.mark.parametrize(("action", "expected"), FIGURES)
def test_each_action_as_the_contrib_computes_it(action: str, expected: Any) -> None:
    (got,) = results(action, DATA, term=3, lag=2)
    assert got == pytest.approx(expected, nan_ok=True)


def test_exponential_average_and_its_factor() -> None:
    (got,) = results("movingAvgExponential", DATA, term=0.5)
    assert got == pytest.approx([3, 2, 3, 2, 3.5, 6.25, 4.125, 5.0625])
    (sent,) = analyse("movingAvgExponential", [{"payload": DATA}])  # term 3: refused
    assert sent["error"] == "factor must be >=0 and <=1" and "result" not in sent


def test_bad_data_goes_on_with_an_error_and_nothing_is_computed_for_no_data() -> None:
    sent = analyse("sum", [{"payload": []}, {"payload": "x"}, {"payload": 0}])
    assert sent[0]["error"] == "Reduce of empty array with no initial value"
    assert "array of numbers" in sent[1]["error"]
    assert "result" not in sent[2] and "error" not in sent[2]


def test_realtime_figures_per_key_and_outliers() -> None:
    values = [1, 2, 3, 2, 50]
    messages = [{"topic": "a", "payload": v} for v in values] + [{"topic": "b", "payload": 7}]
    sent = analyse("realtime", messages, outliers_std_devs=1)
    first, second = sent[0]["result"], sent[1]["result"]
    assert (first["count"], first["avg"], first["variance"], first["outlier"]) == (1, 1, 0,
                                                                                  False)
    assert math.isnan(first["skewness"]) and first["delta"] == {}
    assert (second["avg"], second["stdDev"], second["standardized"], second["skewness"]) == (
        1.5, 0.5, 1, 9)
    assert second["delta"]["avg"] == 1
    assert second["exponentialWeightedMoving"][1] == pytest.approx(
        {"factor": 0.5, "weightedSum": 2.5, "weightedCount": 2.25,
         "movingAverage": 1.1111111111111112})
    assert [m["result"]["outlier"] for m in sent] == [False, False, True, False, True, False]
    outliers = analyse("realtime", messages, port=2, outliers_std_devs=1)
    assert [m["payload"] for m in outliers] == [3, 50]
    assert sent[-1]["result"]["key"] == "b" and sent[-1]["result"]["count"] == 1


def test_realtime_refuses_a_zero_and_answers_stats() -> None:
    messages = [{"topic": "a", "payload": 0}, {"topic": "a", "payload": 4},
                {"topic": "@stats"}, {"topic": "@stats reset a"}, {"topic": "@stats"}]
    sent = analyse("realtime", messages)
    assert sent[0]["error"] == 'value is null {"key":"a","value":0}'
    stats = analyse("realtime", messages, port=1)
    assert list(stats[0]["result"]) == ["a"] and stats[1]["result"] == {}


def test_pearson_correlation_over_the_messages() -> None:
    rows = [[1, 2, 9], [2, 4, 7], [3, 7, 8], [4, 8, 1]]
    sent = analyse("pearsonR", [{"payload": r} for r in rows],
                   properties=["payload[0]", "payload[1]", "payload[2]"])
    last = sent[-1]["result"]
    assert last["samples"] == 4
    pairs = {(p["i"], p["j"]): p["value"] for p in last["pearsonR"]}
    assert list(pairs) == [(0, 1), (0, 2), (1, 2)]
    assert pairs[(0, 1)] == pytest.approx(0.9844951849708403)
    assert last["dataPoints"][0]["sumj"] == [None, 63, 51] and last["dataPoints"][2]["sumj"] == []
