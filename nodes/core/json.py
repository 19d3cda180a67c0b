"""json: convert between JSON text and objects, optionally validating against a JSON Schema.

The module is named ``json`` like the standard library's: the type id is ``json`` and flowrt
imports its packs with absolute imports only, so ``import json`` here and in every other module
of ``flowrt_nodes.core`` still loads the standard library, never this module.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any, Literal

from pydantic import field_validator

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    NodeError,
    Output,
    PropertyPath,
    Transform,
    field,
    getter,
    js_dumps,
    setter,
)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_decoder = json.JSONDecoder(parse_constant=_no_constants)
_raw_decode = _decoder.raw_decode


def _decode(text: str) -> Any:
    """``json.loads``, rejecting NaN and Infinity; the common case skips the whitespace scans."""
    try:
        value, end = _raw_decode(text)
    except json.JSONDecodeError:
        return _decoder.decode(text)  # leading whitespace, or a real error with its position
    if end != len(text) and not text[end:].isspace():
        raise json.JSONDecodeError("Extra data", text, end)
    return value


_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_encode_pretty = json.JSONEncoder(indent=4, ensure_ascii=False, allow_nan=False).encode


def _make_encode() -> Any:
    """Compact ``JSON.stringify``. The standard encoder builds its C encoder on every call; this
    builds it once (without cycle detection: a cyclic value hits the recursion limit instead,
    reported as an error like any other value that cannot be written)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _compact.encode
    encode_c = make(
        None, _compact.default, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )

    def encode(value: Any) -> str:
        return "".join(encode_c(value, 0))

    return encode


_encode = _make_encode()


class Json(Transform):
    """Convert between JSON text and objects.

    ### Inputs

    A message whose `property` (default `payload`) holds JSON text, or an object, list,
    number or boolean. `msg.schema` may hold a JSON Schema to validate against.

    ### Outputs

    With `action: auto`, text is parsed into an object and anything else is written as JSON
    text; `action: object` only parses and `action: string` only writes, passing the other
    kind through. A message without the property passes unchanged.

    ### Details

    Text that is not valid JSON is an error (catch nodes receive the message). Bytes are read
    as UTF-8 text, as Node-RED reads a Buffer: parsed (`auto`, `object`), or passed unchanged
    (`string`).

    **Validation.** When the message carries `msg.schema` (or the node has `schema`), the
    object (parsed, or before it is written) is validated against it. A valid message leaves
    without `msg.schema`; an invalid one gets `msg.schemaError`, a list of
    `{path, keyword, message}`, and goes to catch nodes as an error.

    ```yaml
    parse:
      type: json
      action: object
      to: check
    ```
    """

    type = "json"
    icon = "braces"

    class Config(NodeConfig):
        property: PropertyPath = field("payload", description="Message property to convert.")
        action: Literal["auto", "object", "string"] = field(
            "auto",
            description="`auto`: convert either way; `object`: only parse text; `string`: only "
            "write objects as text.",
        )
        pretty: bool = field(False, description="Write JSON text indented, 4 spaces per level.")
        schema_: dict[str, Any] | None = field(
            None,
            alias="schema",
            description="A JSON Schema to validate against when the message has no `msg.schema`.",
            advanced=True,
        )

        @field_validator("schema_")
        @classmethod
        def _valid_schema(cls, schema: dict[str, Any] | None) -> dict[str, Any] | None:
            if schema is not None:
                from jsonschema import SchemaError, validators  # only when a schema is used

                try:
                    validators.validator_for(schema).check_schema(schema)
                except SchemaError as exc:
                    raise ValueError(f"invalid JSON Schema: {exc.message}") from None
            return schema

    async def start(self) -> None:
        c = self.config
        self._get, self._set = getter(c.property), setter(c.property)
        self._parse = c.action != "string"
        self._write = c.action != "object"
        self._dump = _encode_pretty if c.pretty else _encode
        self._validators: OrderedDict[str, Any] = OrderedDict()
        self._default = self._validator(c.schema_) if c.schema_ is not None else None

    def process(self, msg: Message) -> Output:
        value = self._get(msg)
        if value is MISSING:
            return msg
        check = self._default if "schema" not in msg else self._validator(msg["schema"])
        if type(value) is str or isinstance(value, bytes | bytearray):
            # bytes are read as UTF-8 text, as Node-RED reads a Buffer (`string` keeps them)
            text = value if isinstance(value, str) else bytes(value).decode("utf-8", "replace")
            if self._parse:
                value = self._load(text)
                self._set(msg, value)
            if check is not None:
                self._validate(check, msg, value if self._parse else self._load(text))
            return msg
        if check is not None:
            self._validate(check, msg, value)
        if self._write:
            try:
                self._set(msg, self._written(value))
            except (TypeError, ValueError, RecursionError) as exc:
                raise NodeError(
                    f"json: {self.config.property} cannot be written as JSON: {exc}"
                ) from exc
        return msg

    def _written(self, value: Any) -> str:
        """The JSON text of ``value``; NaN and infinities as null, as JSON.stringify writes."""
        try:
            text: str = self._dump(value)
        except ValueError:
            layout: dict[str, Any] = {"indent": 4} if self.config.pretty else {
                "separators": (",", ":")}
            return js_dumps(value, ensure_ascii=False, **layout)
        return text

    def _load(self, text: str) -> Any:
        try:
            return _decode(text)
        except ValueError as exc:
            raise NodeError(f"json: {self.config.property} is not valid JSON: {exc}") from exc

    def _validate(self, check: Any, msg: Message, value: Any) -> None:
        errors = sorted(check.iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            msg["schemaError"] = [
                {
                    "path": "/" + "/".join(str(p) for p in e.absolute_path),
                    "keyword": e.validator,
                    "message": e.message,
                }
                for e in errors
            ]
            text = "; ".join(f"{d['path']}: {d['message']}" for d in msg["schemaError"])
            raise NodeError(f"json: JSON Schema validation failed: {text}")
        msg.pop("schema", None)

    def _validator(self, schema: Any) -> Any:
        """A compiled validator, cached by the schema's text (a few recent schemas are kept)."""
        key = json.dumps(schema, sort_keys=True, default=str)
        found = self._validators.get(key)
        if found is None:
            from jsonschema import SchemaError, validators

            try:
                cls = validators.validator_for(schema)
                cls.check_schema(schema)
            except (SchemaError, TypeError, AttributeError) as exc:
                raise NodeError(f"json: msg.schema is not a valid JSON Schema: {exc}") from exc
            found = self._validators[key] = cls(schema)
            if len(self._validators) > 16:
                self._validators.popitem(last=False)
        return found
