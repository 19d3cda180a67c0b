"""filter: pass a message only when its value changed, or changed by more (or less) than a band."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    Output,
    PropertyPath,
    Transform,
    clone,
    field,
    get_property,
)

Mode = Literal[
    "changes",
    "changes-ignore-initial",
    "deadband",
    "deadband-equal",
    "narrowband",
    "narrowband-equal",
]
_NUMERIC_MODES = ("deadband", "deadband-equal", "narrowband", "narrowband-equal")
_LEADING_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|Infinity)")
_ONE_STREAM = object()


class Filter(Transform):
    """Pass a message only when its value changed, or changed by more or less than a band.

    Node-RED's *rbe* (report by exception) node.

    ### Inputs

    - `payload` (or the configured `property`): the value watched. The `changes` modes accept
      any value (objects and arrays are compared by content); the band modes need a number, or
      a string that starts with one.
    - `topic` (or the configured `group_by` property): each value of it is a separate stream,
      with its own last value.
    - `reset`: forget the last value of this message's stream (of every stream when the message
      has no stream key), then handle the message as usual.

    ### Outputs

    - The message, unchanged, when it passes.

    ### Details

    - `changes`: pass when the value differs from the last one seen on its stream; the first
      value passes. `changes-ignore-initial` does the same but blocks the first value.
    - `deadband`: pass when the value is more than `band` away from the reference value
      (`deadband-equal`: at least `band` away). The first value passes.
    - `narrowband`: block when the value is more than `band` away from the reference value
      (`narrowband-equal`: at least `band` away), for example to drop a faulty sensor's
      outliers. The first value is the reference unless `start` is set.
    - With `percent`, `band` is a percentage of the reference value.
    - `compare_to: last-output` keeps as reference the last value that passed, so a slow drift
      never passes a deadband; `last-input` makes every value the next reference.
    - A message without the watched property is dropped.
    """

    type = "filter"
    icon = "filter"
    mutates = False

    class Config(NodeConfig):
        mode: Mode = field(
            "changes",
            description="When a message passes: on any change, or by comparing the change "
            "with the band.",
        )
        band: float = field(
            0.0, description="Width of the dead- or narrowband (band modes).", ge=0, examples=[5]
        )
        percent: bool = field(
            False, description="Read `band` as a percentage of the reference value."
        )
        compare_to: Literal["last-output", "last-input"] = field(
            "last-output",
            description="Band modes: compare with the last value that passed, or with the "
            "last value received.",
        )
        start: float | None = field(
            None,
            description="Narrowband modes: the reference value before the first message "
            "(default: the first value).",
        )
        property: PropertyPath = field("payload", description="Message property holding the value.")
        group_by: PropertyPath | None = field(
            "topic",
            description="Message property whose values are separate streams; null for one stream.",
        )

        @model_validator(mode="after")
        def _band_modes_only(self) -> Filter.Config:
            if self.mode not in _NUMERIC_MODES and (self.band or self.percent):
                raise ValueError("band and percent apply to the deadband and narrowband modes")
            if self.start is not None and not self.mode.startswith("narrowband"):
                raise ValueError("start applies to the narrowband modes")
            return self

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.previous: dict[Any, Any] = {}

    def process(self, msg: Message) -> Output:
        config = self.config
        stream = self._stream(msg)
        if "reset" in msg:
            if stream is _ONE_STREAM or stream in ("", None):
                self.previous.clear()
            else:
                self.previous.pop(stream, None)
        value = get_property(msg, config.property)
        if value is MISSING:
            return None
        key = _ONE_STREAM if stream in ("", None) else stream
        if config.mode in ("changes", "changes-ignore-initial"):
            return msg if self._changed(key, value) else None
        number = parse_float(value)
        if number is None:
            self.ctx.warn(f"filter: no number in {config.property} ({value!r})", msg)
            return None
        return msg if self._in_band(key, number) else None

    def _stream(self, msg: Message) -> Any:
        if self.config.group_by is None:
            return _ONE_STREAM
        value = get_property(msg, self.config.group_by)
        if value is MISSING:
            return None
        try:
            hash(value)
        except TypeError:
            return repr(value)
        return value

    def _changed(self, key: Any, value: Any) -> bool:
        seen = key in self.previous
        if seen and same_value(self.previous[key], value):
            return False
        self.previous[key] = clone(value)
        return seen or self.config.mode == "changes"

    def _in_band(self, key: Any, number: float) -> bool:
        config = self.config
        reference: float | None = self.previous.get(key)
        if reference is None and config.mode.startswith("narrowband"):
            reference = number if config.start is None else config.start
            self.previous[key] = reference
        if reference is None:
            passes = True
        else:
            gap = abs(reference * config.band / 100) if config.percent else config.band
            change = abs(number - reference)
            if config.mode == "deadband":
                passes = change > gap
            elif config.mode == "deadband-equal":
                passes = change >= gap
            elif config.mode == "narrowband":
                passes = change <= gap
            else:
                passes = change < gap
        if passes or config.compare_to == "last-input":
            self.previous[key] = number
        return passes


def parse_float(value: Any) -> float | None:
    """A number read from the start of ``value``, as JavaScript's parseFloat does; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    if not isinstance(value, str):
        return None
    match = _LEADING_NUMBER.match(value)
    if match is None:
        return None
    text = match.group(0).strip()
    return float(text.replace("Infinity", "inf"))


def same_value(a: Any, b: Any) -> bool:
    """Deep equality with JSON's notion of types: 1 equals 1.0, but True never equals 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)
