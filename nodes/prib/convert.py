"""convert: change data from one form to another (JSON, CSV, HTML, arrays, text), as
node-red-contrib-prib-functions' ``transform`` node."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    Output,
    Transform,
    Value,
    clone,
    compile_value,
    delete_property,
    field,
    get_property,
    js_string,
    set_property,
)

from .convert_actions import OTHERS, STRING, WITH_TEXT, ConvertError, Options
from .convert_binary import BinaryError, compress, decompress, string_to_date

Action = Literal[
    "ArrayToCSV", "BufferToCompressed", "CompressedToBuffer", "StringToDate", "ArrayToHTML",
    "CSVToArray", "CSVToHTML", "CSVWithHeaderToJSON", "JSONToArray",
    "JSONToCSV", "JSONToHTML", "JSONToJSON", "JSONToString", "StringToAppend",
    "StringToArrayByDelimiter", "StringToCamelize", "StringToCapitalize", "StringToCharAt",
    "StringToCharCodeAt", "StringToCodePointAt", "StringToConcat", "StringToDelimiterOnCase",
    "StringToDeunderscore", "StringToDeunderscoreCapitilize", "StringToDropSquareBracketPrefix",
    "StringToEndsWith", "StringToFloat", "StringToInteger", "StringToJSON", "StringToLowerCase",
    "StringToNumber", "StringToPrepend", "StringToRangeLimit", "StringToReal", "StringToSplit",
    "StringToStartsWith", "StringToTitle", "StringToTrim", "StringToTrimEnd", "StringToTrimStart",
    "StringToUpperCase",
]
"""The conversions, by the contrib's names (convert_actions.ACTIONS, checked by the tests)."""


