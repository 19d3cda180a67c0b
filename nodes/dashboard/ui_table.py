"""ui-table: rows of objects (`msg.payload`, an array) shown as a table."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flowrt.api import MISSING, Message, Output, Transform, field, get_property, js_string

from .widget import Widget, WidgetConfig


class Column(BaseModel):
    """A column: the row property it shows and its heading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(description="The property of each row shown in the column.",
                       min_length=1)
    title: str = Field("", description="The heading (default: `field`).")
    align: Literal["left", "center", "right"] = Field("left", description="Text alignment.")


class UiTable(Widget, Transform):
    """Shows an array of objects as a table, a row per object.

    ### Inputs

    : payload (array) : the rows: objects (anything else in the array is skipped). `[]`
      empties the table. With `msg.socketid`, only that browser's table changes.

    ### Details

    `columns` chooses and orders the columns; without them, the keys of the rows, in the
    order they first appear. Cells are written as text (objects as JSON), never as HTML. At
    most `max_rows` rows are kept (the first ones).

    ```yaml
    nodes:
      rooms:
        type: ui-table
        dashboard: board
        label: Rooms
        columns: [{field: name, title: Room}, {field: temp, title: °C, align: right}]
    ```
    """

    type = "ui-table"
    kind = "table"
    category = "sink"
    outputs = 0

    class Config(WidgetConfig):
        property: str = field("payload", description="The message property with the rows.")
        columns: list[Column] = field(default_factory=list, description="The columns, in "
                                      "order (none: every key of the rows).")
        max_rows: int = field(1000, ge=1, le=100_000, description="Rows kept at most.")

    config: Config

    def describe(self) -> dict[str, Any]:
        return {"label": self.label}

    def initial(self) -> dict[str, Any]:
        return {"columns": self.columns([]), "rows": []}

    def columns(self, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
        if self.config.columns:
            return [{"field": c.field, "title": c.title or c.field, "align": c.align}
                    for c in self.config.columns]
        keys = dict.fromkeys(k for row in rows for k in row)
        return [{"field": k, "title": k, "align": "left"} for k in keys]

    def process(self, msg: Message) -> Output:
        found = get_property(msg, self.config.property)
        if found is MISSING or not isinstance(found, list):
            self.ctx.warn(f"ui-table '{self.id}' takes an array of objects; got "
                          f"{'nothing' if found is MISSING else type(found).__name__}")
            return None
        rows = [r for r in found if isinstance(r, dict)][: self.config.max_rows]
        columns = self.columns(rows)
        cells = [[_cell(row.get(c["field"])) for c in columns] for row in rows]
        self.show({"columns": columns, "rows": cells}, msg)
        return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False)
    return js_string(value)
