"""Typed values: how flow files write Node-RED's typed inputs, and how nodes evaluate them.

A value in a node's configuration is either a literal, used as it is::

    to: 42
    to: hello
    to: [1, 2, 3]

or a typed mapping ``{type: T, value: V}``::

    to: {type: msg, value: payload.reading}      # another message property
    to: {type: jsonata, value: "payload * 2"}    # a JSONata expression over the message
    to: {type: json, value: {unit: celsius}}     # a literal object (a bare mapping is an error)

Everything static is checked when the flow is loaded: a bad number, bad JSON, a bad property path
or a JSONata syntax error is a load error, never a run-time one. Nodes turn a value into a
function of the message once, at start, with :func:`compile_value`; :func:`evaluate` does both
at once for code that is not on a hot path.

A value that does not exist (a missing property or environment variable, a JSONata expression
with no result) evaluates to :data:`flowrt.expressions.props.MISSING`, Node-RED's ``undefined``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_validator,
)

from flowrt.expressions.bounded_regex import BoundedRegex, Syntax, compile_regex
from flowrt.expressions.jsonata import compile_expression, compile_jsonata
from flowrt.expressions.props import MISSING, Path, get_path, parse_path, path_getter
from flowrt.message import clone

if TYPE_CHECKING:
    from flowrt.protocols import NodeContext, Store

Message: TypeAlias = dict[str, Any]
Evaluator: TypeAlias = Callable[[Message], Any]
"""A compiled value: the message in, the value out."""

ValueType = Literal[
    "str", "num", "bool", "json", "bin", "msg", "flow", "global", "env", "date", "jsonata"
]

_STORE_PREFIX = re.compile(r"^#:\((\w+)\)::")
"""Node-RED's ``#:(store)::key`` context-store prefix; flowrt has one store per scope."""


class TypedValue(BaseModel):
    """A value of a given type: `{type: msg, value: payload.x}`, `{type: jsonata, value: "..."}`.

    Types: `str`, `num`, `bool`, `json` (a JSON text or any YAML value), `bin` (bytes: a list of
    byte values or a string), `msg` / `flow` / `global` (a property path), `env` (a variable
    name, or a text with `${NAME}` references), `date` (now: epoch milliseconds, or `iso`),
    `jsonata` (an expression over the message).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ValueType = Field(description="How to read `value`.")
    value: Any = Field(None, description="The value, read as `type` says.")
    _parsed: Any = PrivateAttr(None)

    @model_validator(mode="after")
    def _parse(self) -> TypedValue:
        self._parsed = _PARSERS[self.type](self.value)
        return self


class Pattern(BaseModel):
    """A regular expression, `{type: re, value: "^temp/(.*)"}`: Python `re` syntax (and
    JavaScript's `(?<name>...)` groups), or JavaScript's with `syntax: javascript`; a match that
    runs longer than 1 s fails the message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["re"] = Field(description="Always `re`.")
    value: str = Field(
        description="The regular expression.", min_length=1,
        json_schema_extra={"x-format": "regex"},
    )
    syntax: Syntax = Field(
        "python",
        description="How the pattern is written: `python` (the `re` module's syntax) or "
        "`javascript` (matches what it matches in JavaScript, as in Node-RED; imported flows "
        "keep their patterns this way).",
    )
    _compiled: BoundedRegex = PrivateAttr()

    @model_validator(mode="after")
    def _compile(self) -> Pattern:
        self._compiled = compile_regex(self.value, syntax=self.syntax)
        return self

    @property
    def regex(self) -> BoundedRegex:
        return self._compiled


def _literal_or_typed(value: Any) -> str:
    return "typed" if isinstance(value, dict) else "literal"


Literal_: TypeAlias = str | int | float | bool | list[Any] | None


def _check_path(text: str) -> str:
    parse_path(text)
    return text


PropertyPath: TypeAlias = Annotated[
    str, AfterValidator(_check_path), Field(json_schema_extra={"x-format": "property"})
]
"""A config field holding a message property path, checked when the flow is loaded."""

Value: TypeAlias = Annotated[
    Annotated[Literal_, Tag("literal")] | Annotated[TypedValue, Tag("typed")],
    Discriminator(_literal_or_typed),
]
"""A configuration value: a literal (scalar or list) or a :class:`TypedValue`."""


# -- parsing at load time --------------------------------------------------------------------


def _parse_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(f"a str value must be a scalar; got {type(value).__name__}")


def _parse_num(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"a num value must be a number; got {value!r}")
    number: int | float
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text, 0)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"a num value must be a number; got {text!r}") from None
    else:
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"a num value must be finite; got {number!r}")
    return number


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValueError(f"a bool value must be true or false; got {value!r}")


