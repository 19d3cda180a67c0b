"""Port checks at run time (``flowrt run --check-ports``): each message a typed port takes or
sends is validated against its ontology.

:func:`with_port_checks` gives every planned node that declares ``in:`` or ``out:`` a subclass
of its type that checks before and after its own work, so nothing in the runtime changes and
a node without declared ports costs nothing:

- ``in:``: the payload of each message the node takes (``process``, ``receive``, and each
  message of a sink's batch). A message that does not conform fails at the node, with an error
  naming the ontology and the first problem: catch nodes get it, else the log, with the node
  id and ``_msgid``; a sink writes the rest of its batch.
- ``out:``: the payload of each message a node returns from ``process`` (transforms, scripts),
  on the declared ports. A source's or an asynchronous node's ``out:`` is checked by the ``in:``
  of the nodes it sends to.

Schemas are matched with the ``validate`` node's bounded validator (runaway ``pattern``s fail
the message instead of stopping the flow), looked up through the registry.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from flowrt.api import AsyncTransform, Node, RegexTimeout, Sink
from flowrt.compile.plan import Plan, PlannedNode
from flowrt.errors import CompileError, NodeError
from flowrt.load.document import Document, NodeDecl
from flowrt.load.ontologies import Ontologies, PortName, collect_ontologies, declared_ports
from flowrt.load.project import Project
from flowrt.protocols import DeclaredType, SchemaProblem
from flowrt.registry.discover import Registry, default_registry
from flowrt.registry.spec import NodeSpec
from flowrt.types import Message

Problem = Callable[[Any], str | None]
"""A payload -> what is wrong with it, or None when it conforms."""


class PortTypeError(NodeError):
    """A message whose payload does not conform to its port's ontology."""


def with_port_checks(plan: Plan, project: Project, registry: Registry | None = None) -> Plan:
    """``plan`` with a checking type for each node that declares ``in:`` or ``out:``."""
    onto = collect_ontologies(project.documents)
    make = _checker_factory(registry or default_registry(), onto)
    docs = {doc.file: doc for doc in project.documents}
    for node_id, planned in list(plan.nodes.items()):
        found = _declaration(docs, planned)
        if found is None:
            continue
        declared = declared_ports(*found)
        want = make(declared.input)
        sends = {port: check for port, ref in declared.outputs.items()
                 if (check := make(ref)) is not None}
        if want is None and not sends:
            continue
        cls = checked_type(planned.spec.cls, want, sends)
        spec = NodeSpec(type=planned.spec.type, cls=cls, pack=planned.spec.pack)
        plan.nodes[node_id] = replace(planned, spec=spec)
    return plan


def _declaration(docs: dict[str, Document], planned: PlannedNode) -> tuple[Document,
                                                                          NodeDecl] | None:
    doc = docs.get(planned.file)
    if doc is None:
        return None
    if not planned.scope:
        node = doc.nodes.get(planned.raw_id)
        return (doc, node) if node is not None else None
    inner = [s.nodes[planned.raw_id] for s in doc.subflows.values() if planned.raw_id in s.nodes]
    return (doc, inner[0]) if len(inner) == 1 else None


def declared_types(registry: Registry, onto: Ontologies) -> Callable[[str], DeclaredType]:
    """Ontology name -> its :class:`DeclaredType`, whose ``problem`` matches a payload with the
    ``validate`` node's bounded validator, made when first used (a CompileError then when the
    registry has no validate node type or the schema cannot be checked at run time)."""
    validator = _validators(registry, onto, "a declared port type")

    def problem_of(name: str) -> Callable[[Any], SchemaProblem | None]:
        def problem(payload: Any) -> SchemaProblem | None:
            from jsonschema.exceptions import best_match

            try:
                error = best_match(validator(name).iter_errors(payload))
            except RegexTimeout:  # a pattern of the schema backtracks: the payload fails
                return SchemaProblem("", "pattern", "not decided within the time limit")
            if error is None:
                return None
            pointer = "".join("/" + str(k).replace("~", "~0").replace("/", "~1")
                              for k in error.absolute_path)
            return SchemaProblem(pointer, str(error.validator), error.validator_value)

        return problem

    @cache
    def declared(name: str) -> DeclaredType:
        return DeclaredType(name, onto.schema(name), problem_of(name))

    return declared


