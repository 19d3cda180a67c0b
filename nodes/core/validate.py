"""validate: check a message property against a JSON Schema; valid and invalid messages part."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import field_validator, model_validator
from ruamel.yaml import YAML

from flowrt.api import (
    MISSING,
    ConfigError,
    FileAccess,
    Message,
    NodeConfig,
    NodeError,
    Output,
    PropertyPath,
    Transform,
    field,
    getter,
)

from .validate_patterns import bounded_validator, keywords_in, refuse_unbounded

if TYPE_CHECKING:  # jsonschema and referencing are imported where a schema is first used
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Resource


def check_schema(schema: Any) -> type[Validator]:
    """The validator class for a schema (by its `$schema`, else draft 2020-12); ValueError
    saying where the schema itself is wrong."""
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import Draft202012Validator, validator_for

    if not isinstance(schema, dict | bool):
        raise ValueError(f"a JSON Schema is an object or a boolean; got {type(schema).__name__}")
    cls: type[Validator] = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        at = f" at {where}" if where else ""
        raise ValueError(f"invalid JSON Schema{at}: {exc.message}") from None
    refuse_unbounded(keywords_in(schema))
    return bounded_validator(cls)


def read_schema(path: Path, files: FileAccess) -> Any:
    """A schema file's contents: YAML for .yaml/.yml, JSON otherwise (read through ``files``,
    the directories flows may use)."""
    text = files.read_bytes(str(path)).decode("utf-8")
    if path.suffix in (".yaml", ".yml"):
        return YAML(typ="safe", pure=True).load(text)
    return json.loads(text)


def _local_file(uri: str, files: FileAccess) -> Resource[Any]:
    """Resolve a `$ref` to another schema file next to the first; nothing is fetched from the
    network."""
    from referencing import Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT202012

    if not uri.startswith("file://"):
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
    try:
        contents = read_schema(Path(uri.removeprefix("file://").split("#", 1)[0]), files)
    except (OSError, ValueError) as exc:
        raise NoSuchResource(ref=uri) from exc  # type: ignore[call-arg]
    return Resource.from_contents(contents, default_specification=DRAFT202012)


def error_path(prop: str, keys: Any) -> str:
    """A Node-RED property path to a problem: ``payload.items[0].name``."""
    out = prop
    for key in keys:
        if isinstance(key, int):
            out += f"[{key}]"
        elif key.isidentifier():
            out += f".{key}"
        else:
            out += "[" + json.dumps(key) + "]"
    return out


class Validate(Transform):
    """Check a message property against a JSON Schema, parting valid and invalid messages.

    ### Inputs

    Any message; `property` (default `payload`) is checked.

    ### Outputs

    1. the valid messages, unchanged;
    2. the invalid messages, with `errors`: a list of `{path, pointer, message, keyword}`,
       where `path` is the property path of the problem (`payload.items[0].name`), `pointer`
       its JSON Pointer inside the property (`/items/0/name`), `message` what is wrong and
       `keyword` the schema keyword that failed (`required`, `type`, `maximum` ...).

    ### Details

    The schema is given inline (`schema:`, as YAML or JSON), by the name of one of the
    project's ontologies (`schema: Temperature`, see docs/ontologies.md: the valid port then
    sends that type), or as a file (`schema_file:`, a
    `.json`, `.yaml` or `.yml` file; a relative path is relative to the working directory of
    flowrt). `$ref`s to other files next to the schema file are followed; nothing is fetched
    from the network. The schema's `$schema` chooses the draft (2020-12 by default). `format`s
    (`date-time`, `email`, ...) are checked unless `check_formats` is false.

    An inline schema is checked when the flow is loaded; a schema file when the flow starts.
    A missing property is checked as `null`.

    `pattern` and `patternProperties` are matched with a time limit: a pattern that runs too
    long (it backtracks, like `(a|aa)+$`) fails the message with an error naming it. A schema
    using `unevaluatedProperties` together with `patternProperties` is refused, since those
    patterns are matched where no limit can be put.
    """

    type = "validate"
    icon = "check"
    evaluates = {"regex": ("schema", "schema_file"), "path": ("schema_file",)}
    outputs = 2
    mutates = True

    class Config(NodeConfig):
        property: PropertyPath = field("payload", description="The message property to check.")
        schema_: dict[str, Any] | bool | str | None = field(
            None,
            alias="schema",
            description="The JSON Schema, inline, or the name of one of the project's "
            "ontologies (named JSON Schemas).",
            examples=[
                {
                    "type": "object",
                    "required": ["celsius"],
                    "properties": {"celsius": {"type": "number"}},
                }
            ],
        )
        schema_file: str | None = field(
            None,
            description="A file holding the JSON Schema (JSON or YAML).",
            examples=["schemas/reading.schema.json"],
        )
        check_formats: bool = field(True, description="Check `format` keywords too.")

        @field_validator("schema_")
        @classmethod
        def _valid_schema(cls, schema: Any) -> Any:
            if schema is not None and not isinstance(schema, str):  # a name: check finds it
                check_schema(schema)
            return schema

        @model_validator(mode="after")
        def _one_schema(self) -> Validate.Config:
            if (self.schema_ is None) == (self.schema_file is None):
                raise ValueError("give either schema or schema_file")
            return self

    config: Config

    async def start(self) -> None:
        cfg = self.config
        schema = cfg.schema_
        if cfg.schema_file is not None:
            path = Path(cfg.schema_file).resolve()
            try:
                schema = await asyncio.to_thread(read_schema, path, self.ctx.files)
            except OSError as exc:
                raise ConfigError(
                    f"cannot read schema_file '{cfg.schema_file}': {exc.strerror}"
                ) from None
            except ValueError as exc:
                raise ConfigError(
                    f"schema_file '{cfg.schema_file}' is not JSON or YAML: {exc}"
                ) from None
            if isinstance(schema, dict) and "$id" not in schema:
                schema = {"$id": path.as_uri(), **schema}
            try:
                cls = check_schema(schema)
            except ValueError as exc:
                raise ConfigError(f"schema_file '{cfg.schema_file}': {exc}") from None
        elif isinstance(schema, str):
            raise ConfigError(f"schema '{schema}' names no ontology of the project")
        else:
            cls = check_schema(schema)
        from jsonschema import FormatChecker
        from referencing import Registry
        from referencing.exceptions import Unresolvable

        self._unresolvable = Unresolvable
        seen = keywords_in(schema)

        def retrieve(uri: str) -> Resource[Any]:
            resource = _local_file(uri, self.ctx.files)
            seen.update(keywords_in(resource.contents))
            refuse_unbounded(seen)
            return resource

        registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
        checker = FormatChecker() if cfg.check_formats else None
        self._validator = cls(schema, registry=registry, format_checker=checker)
        self._get = getter(cfg.property)

    def process(self, msg: Message) -> Output:
        value = self._get(msg)
        try:
            problems = list(self._validator.iter_errors(None if value is MISSING else value))
        except self._unresolvable as exc:
            why = f" ({exc.__cause__})" if isinstance(exc.__cause__, ValueError) else ""
            raise NodeError(f"the schema has a $ref that cannot be resolved: {exc}{why}") from exc
        if not problems:
            return [msg, None]
        msg["errors"] = [self._problem(p) for p in sorted(problems, key=_order)]
        return [None, msg]

    def _problem(self, error: ValidationError) -> dict[str, Any]:
        keys = list(error.absolute_path)
        return {
            "path": error_path(self.config.property, keys),
            "pointer": "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in keys),
            "message": error.message,
            "keyword": str(error.validator),
        }


def _order(error: ValidationError) -> tuple[str, ...]:
    return tuple(str(k) for k in error.absolute_path)
