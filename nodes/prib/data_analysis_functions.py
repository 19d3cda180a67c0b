"""The array statistics of node-red-contrib-prib-functions' ``Data Analysis`` node, with its
arithmetic as written there and JavaScript's numbers (division by zero gives an infinity or
NaN, a missing item is NaN), so results match the contrib's.

Each function takes the array and the node's ``term`` and ``lag``. Where the contrib departs
from the textbook it is kept: ``median`` takes the middle of the array as given (unsorted),
``skew`` uses the raw second moment, ``variance`` is the population variance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class DataError(ValueError):
    """The data cannot be analysed; the message is the reason."""


def div(a: float, b: float) -> float:
    """``a / b`` as JavaScript divides."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * (math.copysign(1, b))
    return a / b


def sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else math.nan


def total(d: list[float]) -> float:
    if not d:
        raise DataError("Reduce of empty array with no initial value")
    return sum(d)


def avg(d: list[float], *_: Any) -> float:
    return div(total(d), len(d))


def variance(d: list[float], *_: Any) -> float:
    return div(sum(v * v for v in d), len(d)) - avg(d) ** 2


def std_dev(d: list[float], *_: Any) -> float:
    return sqrt(variance(d))


def sample_variance(d: list[float], *_: Any) -> float:
    if len(d) < 2:
        return 0
    mean = avg(d)
    return sum((v - mean) ** 2 for v in d) / (len(d) - 1)


def median(d: list[float], *_: Any) -> float:
    i = len(d) // 2
    if len(d) % 2:
        return d[i]
    return (_at(d, i) + _at(d, i - 1)) / 2


def _at(d: list[float], i: int) -> float:
    return d[i] if 0 <= i < len(d) else math.nan


def _index(d: list[float], i: float) -> float:
    """``d[i]`` for any number ``i``: NaN (undefined) off the array or between items."""
    return _at(d, int(i)) if i == int(i) else math.nan


def data_range(d: list[float], *_: Any) -> float:
    return _max(d) - _min(d)


def _max(d: list[float], *_: Any) -> float:
    return max(d) if d else -math.inf


def _min(d: list[float], *_: Any) -> float:
    return min(d) if d else math.inf


def skew(d: list[float], *_: Any) -> float:
    mean = avg(d)
    second = sum(v * v for v in d) - mean ** 2
    return div(sum(v ** 3 for v in d) - 3 * mean * second - mean ** 3, second) * sqrt(second)


def deltas(d: list[float], *_: Any) -> list[float]:
    return [c - ((d[i - 1] or 0) if i else 0) for i, c in enumerate(d)]


def delta_normalised(d: list[float], *_: Any) -> list[float]:
    return [div(c - ((d[i - 1] or 0) if i else 0), (d[i - 1] or 0) if i else 0)
            for i, c in enumerate(d)]


def moving_avg_cumulative(d: list[float], *_: Any) -> list[float]:
    out, mean = [], 0.0
    for i, c in enumerate(d):
        mean += (c - mean) / (i + 1)
        out.append(mean)
    return out


def moving_avg_simple(d: list[float], n: float, *_: Any) -> list[float]:
    out, mean = [], 0.0
    for i, c in enumerate(d):
        mean = mean + (c - mean) / (i + 1) if i <= n else mean + div(c - _index(d, i - n), n)
        out.append(mean)
    return out


def moving_avg_exponential(d: list[float], f: float, *_: Any) -> list[float]:
    if f < 0 or f > 1:
        raise DataError("factor must be >=0 and <=1")
    if not d:
        return []
    out, s = [], d[0]
    for c in d:
        s = c * f + (1 - f) * s
        out.append(s)
    return out


def moving_avg_weighted(d: list[float], n: float, *_: Any) -> list[float]:
    weights = sum(range(1, math.floor(n) + 1)) if n >= 1 else 0
    out, running, numerator = [], 0.0, 0.0
    for i, c in enumerate(d):
        numerator += n * c - running
        back = i - n
        running += c - ((d[int(back)] or 0) if back >= 0 and back == int(back) else 0)
        out.append(div(numerator, weights))
    return out


def normalize(d: list[float], *_: Any) -> list[float]:
    spread = data_range(d)
    if spread == 0:
        return [0 for _ in d]
    offset = avg(d) / spread
    return [c / spread - offset for c in d]


def standardize(d: list[float], *_: Any) -> list[float]:
    mean, deviation = avg(d), std_dev(d)
    return [div(c - mean, deviation) for c in d]


def difference(d: list[float], *_: Any) -> list[float]:
    return [d[i] - d[i - 1] for i in range(1, len(d))] if len(d) >= 2 else []


def _lag(lag: float) -> int:
    if lag != int(lag):
        raise DataError(f"lag {lag} is not a whole number")
    return int(lag)


def difference_seasonal(d: list[float], _term: float, lag: float) -> list[float]:
    k = _lag(lag)
    return [_at(d, i + k) - _at(d, i) for i in range(len(d) - k)] if len(d) - k >= 1 else []


def difference_second_order(d: list[float], *_: Any) -> list[float]:
    return [d[i] - 2 * d[i + 1] + d[i + 2] for i in range(len(d) - 2)] if len(d) >= 3 else []


def difference_seasonal_second_order(d: list[float], _term: float, lag: float) -> list[float]:
    k = _lag(lag)
    n = len(d) - k - 1
    if n < 1:
        return []
    out = [0.0] * n
    last = _at(d, n + k - 1) - _at(d, n - 1)
    for i in range(n - 1, -1, -1):
        new = _at(d, i + k - 1) - _at(d, i - 1)
        out[i] = last - new
        last = new
    return out


def autocovariance(d: list[float], _term: float, lag: float) -> float:
    k = _lag(lag)
    mean = div(float(sum(d)), len(d))  # the contrib's Array.average: NaN when empty
    cov = sum((d[i + k] - mean) * (d[i] - mean) for i in range(len(d) - k))
    return div(1, len(d) - 1) * cov


def autocorrelation(d: list[float], term: float, lag: float) -> float:
    return div(autocovariance(d, term, lag), autocovariance(d, term, 0))


Function = Callable[[list[float], float, float], Any]

FUNCTIONS: dict[str, Function] = {
    "avg": avg, "mean": avg, "sum": lambda d, *_: total(d), "min": _min, "max": _max,
    "median": median, "range": data_range, "variance": variance, "stdDev": std_dev,
    "sampleVariance": sample_variance,
    "sampleStdDev": lambda d, *_: sqrt(sample_variance(d)), "skew": skew,
    "deltas": deltas, "deltaNormalised": delta_normalised,
    "movingAvgCumulative": moving_avg_cumulative, "movingAvgSimple": moving_avg_simple,
    "movingAvgExponential": moving_avg_exponential, "movingAvgWeighted": moving_avg_weighted,
    "normalize": normalize, "standardize": standardize, "difference": difference,
    "differenceSeasonal": difference_seasonal,
    "differenceSecondOrder": difference_second_order,
    "differenceSeasonalSecondOrder": difference_seasonal_second_order,
    "autocovariance": autocovariance, "autocorrelation": autocorrelation,
}
"""The contrib's action name -> its function over an array of numbers."""