def _validators(registry: Registry, onto: Ontologies, purpose: str) -> Callable[[str], Any]:
    """Ontology name -> a validator of its schema (made once, on first use)."""

    @cache
    def validator(name: str) -> Any:
        from jsonschema import FormatChecker

        if "validate" not in registry:
            raise CompileError(f"{purpose} needs the validate node type (the core pack)")
        module = inspect.getmodule(registry["validate"].cls)
        try:
            return module.check_schema(onto.schema(name))(  # type: ignore[union-attr]
                onto.schema(name), format_checker=FormatChecker())
        except ValueError as exc:
            raise CompileError(f"ontology '{name}' cannot be checked at run time: {exc}") from exc

    return validator


def _checker_factory(registry: Registry, onto: Ontologies) -> Callable[[PortName | None],
                                                                       Problem | None]:
    if "validate" not in registry:
        raise CompileError("--check-ports needs the validate node type (the core pack)")
    make_validator = _validators(registry, onto, "--check-ports")

    @cache
    def named(name: str) -> Problem:
        from jsonschema.exceptions import best_match

        validator = make_validator(name)

        def problem(payload: Any) -> str | None:
            error = best_match(validator.iter_errors(payload))
            if error is None:
                return None
            where = "".join(f"[{k!r}]" if isinstance(k, int) else f".{k}"
                            for k in error.absolute_path)
            return f"payload{where}: {error.message}"

        return problem

    def make(ref: PortName | None) -> Problem | None:
        if ref is None or ref.name not in onto.named:
            return None
        check = named(ref.name)
        name = ref.name

        def labelled(payload: Any) -> str | None:
            found = check(payload)
            return f"does not conform to {name}: {found}" if found else None

        return labelled

    return make


def checked_type(cls: type[Node], want: Problem | None,
                 sends: dict[int, Problem]) -> type[Node]:
    """A subclass of ``cls`` checking what its instances take against ``want`` and what they
    return on each port of ``sends``."""
    attrs: dict[str, Any] = {"__doc__": cls.__doc__, "__module__": cls.__module__}
    if issubclass(cls, Sink):
        attrs["write"] = _checked_write(cls, want) if want else cls.write
    elif issubclass(cls, AsyncTransform):
        if want:
            attrs["receive"] = _checked_receive(cls, want)
    elif hasattr(cls, "process"):
        attrs["process"] = _checked_process(cls, want, sends)
    return type(cls.__name__, (cls,), attrs)


def _take(want: Problem, msg: Message) -> None:
    problem = want(msg.get("payload"))
    if problem:
        raise PortTypeError(f"the input {problem}")


def _checked_process(cls: Any, want: Problem | None, sends: dict[int, Problem]) -> Any:
    own = cls.process

    def process(self: Any, msg: Message) -> Any:
        if want is not None:
            _take(want, msg)
        out = own(self, msg)
        for port, sent in _spread(out):
            check = sends.get(port)
            problem = check(sent.get("payload")) if check is not None else None
            if problem:
                raise PortTypeError(f"output {port} {problem}")
        return out

    return process


def _checked_receive(cls: Any, want: Problem) -> Any:
    own = cls.receive

    async def receive(self: Any, msg: Message) -> None:
        _take(want, msg)
        await own(self, msg)

    return receive


def _checked_write(cls: Any, want: Problem) -> Any:
    own = cls.write

    async def write(self: Any, batch: list[Message]) -> None:
        good = []
        for msg in batch:
            problem = want(msg.get("payload"))
            if problem:
                self.ctx.error(PortTypeError(f"the input {problem}"), msg)
            else:
                good.append(msg)
        if good:
            await own(self, good)

    return write


def _spread(out: Any) -> list[tuple[int, Message]]:
    """The messages of a node's output with their ports (a message, or one entry per port:
    a message, None, or a list of messages)."""
    if isinstance(out, dict):
        return [(0, out)]
    pairs: list[tuple[int, Message]] = []
    if isinstance(out, list):
        for port, item in enumerate(out):
            if isinstance(item, dict):
                pairs.append((port, item))
            elif isinstance(item, list):
                pairs.extend((port, m) for m in item if isinstance(m, dict))
    return pairs
