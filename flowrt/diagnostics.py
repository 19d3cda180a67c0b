"""Diagnostics: one problem a person sees in a flow file, the stable codes, and did-you-mean hints.

A :class:`Diagnostic` has a stable code (tests assert on the code, never the wording), a severity,
the place (file, line, column, node id, field path), what was wrong and a hint saying what to do.
The codes are declared here once, one line each, used by every check, the SARIF rules and the docs.

Codes never change meaning once published. E-codes are errors, W-codes warnings. A warning that
``--strict`` turns into an error keeps its W-code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    hint: str = ""
    file: str = ""
    line: int = 0
    column: int = 0
    node: str = ""
    node_type: str = ""
    path: tuple[str | int, ...] = field(default_factory=tuple)
    nodered: str = ""
    """The Node-RED id of the node, for a node imported from Node-RED (its ``origin``)."""

    def location(self) -> str:
        if not self.file:
            return "flowrt"
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    def subject(self) -> str:
        if not self.node:
            return ""
        about = [self.node_type] if self.node_type else []
        if self.nodered:
            about.append(f"Node-RED {self.nodered}")
        kind = f" ({', '.join(about)})" if about else ""
        return f"node '{self.node}'{kind}: "

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity} {self.code} {self.subject()}{self.message}"
        if self.hint:
            text += f" Hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["path"] = list(self.path)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict())




@dataclass(frozen=True, slots=True)
class Code:
    code: str
    title: str

    @property
    def severity(self) -> Severity:
        return "error" if self.code.startswith("E") else "warning"


CODES: dict[str, Code] = {
    c.code: c
    for c in [
        # reading the file
        Code("E001", "YAML or JSON syntax error"),
        Code("E002", "duplicate key in a mapping"),
        Code("E003", "file cannot be read"),
        Code("E004", "file is not UTF-8 text"),
        Code("E005", "file is binary"),
        Code("E006", "file is empty"),
        Code("E007", "file is too large"),
        Code("E008", "nesting is too deep"),
        Code("E009", "YAML aliases expand too far"),
        Code("E010", "top level is not a mapping"),
        Code("E011", "unsupported format version"),
        Code("E012", "no flow files found"),
        Code("E013", "file is not in the canonical format"),
        # the schema
        Code("E020", "value does not match the schema"),
        Code("E021", "required field is missing"),
        Code("E022", "value has the wrong type"),
        Code("E023", "unknown field"),
        Code("E024", "value is not one of the allowed choices"),
        Code("E025", "value is out of range"),
        Code("E026", "invalid value after substituting environment variables"),
        # the graph and references
        Code("E030", "unknown node type"),
        Code("E031", "wire to an unknown node"),
        Code("E032", "wire from an output port the node does not have"),
        Code("E033", "reference to an unknown connection"),
        Code("E034", "connection has the wrong type"),
        Code("E035", "node id is used twice in the project"),
        Code("E036", "flow id is used twice in the project"),
        Code("E037", "unknown subflow"),
        Code("E038", "link to an unknown or wrong node"),
        Code("E039", "secret written inline"),
        Code("E040", "wire to a node that has no input"),
        Code("E041", "subflow port refers to an unknown node"),
        Code("E042", "subflow instance is part of its own definition"),
        Code("E043", "guarantee or journal set on a node that is not a source"),
        Code("E044", "group names an unknown node or group"),
        Code("E045", "node is in two groups"),
        Code("E046", "groups are nested in a loop"),
        # dashboards
        Code("E047", "dashboard layout names a node that is not a dashboard widget"),
        Code("E048", "dashboard layout places a widget of another dashboard"),
        Code("W112", "dashboard widget is on no page of its dashboard"),
        # flow tests
        Code("E050", "invalid flow test file"),
        Code("E051", "flow test names an unknown node"),
        Code("E060", "node runs code the script policy refuses"),
        # ontologies and typed ports
        Code("E070", "unknown ontology (named JSON Schema)"),
        Code("E071", "ontology is declared twice"),
        Code("E072", "ontology is not a valid JSON Schema"),
        Code("E073", "wire joins ports of incompatible types"),
        Code("E074", "input requires a property nothing upstream sets"),
        Code("W113", "untyped port feeds a typed input (with --strict)"),
        Code("W101", "node cannot be reached from any source"),
        Code("W102", "cycle with no asynchronous node"),
        Code("W103", "connection is never used"),
        Code("W104", "environment variable has no value and no default"),
        Code("W105", "layout names an unknown node"),
        Code("W106", "node type is not stable"),
        Code("W108", "value looks like a literal credential"),
        Code("W109", "sink on an at-least-once path cannot confirm"),
        Code("W110", "node stands in for one that was not imported"),
        Code("W111", "node names no node in a list of targets: it never sends"),
    ]
}


def diagnostic(code: str, message: str, hint: str = "", **where: object) -> Diagnostic:
    """Build a Diagnostic whose severity comes from its code."""
    return Diagnostic(code=code, severity=CODES[code].severity, message=message, hint=hint, **where)  # type: ignore[arg-type]


def suggest(word: str, choices: list[str] | set[str], what: str = "") -> str:
    """A did-you-mean hint, or '' when nothing is close."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'{what}?" if close else ""