def _parse_json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON text: {exc}") from None


def _parse_bin(value: Any) -> bytes:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.lstrip().startswith("[") else value.encode()
        except json.JSONDecodeError:
            value = value.encode()
    if isinstance(value, bytes):
        return value
    if isinstance(value, list) and all(
        isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 255 for b in value
    ):
        return bytes(value)
    raise ValueError("a bin value must be a string or a list of byte values (0-255)")


def _parse_property(value: Any) -> Path:
    if not isinstance(value, str):
        raise ValueError(f"a property path must be a string; got {value!r}")
    return parse_path(_STORE_PREFIX.sub("", value.strip()))


def _parse_env(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("an env value must be a variable name")
    return value


def _parse_date(value: Any) -> str:
    if value in (None, "", "ms", "iso"):
        return value or "ms"
    raise ValueError(f"a date value must be empty (epoch milliseconds) or 'iso'; got {value!r}")


def _parse_jsonata(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a jsonata value must be an expression")
    compile_jsonata(value)
    return value


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "str": _parse_str,
    "num": _parse_num,
    "bool": _parse_bool,
    "json": _parse_json,
    "bin": _parse_bin,
    "msg": _parse_property,
    "flow": _parse_property,
    "global": _parse_property,
    "env": _parse_env,
    "date": _parse_date,
    "jsonata": _parse_jsonata,
}


# -- evaluation --------------------------------------------------------------------------------


def _constant(value: Any) -> Evaluator:
    if isinstance(value, dict | list):
        return lambda msg: clone(value)
    return lambda msg: value


def _context_getter(store: Store, keys: Path) -> Evaluator:
    first, rest = str(keys[0]), keys[1:]

    def read(msg: Message) -> Any:
        value = store.get(first, MISSING)
        return get_path(value, rest, MISSING, msg) if rest and value is not MISSING else value

    return read


_ENV_REF = re.compile(r"\$\{(\w+)\}")


def _env_getter(name: str, ctx: NodeContext) -> Evaluator:
    env = ctx.env
    if "${" in name:
        return lambda msg: _ENV_REF.sub(lambda m: str(env.get(m.group(1), "")), name)
    return lambda msg: env.get(name, MISSING)


def _date_getter(form: str, ctx: NodeContext) -> Evaluator:
    now = ctx.now
    if form == "iso":

        def iso(msg: Message) -> str:
            stamp = datetime.fromtimestamp(now(), UTC)
            return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")

        return iso
    return lambda msg: int(now() * 1000)


def _jsonata_getter(expression: str, ctx: NodeContext) -> Evaluator:
    run = compile_expression(expression, ctx)
    return lambda msg: run(msg, None)


def compile_value(value: Any, ctx: NodeContext) -> Evaluator:
    """Turn a configured value (a literal or a :class:`TypedValue`) into a function of the
    message. Call it once, at the node's start; the result is cheap to call per message.
    Literal objects and lists are copied on every call, so a message never shares them."""
    if not isinstance(value, TypedValue):
        return _constant(value)
    kind, parsed = value.type, value._parsed
    if kind in ("str", "num", "bool", "json", "bin"):
        return _constant(parsed)
    if kind == "msg":
        return path_getter(parsed)
    if kind == "flow":
        return _context_getter(ctx.flow, parsed)
    if kind == "global":
        return _context_getter(ctx.global_, parsed)
    if kind == "env":
        return _env_getter(parsed, ctx)
    if kind == "date":
        return _date_getter(parsed, ctx)
    return _jsonata_getter(parsed, ctx)


def evaluate(value: Any, msg: Message, ctx: NodeContext) -> Any:
    """The value of a configured value for one message (compiles it each call: see
    :func:`compile_value` for hot paths)."""
    if not isinstance(value, TypedValue):
        return clone(value)
    return compile_value(value, ctx)(msg)
