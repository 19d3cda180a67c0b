"""NodeSpec: what flowrt knows about a node type, all derived from its one class declaration."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from flowrt.api import Node, NodeConfig, Source
from flowrt.errors import RegistryError
from flowrt.evaluated import kinds_of
from flowrt.load.env import REFERENCE_SCHEMA
from flowrt.load.view import RESERVED_NODE_KEYS
from flowrt.types import Category, Stability

GUARANTEES = ("at-least-once", "at-most-once")
"""The values of a source node's ``guarantee`` key (see docs/delivery.md)."""

_TYPE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
NodeClass = type[Node]
ConfigClass = type[NodeConfig]


@dataclass(frozen=True)
class NodeSpec:
    type: str
    cls: NodeClass
    pack: str

    @property
    def category(self) -> Category:
        return self.cls.category

    @property
    def stability(self) -> Stability:
        return self.cls.stability

    @property
    def inputs(self) -> int:
        return self.cls.inputs

    @property
    def asynchronous(self) -> bool:
        return self.cls.asynchronous

    @property
    def reads(self) -> bool:
        """True for a source that reads messages (a :class:`Source`): the types that may
        declare a ``guarantee`` (catch, status and complete are sources of events, not reads)."""
        return issubclass(self.cls, Source)

    def guarantee(self, config: Any, declared: str | None) -> str | None:
        """A source node's delivery guarantee: the one it declares, else at-least-once when its
        server waits for acknowledgements with this configuration; None when nothing is
        acknowledged (a timer, an MQTT QoS 0 subscription) or the node is no source."""
        cls = self.cls
        if not issubclass(cls, Source) or not cls.acknowledges(config):
            return None
        return declared or "at-least-once"

    def journaled(self, config: Any, guarantee: str | None, declared: bool | None) -> bool:
        """Whether a source node reads through a local journal (:mod:`flowrt.run.journal`):
        only an at-least-once source; as its ``journal`` key says, else as its type declares
        (:attr:`flowrt.api.Source.journal_by_default`)."""
        cls = self.cls
        if not issubclass(cls, Source) or self.guarantee(config, guarantee) != "at-least-once":
            return False
        return cls.journal_by_default if declared is None else declared

    @property
    def config_model(self) -> ConfigClass:
        return self.cls.Config

    @property
    def is_connection(self) -> bool:
        return self.cls.category == "connection"

    @cached_property
    def summary(self) -> str:
        doc = inspect.getdoc(self.cls) or ""
        return doc.split("\n", 1)[0].strip()

    @cached_property
    def details(self) -> str:
        doc = inspect.getdoc(self.cls) or ""
        parts = doc.split("\n", 1)
        return parts[1].strip() if len(parts) > 1 else ""

    @cached_property
    def config_schema(self) -> dict[str, Any]:
        """The JSON Schema of the configuration, as pydantic derives it from the model, and
        self-contained: nested models are under ``$defs`` as ``<type>.<Model>``, the names its
        ``$ref`` use, so the flow schema can gather every type's definitions without clashes."""
        prefix = self.type + "."
        schema: dict[str, Any] = self.config_model.model_json_schema(
            ref_template="#/$defs/" + prefix + "{model}"
        )
        schema.pop("title", None)
        if "$defs" in schema:
            schema["$defs"] = {prefix + name: d for name, d in schema["$defs"].items()}
        return schema

    @cached_property
    def fields(self) -> dict[str, dict[str, Any]]:
        props: dict[str, dict[str, Any]] = self.config_schema.get("properties", {})
        return props

    @cached_property
    def required(self) -> list[str]:
        return list(self.config_schema.get("required", []))

    @cached_property
    def connection_fields(self) -> dict[str, str]:
        """Config field name -> the connection type it must name."""
        return {
            name: prop["x-connection"]
            for name, prop in self.fields.items()
            if "x-connection" in prop
        }

    @cached_property
    def node_ref_fields(self) -> dict[str, str]:
        """Config field name -> the node type its ids must have ("*" for any)."""
        return {
            name: prop["x-node-ref"] for name, prop in self.fields.items() if "x-node-ref" in prop
        }

    @cached_property
    def refs_outside_subflow(self) -> frozenset[str]:
        """The node-ref fields that, inside a subflow, may also name the project's nodes."""
        return frozenset(n for n, prop in self.fields.items() if prop.get("x-node-ref-outside"))

    @cached_property
    def evaluates(self) -> dict[str, tuple[str, ...]]:
        """What the node evaluates of what a flow author writes: kind -> fields (see
        :mod:`flowrt.evaluated`)."""
        return kinds_of(self.cls)

    @cached_property
    def secret_fields(self) -> frozenset[str]:
        """The fields declared ``secret``, by the name a flow file gives them. Read from the
        model's fields, not from :attr:`config_schema`: `flowrt run` asks this of every node it
        plans, and deriving the JSON Schema of a configuration costs more than the rest of
        planning the node."""
        found = set()
        for name, info in self.config_model.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and extra.get("x-secret"):
                alias = info.validation_alias
                found.add(alias if isinstance(alias, str) else info.alias or name)
        return frozenset(found)

    def parse_config(self, raw: dict[str, Any]) -> NodeConfig:
        """Validate a node's configuration (already env-substituted) into its typed model."""
        return self.config_model.model_validate(raw)

    def output_count(self, raw: dict[str, Any]) -> int | None:
        """Number of output ports for this raw configuration, or None if it is invalid."""
        if self.cls.output_count.__func__ is Node.output_count.__func__:  # type: ignore[attr-defined]
            return int(self.cls.outputs)
        try:
            return int(self.cls.output_count(self.parse_config(raw)))
        except (ValidationError, ValueError, TypeError):
            return None

    def stands_in(self, raw: dict[str, Any]) -> str | None:
        """Why a node of this raw configuration stands in for one that could not be imported
        (see ``Node.stands_in``); None for a node that does its own work, or an invalid one."""
        if self.cls.stands_in.__func__ is Node.stands_in.__func__:  # type: ignore[attr-defined]
            return None
        try:
            return self.cls.stands_in(self.parse_config(raw))
        except (ValidationError, ValueError, TypeError):
            return None

    def to_dict(self) -> dict[str, Any]:
        """The catalog entry: everything the editor and `flowrt nodes` show."""
        return {
            "type": self.type,
            "category": self.category,
            "pack": self.pack,
            "stability": self.stability,
            "icon": self.cls.icon,
            "inputs": self.inputs,
            "outputs": self.cls.outputs,
            "asynchronous": self.asynchronous,
            "reads": self.reads,
            "summary": self.summary,
            "details": self.details,
            "evaluates": {kind: list(fields) for kind, fields in self.evaluates.items()},
            "schema": {  # with the grammar of `${VAR}`, which the editor takes from here
                **self.config_schema,
                "$defs": {**self.config_schema.get("$defs", {}), "envref": REFERENCE_SCHEMA},
            },
        }