class Convert(Transform):
    """Convert the data at `property` and put the result at `target`.

    ### Inputs

    A message with the data at `property`.

    ### Outputs

    1. the message with the result at `target` (`property` removed when they differ and
       `delete_source`);
    2. the message with `error` when the conversion failed (`String to JSON ...`).

    ### Details

    `action` names the conversion as the contrib does, `<from>To<to>`:

    - `JSONToJSON`, `JSONToString` (JSON text), `JSONToArray` (`[[key, value]...]`, nested),
      `JSONToCSV` (an array of arrays, or of objects with a header of their sorted keys),
      `JSONToHTML` (an array of plain values as a table);
    - `ArrayToHTML` (rows of cells in `CDATA`), `ArrayToCSV` (one JSON text per line);
    - `CSVToArray`, `CSVToHTML`, `CSVWithHeaderToJSON` (cells split on commas outside
      quotes, quotes removed, numbers read; `skip_leading`/`skip_trailing` lines dropped);
    - `StringToJSON` (parse), `StringToNumber`, `StringToInteger` (in `radix`),
      `StringToFloat`, `StringToUpperCase`, `StringToLowerCase`, `StringToTrim`(`Start`,
      `End`), `StringToCapitalize`, `StringToTitle`, `StringToCamelize`,
      `StringToDelimiterOnCase` (`aB` becomes `a` `delimiter` `b`), `StringToDeunderscore`,
      `StringToDeunderscoreCapitilize`, `StringToDropSquareBracketPrefix`, `StringToCharAt`,
      `StringToCharCodeAt`, `StringToCodePointAt` (at `index`), `StringToArrayByDelimiter`,
      `StringToRangeLimit` (between `min_string` and `max_string`);
    - with `text`: `StringToAppend`, `StringToConcat`, `StringToPrepend`,
      `StringToStartsWith`, `StringToEndsWith`, `StringToSplit`;
    - `BufferToCompressed`, `CompressedToBuffer` (bytes, or text as UTF-8, by `compression`:
      gzip at zlib's default level, `gzip_speed` (1), `gzip_best` (9), or `deflate` (a zlib
      stream); Node's bytes, except at `gzip_speed`, where Node's zlib may pick other
      matches for some data);
    - `StringToDate`: JavaScript's `new Date(text)` as it leaves a message, the ISO 8601 text
      in UTC with milliseconds (`2024-03-05T10:20:30.000Z`), or null when the text is not a
      date. The contrib puts a JavaScript Date in the message, which becomes that text in
      JSON (debug, HTTP, MQTT); flowrt's messages carry JSON values, so it is the text here.
      ECMAScript's date time forms (a date alone is UTC, a date and time without offset the
      host's local time), RFC 2822 and, in local time, `2024/3/5`, `3/5/2024`, `March 5,
      2024` and `5 Mar 2024` (with an optional time) are read; V8's other guesses are not.

    Results are the contrib's to the character, its quirks included (see
    nodes/prib/convert_actions.py).

    ```yaml
    rows: {type: inject, payload: {type: json, value: '[{"a": 1, "b": 2}, {"a": 3}]'},
           to: csv}
    csv: {type: convert, action: JSONToCSV, to: show}
    show: {type: debug}
    ```
    """

    type = "convert"
    outputs = 2
    icon = "transform"

    evaluates = {"jsonata": ("text",)}

    class Config(NodeConfig):
        action: Action = field(description="The conversion, `<from>To<to>`.",
                               examples=["JSONToCSV"])
        property: str = field("payload", description="The property holding the data.")
        target: str = field("payload", description="Where to put the result.")
        delete_source: bool = field(True, description="Remove `property` when it is not "
                                    "`target`.")
        text: Value = field("", description="The second text of Append, Concat, Prepend, "
                            "StartsWith, EndsWith and Split.")
        delimiter: str = field(",", description="CSV and ArrayByDelimiter's separator; "
                               "DelimiterOnCase's joint.")
        index: int = field(0, description="CharAt, CharCodeAt, CodePointAt: the position.")
        radix: int = field(10, ge=0, le=36, description="Integer: the base (0: 10, or 16 "
                           "for `0x`).")
        min_string: str | None = field(None, description="RangeLimit: the lowest text.")
        max_string: str | None = field(None, description="RangeLimit: the highest text.")
        skip_leading: int = field(0, ge=0, description="CSV: lines dropped at the start.")
        skip_trailing: int = field(0, ge=0, description="CSV: lines dropped at the end.")
        compression: Literal["gzip", "gzip_speed", "gzip_best", "deflate"] = field(
            "gzip", description="BufferToCompressed, CompressedToBuffer: gzip at zlib's "
            "default level, its fastest or its best, or deflate (a zlib stream).")

        @model_validator(mode="after")
        def _text_only_where_read(self) -> Convert.Config:
            if self.text != "" and self.action.removeprefix("StringTo") not in WITH_TEXT:
                raise ValueError(f"`text` is read only by {', '.join(WITH_TEXT)}")
            return self

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.config
        self.text = compile_value(c.text, self.ctx)
        self.options = Options(c.delimiter, c.index, c.radix, c.min_string, c.max_string,
                               c.skip_leading, c.skip_trailing)
        source, _, target = c.action.partition("To")
        self.words = f"{source} to {target}"

    def process(self, msg: Message) -> Output:
        c = self.config
        data = get_property(msg, c.property)
        failed: list[Message] = []
        if c.action.startswith("ArrayTo") and not isinstance(data, list):
            msg["error"] = f"{self.words} expected source data type Array"
            failed.append(clone(msg))
        try:
            result = self._convert(data, msg)
        except (ConvertError, BinaryError, ValueError) as exc:
            msg["error"] = f"{self.words} {exc}"
            self.ctx.error(msg["error"])
            return [None, [*failed, msg]]
        if result is MISSING:
            delete_property(msg, c.target)
        else:
            set_property(msg, c.target, result)
        if c.delete_source and c.property != c.target:
            delete_property(msg, c.property)
        return [msg, failed or None]

    def _convert(self, data: Any, msg: Message) -> Any:
        action = self.config.action
        if action == "BufferToCompressed":
            return compress(data, self.config.compression)
        if action == "CompressedToBuffer":
            return decompress(data, self.config.compression)
        if action == "StringToDate":
            return string_to_date(data)
        if action in OTHERS:
            return OTHERS[action](data, self.options)
        name = action.removeprefix("StringTo")
        if not isinstance(data, str):
            raise ConvertError(f"expected text, got {js_string(type(data).__name__)}")
        if name == "JSON":
            try:
                return json.loads(data)
            except json.JSONDecodeError as exc:
                raise ConvertError(f"{data[:40]!r} is not valid JSON ({exc.msg})") from None
        if name in WITH_TEXT:
            return WITH_TEXT[name](data, js_string(self.text(msg)))
        return STRING[name](data, self.options)
