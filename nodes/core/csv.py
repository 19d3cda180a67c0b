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

    ### Message sequences

    CSV text that arrives as a sequence (with `msg.parts`, say one line per message from a
    split node or a file-in node reading lines) is read as one text, as Node-RED does: the
    `skip_lines` first parts are skipped and, with `header_in`, the next one names the columns
    of the parts after it. With `output: per_row` each row keeps the incoming `msg.parts`, its
    index and count shifted back by the parts skipped and the header, and the last part's rows
    carry `complete: true` (a message of its own when that part has no row); with
    `output: all` the rows of every part are gathered into one message, sent with the last part
    and without `parts` (the rows of a sequence left unfinished are dropped when another
    begins). When writing a sequence without `columns`, the parts after the first
    use the column names the first one had (from its `msg.columns` or its keys).

    ### Details

    Column names come from the first row when `header_in` is true (as in Node-RED, even when
    `columns` is set), else from `columns`, else they are `col1`, `col2`... An empty name skips
    its column. Empty cells are missing values
    (left out unless `include_nulls`); a quoted empty cell `""` is an empty string (left out
    unless `include_empty_strings`). With `parse_numbers`, cells that read as numbers become
    numbers (not `+1` or `007`, which stay text).

    When writing objects, the columns are `columns`, else `msg.columns`, else the keys of the
    first object; a missing value is an empty field and `null` is written `null`. A row given
    as a list is written whole, or with `list_rows: columns` one field per column (empty under
    an empty name), as Node-RED's RFC 4180 mode does. `header_out` adds a line of column names:
    `all` to every message, `once` to the first (until a message with `reset`).

    ```yaml
    readings:
      type: csv
      header_in: true
      output: per_row
    ```
    """

    type = "csv"
    icon = "braces"
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
        trim_names: bool = field(
            True,
            description="Trim spaces around the column names of the first row (`header_in`); "
            "Node-RED's RFC 4180 mode keeps them.",
        )
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
        list_rows: Literal["whole", "columns"] = field(
            "whole",
            description="Write a row given as a list whole, or one field per column name "
            "(`columns` or `msg.columns`; empty under an empty name).",
        )

    async def start(self) -> None:
        self._header_sent = False
        self._newline = _NEWLINES[self.config.newline]
        self._names = list(self.config.columns)  # a header row read stays for the next parts
        self._written: list[str] | None = None  # the names the last message was written with
        self._store: list[dict[str, Any]] = []  # rows of a sequence gathered for `output: all`
        self._store_id: Any = None  # the `parts.id` of that sequence

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
        parts = msg.get("parts") if isinstance(msg.get("parts"), dict) else None
        index = _number(parts.get("index")) if parts is not None else None
        count = _number(parts.get("count")) if parts is not None else None
        first = index is None or index <= c.skip_lines  # a part that may hold the header
        last = index is not None and count is not None and index + 1 >= count
        skip = c.skip_lines - int(index or 0) if first else 0
        if skip > 0:
            text = "".join(text.splitlines(keepends=True)[skip:])
            if not text:
                return None  # a skipped part
        breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
        if parts is not None and c.output == "all" and breaks > 1:
            first = True  # a whole text within a sequence: its first row is the header
        rows = read_rows(text, c.separator, c.quote)
        if c.header_in and first and rows:
            header = [h or "" for h in rows.pop(0)]  # as Node-RED: over `columns`
            self._names = [h.strip() for h in header] if c.trim_names else header
        names = self._names
        if not names and rows:
            names = [f"col{i + 1}" for i in range(max(len(r) for r in rows))]
        objects = [o for o in (self._object(names, row) for row in rows) if o]
        columns = columns_text(names)
        if c.output == "all":
            if parts is None or breaks > 1:
                msg["payload"] = objects
                msg["columns"] = columns
                return msg
            if parts.get("id") != self._store_id:  # a new sequence: drop an unfinished one
                self._store, self._store_id = [], parts.get("id")
            self._store.extend(objects)
            if index is None or count is None or index + 1 != count:
                return None
            msg["payload"], self._store = self._store, []
            msg["columns"] = columns
            del msg["parts"]
            return msg
        out = []
        for row_index, obj in enumerate(objects):
            row_msg = clone({k: v for k, v in msg.items() if k != "payload"})
            row_msg["payload"] = obj
            row_msg["columns"] = columns
            if parts is None:
                row_msg["parts"] = {"id": msg.get("_msgid"), "index": row_index,
                                    "count": len(objects)}
            else:
                shift = c.skip_lines + (1 if c.header_in else 0)
                for key in ("index", "count"):
                    if _number(row_msg["parts"].get(key)) is not None:
                        row_msg["parts"][key] -= shift
            if last:
                row_msg["complete"] = True
            out.append(row_msg)
        if last and not out:
            out.append({"_msgid": self.ctx.new_msgid(), "complete": True})
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
        parts = msg.get("parts")
        later = isinstance(parts, dict) and (_number(parts.get("index")) or 0) > 0
        if not names and later and self._written is not None:
            names = self._written  # a later part: the names the sequence began with
        if not names and isinstance(msg.get("columns"), str):
            names = parse_columns(msg["columns"])
        if not names:
            first = next((r for r in rows if isinstance(r, dict)), None)
            names = list(first) if first is not None else []
        self._written = names
        lines: list[str] = []
        if c.header_out != "none" and not self._header_sent and names:
            lines.append(write_row([n for n in names], c.separator, c.quote))
            self._header_sent = c.header_out == "once"
        for row in rows:
            if isinstance(row, dict):
                values = [row.get(n, "") if n else "" for n in names]
            elif isinstance(row, list) and names and c.list_rows == "columns":
                values = [row[i] if n and i < len(row) else "" for i, n in enumerate(names)]
            elif isinstance(row, list):
                values = row
            else:
                values = [row]
            lines.append(write_row(values, c.separator, c.quote))
        text = "".join(line + self._newline for line in lines)
        msg["payload"] = text
        msg["columns"] = columns_text(names)
        return msg if text else None


def _number(value: Any) -> int | float | None:
    """A `parts` index or count when it is a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None
