"""csv: convert between CSV text and objects.

The module is named ``csv`` like the standard library's: the type id is ``csv`` and flowrt imports
its packs with absolute imports only, so ``import csv`` in any module of ``flowrt_nodes.core``
still loads the standard library, never this module.
"""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import Message, NodeConfig, Output, Transform, clone, field

from .csv_format import (
    columns_text,
    number_or_text,
    parse_columns,
    read_rows,
    write_row,
)

_NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


class Csv(Transform):
    """Convert between CSV text and objects, one way or the other depending on the payload.

    ### Inputs

    `payload` as CSV text, to parse; or an object, a list of objects, a list of rows (lists)
    or one row (a list of values), to write as CSV text. A message with `reset` starts the
    `header_out: once` header again (and is not passed on when it has no payload).

    ### Outputs

    Parsing: with `output: per_row`, one message per row whose payload is an object of column
    name to value, with `msg.parts` (`id`, `index`, `count`) so a join node can put the rows
    back together; with `output: all`, one message whose payload is the list of row objects.
    Writing: the CSV text, one line per row, each ended with `newline`. Both set
    `msg.columns` to the column names, comma-separated.

    ### Details

    Column names come from `columns`, else from the first row when `header_in` is true, else
    they are `col1`, `col2`... An empty name skips its column. Empty cells are missing values
    (left out unless `include_nulls`); a quoted empty cell `""` is an empty string (left out
    unless `include_empty_strings`). With `parse_numbers`, cells that read as numbers become
    numbers (not `+1` or `007`, which stay text).

    When writing objects, the columns are `columns`, else `msg.columns`, else the keys of the
    first object. `header_out` adds a line of column names: `all` to every message, `once` to
    the first (until a message with `reset`).

    ```yaml
    readings:
      type: csv
      header_in: true
      output: per_row
    ```
    """

    type = "csv"
    fresh_outputs = True  # each row is a new message with its own copy of the rest

    class Config(NodeConfig):
        columns: list[str] = field(
            default_factory=list,
            description="Column names, in order; empty to take them from the data.",
            examples=[["time", "sensor", "value"]],
        )
        separator: str = field(
            ",",
            description="The character between cells (`\\t` for tabs).",
            min_length=1,
            max_length=1,
        )
        quote: str = field('"', description="The quote character.", min_length=1, max_length=1)
        newline: Literal["lf", "crlf", "cr"] = field(
            "lf", description="Line ending when writing CSV: `\\n`, `\\r\\n` or `\\r`."
        )
        header_in: bool = field(False, description="The first row of CSV input names the columns.")
        header_out: Literal["none", "all", "once"] = field(
            "none", description="Write a row of column names: never, in every message, or once."
        )
        skip_lines: int = field(0, description="Lines to skip at the start of CSV input.", ge=0)
        parse_numbers: bool = field(
            True, description="Turn cells that read as numbers into numbers."
        )
        include_empty_strings: bool = field(
            False, description='Keep quoted empty cells (`""`) as empty strings.'
        )
        include_nulls: bool = field(False, description="Keep empty cells as null values.")
        output: Literal["per_row", "all"] = field(
            "per_row", description="One message per row, or one message with every row."
        )

    async def start(self) -> None:
        self._header_sent = False
        self._newline = _NEWLINES[self.config.newline]

    def process(self, msg: Message) -> Output:
        if "reset" in msg:
            self._header_sent = False
            if "payload" not in msg:
                return None
        payload = msg.get("payload")
        if isinstance(payload, str):
            return self._parse(msg, payload)
        if isinstance(payload, dict | list):
            return self._write(msg, payload)
        if "payload" not in msg:
            return msg
        self.ctx.warn("csv: the payload must be CSV text, an object or a list", msg)
        return None

    # -- CSV text to objects ------------------------------------------------------------------

    def _parse(self, msg: Message, text: str) -> Output:
        c = self.config
        if c.skip_lines:
            text = "".join(text.splitlines(keepends=True)[c.skip_lines :])
        rows = read_rows(text, c.separator, c.quote)
        names = list(c.columns)
        if c.header_in and rows:
            header = rows.pop(0)
            names = names or [(h or "").strip() for h in header]
        if not names and rows:
            names = [f"col{i + 1}" for i in range(max(len(r) for r in rows))]
        objects = [o for o in (self._object(names, row) for row in rows) if o]
        columns = columns_text(names)
        if c.output == "all":
            msg["payload"] = objects
            msg["columns"] = columns
            return msg
        count = len(objects)
        out = []
        for index, obj in enumerate(objects):
            row_msg = clone({k: v for k, v in msg.items() if k != "payload"})
            row_msg["payload"] = obj
            row_msg["columns"] = columns
            row_msg["parts"] = {"id": msg.get("_msgid"), "index": index, "count": count}
            out.append(row_msg)
        return [out]

    def _object(self, names: list[str], row: list[str | None]) -> dict[str, Any]:
        c = self.config
        obj: dict[str, Any] = {}
        for i, name in enumerate(names):
            if not name:
                continue
            value = row[i] if i < len(row) else None
            if value is None:
                if c.include_nulls:
                    obj[name] = None
            elif value == "":
                if c.include_empty_strings:
                    obj[name] = ""
            else:
                obj[name] = number_or_text(value) if c.parse_numbers else value
        return obj

    # -- objects to CSV text ------------------------------------------------------------------

    def _write(self, msg: Message, payload: dict[str, Any] | list[Any]) -> Output:
        c = self.config
        rows: list[Any] = [payload] if isinstance(payload, dict) else payload
        if rows and not any(isinstance(r, dict | list) for r in rows):
            rows = [rows]  # a list of plain values is one row
        names = list(c.columns)
        if not names and isinstance(msg.get("columns"), str):
            names = parse_columns(msg["columns"])
        if not names:
            first = next((r for r in rows if isinstance(r, dict)), None)
            names = list(first) if first is not None else []
        lines: list[str] = []
        if c.header_out != "none" and not self._header_sent and names:
            lines.append(write_row([n for n in names], c.separator, c.quote))
            self._header_sent = c.header_out == "once"
        for row in rows:
            if isinstance(row, dict):
                values = [row.get(n) if n else None for n in names]
            elif isinstance(row, list):
                values = row
            else:
                values = [row]
            lines.append(write_row(values, c.separator, c.quote))
        text = "".join(line + self._newline for line in lines)
        msg["payload"] = text
        msg["columns"] = columns_text(names)
        return msg if text else None
