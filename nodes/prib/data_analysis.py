"""data-analysis: statistics over an array of numbers, or running statistics per key, as
node-red-contrib-prib-functions' ``Data Analysis`` node."""

from __future__ import annotations

import copy
from typing import Any, Literal

from flowrt.api import MISSING, Message, NodeConfig, Output, Transform, field, get_property

from .data_analysis_functions import FUNCTIONS, DataError
from .data_analysis_running import pearson, realtime

Action = Literal[
    "avg", "mean", "sum", "min", "max", "median", "range", "variance", "stdDev",
    "sampleVariance", "sampleStdDev", "skew", "deltas", "deltaNormalised",
    "movingAvgCumulative", "movingAvgSimple", "movingAvgExponential", "movingAvgWeighted",
    "normalize", "standardize", "difference", "differenceSeasonal", "differenceSecondOrder",
    "differenceSeasonalSecondOrder", "autocovariance", "autocorrelation", "realtime",
    "pearsonR",
]


class DataAnalysis(Transform):
    """Compute a statistic of an array of numbers into `msg.result`, or running statistics.

    ### Inputs

    A message whose `property` holds an array of numbers (`realtime`: a number, with its
    key at `key_property`; `pearsonR`: one number at each of `properties`). A topic starting
    with `@` is a command: `@stats` sends the running figures on output 2 (in `result`),
    `@stats reset` forgets them (`@stats reset KEY` one key's), `@stats set` replaces them
    with the payload (`@stats set KEY` one key's), `@deltasCrossNormalised` sends each key's
    normalised value less their average, sorted, on output 2 (in `payload`).

    ### Outputs

    1. the message with `result`; when the data cannot be analysed, with `error` instead
       (the message still goes on);
    2. the answers to `@` commands;
    3. (`realtime`) the message again when its value is an outlier.

    ### Details

    Array actions: `avg`/`mean`, `sum`, `min`, `max`, `median` (the middle item of the
    array as given: sort it first for the statistical median), `range`, `variance` and
    `stdDev` (population), `sampleVariance`, `sampleStdDev`, `skew`, `deltas`,
    `deltaNormalised`, `movingAvgCumulative`, `movingAvgSimple`, `movingAvgWeighted` (over
    `term` items), `movingAvgExponential` (`term` the factor, 0 to 1), `normalize`,
    `standardize`, `difference`, `differenceSecondOrder`, `differenceSeasonal`,
    `differenceSeasonalSecondOrder`, `autocovariance`, `autocorrelation` (at `lag`).
    `realtime` keeps per key the count, sum, average, variance, standard deviation, median,
    moving figures over `term`, the same for the deltas (and for the `lag`-th differences
    when `lag` > 1), and flags an outlier beyond `outliers_std_devs` standard deviations from
    the average (or the median). `pearsonR` keeps the sums for the correlation of each pair
    of `properties` over every message so far. The arithmetic is the contrib's as written
    (see nodes/prib/data_analysis_functions.py), so the figures match Node-RED's.

    ```yaml
    readings: {type: inject, payload: {type: json, value: "[3, 1, 4, 1, 5]"}, to: mean}
    mean: {type: data-analysis, action: avg, to: {0: show}}
    show: {type: debug, property: result}
    ```
    """

    type = "data-analysis"
    outputs = 3
    icon = "sigma"

    class Config(NodeConfig):
        action: Action = field(description="The statistic to compute.", examples=["avg"])
        property: str = field("payload", description="The property holding the data.")
        key_property: str = field("topic", description="`realtime`: the property holding "
                                  "the key the figures are kept by.")
        properties: list[str] = field(default_factory=list, description="`pearsonR`: the "
                                      "properties holding the values to correlate.",
                                      examples=[["payload.height", "payload.weight"]])
        term: float = field(3, description="Moving averages: the number of items (the "
                            "factor for `movingAvgExponential`).")
        lag: float = field(1, description="Seasonal differences and autocorrelation: the "
                           "lag; `realtime`: figures of lagged differences when over 1.")
        outliers_std_devs: Literal[1, 2, 3] = field(
            3, description="`realtime`: standard deviations beyond which a value is an "
            "outlier.")
        outliers_base: Literal["avg", "median"] = field(
            "avg", description="`realtime`: whether outliers are measured from the average "
            "or the median.")

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.points: dict[str, Any] = {}
        self.correlation: dict[str, Any] = {}

    def process(self, msg: Message) -> Output:
        topic = msg.get("topic")
        if isinstance(topic, str) and topic.startswith("@"):
            return self._command(msg, topic.strip())
        config = self.config
        try:
            data = self._data(msg)
            if data not in (None, MISSING, 0, "", False):
                msg["result"] = self._compute(data)
        except (DataError, ValueError, TypeError, IndexError) as exc:
            msg["error"] = str(exc)
            self.ctx.error(f"{config.action} error: {exc}")
            self.ctx.status("red", "ring", "error(s)")
            return msg
        if config.action == "realtime" and msg["result"].get("outlier"):
            return [msg, None, msg]
        return msg

    def _data(self, msg: Message) -> Any:
        config = self.config
        if config.action == "realtime":
            return {"key": get_property(msg, config.key_property, None),
                    "value": get_property(msg, config.property, None)}
        if config.action == "pearsonR":
            return [get_property(msg, p, None) for p in config.properties]
        return get_property(msg, config.property)

    def _compute(self, data: Any) -> Any:
        config = self.config
        if config.action == "realtime":
            point = realtime(self.points, data["key"], data["value"], config.term, config.lag,
                             config.outliers_std_devs, config.outliers_base == "median")
            return copy.deepcopy(point)
        if not isinstance(data, list) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in data):
            raise DataError(f"the data must be an array of numbers; got {data!r:.60}")
        if config.action == "pearsonR":
            return copy.deepcopy(pearson(self.correlation, data))
        return FUNCTIONS[config.action](data, config.term, config.lag)

    def _command(self, msg: Message, topic: str) -> Output:
        action = self.config.action
        if topic == "@stats":
            if action == "realtime":
                msg["result"] = copy.deepcopy(self.points)
            elif action == "pearsonR" and "pearsonR" in self.correlation:
                msg["result"] = copy.deepcopy({k: self.correlation[k] for k in
                                               ("pearsonR", "dataPoints", "samples")})
            return [None, msg]
        if topic == "@stats set":
            payload = msg.get("payload")
            self.points = payload if isinstance(payload, dict) else {}
        elif topic == "@stats reset":
            self.points = {}
        elif topic.startswith("@stats set "):
            self.points[topic[len("@stats set "):]] = msg.get("payload")
        elif topic.startswith("@stats reset "):
            self.points.pop(topic[len("@stats reset "):], None)
        elif topic == "@deltasCrossNormalised":
            normalised = {k: p["normalised"] for k, p in self.points.items()
                          if isinstance(p, dict) and "normalised" in p}
            mean = sum(normalised.values()) / len(normalised) if normalised else 0
            msg["payload"] = sorted(({"key": k, "value": v - mean}
                                     for k, v in normalised.items()), key=lambda e: e["value"])
            return [None, msg]
        else:
            self.ctx.error(f"{topic} failed unknown")
            return None
        self.ctx.warn(topic)
        return None