def spec_for(cls: type[Node], pack: str) -> NodeSpec:
    """Check a node class's declaration and describe it."""
    import re

    name = getattr(cls, "type", "")
    where = f"{cls.__module__}.{cls.__qualname__}"
    if not name or not re.match(_TYPE_PATTERN, name):
        raise RegistryError(f"{where}: type {name!r} must be lower-case words joined by '-'")
    if getattr(cls, "category", None) not in (
        "source",
        "transform",
        "script",
        "sink",
        "connection",
    ):
        raise RegistryError(
            f"{where}: category must be source, transform, script, sink or connection"
        )
    if not (isinstance(cls.Config, type) and issubclass(cls.Config, NodeConfig)):
        raise RegistryError(f"{where}: Config must subclass flowrt.api.NodeConfig")
    clash = set(cls.Config.model_fields) & set(RESERVED_NODE_KEYS)
    if clash:
        raise RegistryError(f"{where}: config fields {sorted(clash)} clash with reserved node keys")
    if not inspect.getdoc(cls) or inspect.getdoc(cls) == inspect.getdoc(cls.__mro__[1]):
        raise RegistryError(f"{where}: a node class needs a docstring (it is the node's help)")
    for fname, finfo in cls.Config.model_fields.items():
        if not finfo.description:
            raise RegistryError(f"{where}: config field {fname!r} needs a description")
    return NodeSpec(type=name, cls=cls, pack=pack)
