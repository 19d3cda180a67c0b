"""Ontologies: the named JSON Schemas of a project, and the port types nodes declare with them.

A project names its schemas in two places, which may be used together:

- an ``ontologies:`` key in any flow file, name -> JSON Schema;
- a ``schemas/`` folder beside the flow files, one ``NAME.schema.json`` (or ``.schema.yaml``,
  ``.schema.yml``) per schema.

Names are unique across the project: a name given twice is E071, a schema that is not a valid
JSON Schema E072. A node names them in its ``in:`` (what its input accepts) and ``out:`` keys
(what an output port sends: a name for port 0, or port -> name), and the fields of
:data:`SCHEMA_NAME_FIELDS` (``validate``'s ``schema: NAME``). Types describe ``msg.payload``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.errors import LoadError
from flowrt.load.document import Document, NodeDecl, Span, locate
from flowrt.load.yaml_io import is_mapping, parse, read_text, to_plain

SCHEMA_SUFFIXES = (".schema.json", ".schema.yaml", ".schema.yml")
"""Files of a ``schemas/`` folder that hold a named schema (a directory of flows skips them)."""
SCHEMAS_DIR = "schemas"
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]*$"
IN_KEY, OUT_KEY = "in", "out"
"""The node keys that type a node's input and its output ports."""
SCHEMA_NAME_FIELDS: dict[str, str] = {"validate": "schema"}
"""Node type -> the configuration field that may name an ontology instead of holding a schema
inline. Check reports an unknown name; the plan gets the named schema in its place."""


@dataclass(frozen=True, slots=True)
class Ontology:
    """One named schema and where it is declared."""

    name: str
    schema: Any
    span: Span

    @property
    def where(self) -> str:
        return f"{self.span.file}:{self.span.line}" if self.span.line else self.span.file


@dataclass
class Ontologies:
    """The project's ontologies by name, and the problems found collecting them."""

    named: dict[str, Ontology] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def schema(self, name: str) -> Any:
        """The schema of ``name``; KeyError for an unknown name."""
        return self.named[name].schema


@dataclass(frozen=True, slots=True)
class PortName:
    """A schema name written in a node's ``in:`` or ``out:`` (or a schema field)."""

    name: str
    span: Span
    path: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class DeclaredPorts:
    input: PortName | None = None
    outputs: dict[int, PortName] = field(default_factory=dict)


def collect_ontologies(docs: Sequence[Document], read_folders: bool = True) -> Ontologies:
    """Every ontology of the documents' ``ontologies:`` keys and of the ``schemas/`` folders
    beside their files (of those that are files: not flows given as text; none unless
    ``read_folders``)."""
    found = Ontologies()
    for doc in docs:
        raw: Any = doc.data.get("ontologies") if is_mapping(doc.data) else None
        if not is_mapping(raw):
            continue
        for name, schema in raw.items():
            # a value that is no schema at all is the flow schema's to report (E022)
            if isinstance(name, str) and (is_mapping(schema) or isinstance(schema, bool)):
                span = locate(doc.file, doc.data, ("ontologies", name), "key")
                _add(found, Ontology(name, to_plain(schema), span))
    if read_folders:
        for folder in _folders(doc.file for doc in docs):
            for path in sorted(folder.iterdir()):
                if path.is_file() and path.name.endswith(SCHEMA_SUFFIXES):
                    _read(found, path, str(folder / path.name))
    return found


def _folders(files: Iterable[str]) -> list[Path]:
    seen: dict[Path, Path] = {}
    for file in files:
        if not Path(file).is_file():  # a flow given as text
            continue
        folder = Path(file).parent / SCHEMAS_DIR
        if folder.is_dir():
            seen.setdefault(folder.resolve(), Path(file).parent / SCHEMAS_DIR)
    return list(seen.values())


