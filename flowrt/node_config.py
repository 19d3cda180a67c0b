"""The configuration model of node types: :class:`NodeConfig`, the base of every node's
``Config``, and :func:`field`, which declares one of its fields with what flowrt derives from
it (the JSON Schema, the editor's form, the docs). Node packs reach both through
:mod:`flowrt.api`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined

__all__ = ["NodeConfig", "field"]


class NodeConfig(BaseModel):
    """Base of every node's configuration model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def field(
    default: Any = PydanticUndefined,
    *,
    description: str,
    examples: list[Any] | None = None,
    secret: bool = False,
    advanced: bool = False,
    since: str | None = None,
    connection: str | None = None,
    node_ref: str | None = None,
    outside_subflow: bool = False,
    format: str | None = None,
    default_factory: Callable[[], Any] | None = None,
    **constraints: Any,
) -> Any:
    """Declare a configuration field. No default means the field is required.

    ``secret``: the value must be a ``${VAR}`` reference, never written inline.
    ``connection``: the value names a connection of this type in the flow's ``connections``.
    ``node_ref``: the value is a node id (or a list of node ids) of this node type, or of any
    type for ``"*"`` (link targets, catch scopes); the checker verifies the ids exist. Inside a
    subflow the ids name the subflow's nodes, or with ``outside_subflow`` also (after those) the
    project's, as Node-RED's link call may.
    ``format``: a hint for the editor form (``code:python``, ``code:jinja``, ``multiline``).
    ``constraints``: pydantic constraints (``ge``, ``le``, ``min_length``, ``pattern``...).
    """
    marks = {"x-secret": secret, "x-advanced": advanced, "x-since": since,
             "x-connection": connection, "x-node-ref": node_ref,
             "x-node-ref-outside": outside_subflow, "x-format": format}
    extra: dict[str, Any] = {k: v for k, v in marks.items() if v}
    given: dict[str, Any] = {"default": default}
    if default_factory is not None:
        given = {"default_factory": default_factory}
    if examples is not None:  # else those of an Annotated type (flowrt.access_fields.Rate) stay
        given["examples"] = examples
    return Field(**given, description=description, json_schema_extra=extra or None, **constraints)
