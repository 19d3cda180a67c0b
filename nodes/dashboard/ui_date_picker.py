"""ui-date-picker: a date chosen in the browser's calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flowrt.api import field

from .input_widget import REJECTED, ValueConfig, ValueWidget

_DAY_MS = 86_400_000


class UiDatePicker(ValueWidget):
    """A date field: choosing a date sends it into the flow as epoch milliseconds.

    ### Inputs

    : payload (number | string) : sets the date: epoch ms, or text `YYYY-MM-DD` (or an ISO
      time, whose date is taken); with `passthru` the message goes on with the epoch ms.

    ### Outputs

    : payload (number) : the date, as the epoch ms of its midnight, UTC.
    : socketid (string) : the browser it was chosen in (`_client`).

    ### Details

    ```yaml
    nodes:
      day:
        type: ui-date-picker
        dashboard: board
        label: Day
        to: debug
    ```
    """

    type = "ui-date-picker"
    kind = "date-picker"
    evaluates = {"jsonata": ("topic",)}

    class Config(ValueConfig):
        min: dt.date | None = field(None, description="The first date offered.")
        max: dt.date | None = field(None, description="The last date offered.")

    config: Config

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"label": self.label, "min": c.min.isoformat() if c.min else "",
                "max": c.max.isoformat() if c.max else ""}

    def initial(self) -> dict[str, Any]:
        return {"value": None, "date": ""}

    def accept(self, value: Any, client: dict[str, Any] | None) -> Any:
        day = _date(value)
        if day is None:
            return REJECTED
        c = self.config
        if (c.min and day < c.min) or (c.max and day > c.max):
            return REJECTED
        return (day - dt.date(1970, 1, 1)).days * _DAY_MS

    def state_of(self, value: Any, socketid: str | None = None) -> dict[str, Any]:
        day = dt.date(1970, 1, 1) + dt.timedelta(days=value // _DAY_MS)
        return {"value": value, "date": day.isoformat()}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value / 1000, dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None
