"""The running statistics of node-red-contrib-prib-functions' ``Data Analysis`` node: its
``realtime`` action (per key: count, sums, average, variance, moving figures, outlier flag,
and the same for the deltas) and ``pearsonR`` (correlation of several properties over all
messages so far), with the contrib's formulas as written.

Kept as there: the values are never trimmed to the term (the contrib compares against a
``maxSize`` it never sets), ``max`` and ``min`` treat 0 as unset, the weighted moving average
is NaN, and an exponential average's count adds its sum.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .data_analysis_functions import div, median, sqrt


def _ema(coefficient: float) -> dict[str, float]:
    return {"factor": 1 - coefficient, "weightedSum": 0, "weightedCount": 0,
            "movingAverage": 0}


def _sample_ema(ema: dict[str, float], value: float) -> None:
    ema["weightedSum"] = value + ema["factor"] * ema["weightedSum"]
    ema["weightedCount"] = 1 + ema["factor"] * ema["weightedSum"]
    ema["movingAverage"] = div(ema["weightedSum"], ema["weightedCount"])


def _nan_to_zero(x: float) -> float:
    return 0 if math.isnan(x) else x


def add_point(point: dict[str, Any], value: float, term: float, outliers: float,
              by_median: bool) -> None:
    """The contrib's ``setDataPoint``: take ``value`` into ``point``'s figures."""
    if "values" not in point:
        point.update({"values": [], "avg": 0, "count": 0, "movingSum": 0,
                      "movingSumSquared": 0, "movingSumCubed": 0, "outlier": False, "sum": 0,
                      "sumSquared": 0, "sumCubed": 0, "term": term, "weightedMovingSum": 0,
                      "exponentialWeightedMoving": [_ema(0.25), _ema(0.5), _ema(0.75)]})
    point["count"] += 1
    count, values = point["count"], point["values"]
    values.append(value)
    moving_term = min(len(values), point["term"])
    point.update(isMaxSize=False, removedMovingValue=0, removedValue=0)
    point["max"] = max(point.get("max") or value, value)
    point["min"] = min(point.get("min") or value, value)
    point["range"] = point["max"] - point["min"]
    point["sum"] += value
    point["sumSquared"] += value ** 2
    point["sumCubed"] += value ** 3
    point["movingSum"] += value
    point["movingSumSquared"] += value ** 2
    point["movingSumCubed"] += value ** 3
    mean = point["avg"] = point["sum"] / count
    point["normalised"] = (value - mean) / point["range"] if point["range"] else 0
    point["movingAvg"] = div(point["movingSum"], moving_term)
    point["variance"] = point["sumSquared"] / count - mean ** 2
    point["stdDev"] = sqrt(point["variance"])
    point["movingVariance"] = div(point["movingSumSquared"], moving_term) - point["movingAvg"] ** 2
    point["movingStdDev"] = sqrt(point["movingVariance"])
    point["median"] = median(values)
    point["standardized"] = _nan_to_zero(div(value - mean, point["stdDev"]))
    point["movingStandardized"] = _nan_to_zero(div(value - point["movingAvg"],
                                                   point["movingStdDev"]))
    point["skewness"] = div(point["sumCubed"] - 3 * mean * point["variance"] - mean ** 3,
                            point["variance"]) * point["stdDev"]
    moving = point["movingAvg"]
    point["movingSkewness"] = div(point["movingSumCubed"] - 3 * moving
                                  * point["movingVariance"] - moving ** 3,
                                  point["movingVariance"]) * point["stdDev"]
    base = point["median"] if by_median else mean
    spread = abs(_nan_to_zero(div(value - base, point["stdDev"]))) if by_median else abs(
        point["standardized"])
    point["outlier"] = spread > outliers
    point["weightedMovingSum"] += count * value
    point["weightedMovingAvg"] = math.nan
    for ema in point["exponentialWeightedMoving"]:
        _sample_ema(ema, value)


def _shown(key: Any, value: Any) -> str:
    """``JSON.stringify({key, value})``: a missing (None) one left out."""
    return json.dumps({k: v for k, v in (("key", key), ("value", value)) if v is not None},
                      separators=(",", ":"))


def realtime(points: dict[str, Any], key: Any, value: Any, term: float, lag: float,
             outliers: float, by_median: bool) -> dict[str, Any]:
    """The contrib's ``realtime``: take ``value`` into the figures of ``key``; its point."""
    if not key:
        raise ValueError(f"key is null,  {_shown(key, value)}")
    if not value:
        raise ValueError(f"value is null {_shown(key, value)}")
    point: dict[str, Any] = points.setdefault(str(key), {"key": key})
    add_point(point, value, term, outliers, by_median)
    values = point["values"]
    if "delta" in point:
        if len(values) > 1:
            add_point(point["delta"], value - values[-2], term, outliers, by_median)
    else:
        point["delta"] = {}
    if lag > 1:
        if "lag" in point:
            if lag <= len(values):
                add_point(point["lag"], value - values[len(values) - int(lag)], term, outliers,
                          by_median)
                lagged = point["lag"]["values"]
                if len(lagged) > 1:
                    add_point(point["lag"]["delta"], lagged[-1] - lagged[-2], term, outliers,
                              by_median)
        else:
            point["lag"] = {"delta": {}}
    return point


def pearson(state: dict[str, Any], row: list[float]) -> dict[str, Any]:
    """The contrib's ``pearsonR``: take ``row`` (one value per property) into the sums;
    ``{pearsonR: [{value, i, j}], dataPoints, samples}``."""
    n = len(row)
    if "dataPoints" not in state:
        state["dataPoints"] = [{"sum": 0, "sumSquared": 0,
                                "sumj": [None] * (i + 1) + [0] * (n - i - 1) if i < n - 1 else []}
                               for i in range(n)]
        state["samples"] = 0
    state["samples"] += 1
    points = state["dataPoints"]
    for i, v in enumerate(row):
        points[i]["sum"] += v
        points[i]["sumSquared"] += v * v
        for j in range(i + 1, n):
            points[i]["sumj"][j] += v * row[j]
    samples, found = state["samples"], []
    for i in range(n):
        pi = points[i]
        for j in range(i + 1, n):
            pj = points[j]
            top = samples * pi["sumj"][j] - pi["sum"] * pj["sum"]
            bottom = (sqrt(samples * pi["sumSquared"] - pi["sum"] ** 2)
                      * sqrt(samples * pj["sumSquared"] - pj["sum"] ** 2))
            found.append({"value": div(top, bottom), "i": i, "j": j})
    state["pearsonR"] = found  # the contrib's sort with a true/false comparator moves nothing
    return {"pearsonR": found, "dataPoints": points, "samples": samples}