def _read(found: Ontologies, path: Path, file: str) -> None:
    name = next(path.name[: -len(s)] for s in SCHEMA_SUFFIXES if path.name.endswith(s))
    try:
        text = read_text(path, file)
        data = parse(text, file)
    except LoadError as exc:
        found.diagnostics.extend(
            diagnostic(d.code, f"schema file: {d.message}", d.hint, file=file, line=d.line,
                       column=d.column) for d in exc.diagnostics)
        return
    _add(found, Ontology(name, to_plain(data), Span(file, 1, 1)))


def _add(found: Ontologies, onto: Ontology) -> None:
    at = {"file": onto.span.file, "line": onto.span.line, "column": onto.span.column}
    if not re.match(NAME_PATTERN, onto.name):
        found.diagnostics.append(diagnostic(
            "E072", f"ontology name {onto.name!r} is not a name",
            "use letters, digits, '_', '.' and '-', starting with a letter", **at))
        return
    first = found.named.get(onto.name)
    if first is not None:
        found.diagnostics.append(diagnostic(
            "E071", f"ontology '{onto.name}' is declared twice: here and at {first.where}",
            "keep one of them, or rename one (names are shared by every flow of the project)",
            **at))
        return
    problem = schema_problem(onto.schema)
    if problem:
        found.diagnostics.append(diagnostic(
            "E072", f"ontology '{onto.name}' is not a valid JSON Schema: {problem}",
            "fix the schema (draft 2020-12 unless its `$schema` says otherwise)", **at))
        return
    found.named[onto.name] = onto


def schema_problem(schema: Any) -> str:
    """What is wrong with a JSON Schema, or '' when it is valid."""
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import Draft202012Validator, validator_for

    if not isinstance(schema, dict | bool):
        return f"a JSON Schema is an object or a boolean; got {type(schema).__name__}"
    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        return f"{exc.message}" + (f" at {where}" if where else "")
    return ""


def declared_ports(doc: Document, node: NodeDecl) -> DeclaredPorts:
    """The schema names of a node's ``in:`` and ``out:`` keys (malformed ones left out: the
    schema check reports them)."""
    raw: Any = doc.data
    for step in node.path:
        raw = raw.get(step) if is_mapping(raw) else None
    if not is_mapping(raw):
        return DeclaredPorts()
    given_in = raw.get(IN_KEY)
    port_in = _name(doc, given_in, (*node.path, IN_KEY)) if isinstance(given_in, str) else None
    outputs: dict[int, PortName] = {}
    given_out = raw.get(OUT_KEY)
    if isinstance(given_out, str):
        outputs[0] = _name(doc, given_out, (*node.path, OUT_KEY))
    elif is_mapping(given_out):
        for port, name in given_out.items():
            text = str(port)
            if isinstance(name, str) and not isinstance(port, bool) and text.isdecimal():
                outputs[int(text)] = _name(doc, name, (*node.path, OUT_KEY, port))
    return DeclaredPorts(port_in, outputs)


def schema_name(doc: Document, node: NodeDecl) -> PortName | None:
    """The ontology a node's schema field names (``validate``'s ``schema: NAME``), or None."""
    key = SCHEMA_NAME_FIELDS.get(node.type)
    value = node.config.get(key) if key else None
    if key is None or not isinstance(value, str):
        return None
    return _name(doc, value, (*node.path, key))


def _name(doc: Document, name: str, path: tuple[str | int, ...]) -> PortName:
    return PortName(name, locate(doc.file, doc.data, path), path)


def with_named_schema(node_type: str, config: dict[str, Any],
                      ontologies: Ontologies) -> dict[str, Any]:
    """``config`` with an ontology name in its schema field replaced by the schema itself (a
    name check reported unknown is left as is)."""
    key = SCHEMA_NAME_FIELDS.get(node_type)
    name = config.get(key) if key else None
    if key is None or not isinstance(name, str) or name not in ontologies.named:
        return config
    return {**config, key: ontologies.schema(name)}
