"""Diagnostics rendered for people and machines: text, JSON, GitHub annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from flowrt.diagnostics import CODES, Diagnostic

FORMATS = ("text", "json", "github", "sarif")
_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = sum(1 for d in diagnostics if d.severity == "warning")
    noun = "file" if files == 1 else "files"
    if not errors and not warnings:
        return f"{files} {noun} checked, no problems"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{' and '.join(parts)} in {files} {noun} checked"


def render_text(diagnostics: list[Diagnostic], files: int, colour: bool = False) -> str:
    lines = []
    for d in diagnostics:
        if not colour:
            lines.append(str(d))
            continue
        sev = click.style(f"{d.severity} {d.code}", fg=_COLOURS[d.severity], bold=True)
        text = f"{click.style(d.location(), bold=True)}: {sev} {d.subject()}{d.message}"
        if d.hint:
            text += click.style(f" Hint: {d.hint}", fg="cyan")
        lines.append(text)
    lines.append(summary(diagnostics, files))
    return "\n".join(lines)


def render_json(diagnostics: list[Diagnostic], files: int, colour: bool = False) -> str:
    return json.dumps(
        {
            "diagnostics": [d.to_dict() for d in diagnostics],
            "summary": {
                "files": files,
                "errors": sum(1 for d in diagnostics if d.severity == "error"),
                "warnings": sum(1 for d in diagnostics if d.severity == "warning"),
            },
        },
        indent=2,
    )


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the GitHub Actions runner reads it back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title), escaped as the runner reads it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(level: str, title: str, message: str, file: str = "", line: int = 0,
                     column: int = 0) -> str:
    """One GitHub Actions annotation; a file, line or column that is not known (empty, 0) is
    left out rather than written as 0."""
    props = [f"file={escape_property(file)}"] if file else []
    props += [f"line={line}"] if line else []
    props += [f"col={column}"] if line and column else []
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def github_annotation(d: Diagnostic) -> str:
    """A diagnostic as an annotation titled with its code and the code's short title."""
    level = {"error": "error", "warning": "warning"}.get(d.severity, "notice")
    text = d.subject() + d.message + (f" Hint: {d.hint}" if d.hint else "")
    return workflow_command(level, f"{d.code} {CODES[d.code].title}", text, d.file, d.line,
                            d.column)


def render_github(diagnostics: list[Diagnostic], files: int, colour: bool = False) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    lines = [github_annotation(d) for d in diagnostics]
    lines.append(summary(diagnostics, files))
    return "\n".join(lines)


def render_sarif(diagnostics: list[Diagnostic], files: int, colour: bool = False) -> str:
    from flowrt import __version__

    used = sorted({d.code for d in diagnostics})
    results: list[dict[str, Any]] = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": used.index(d.code),
            "level": {"error": "error", "warning": "warning"}.get(d.severity, "note"),
            "message": {"text": d.subject() + d.message + (f" Hint: {d.hint}" if d.hint else "")},
        }
        if d.file:
            region = {"startLine": d.line, "startColumn": d.column} if d.line else {}
            location: dict[str, Any] = {"artifactLocation": {"uri": d.file}}
            if region:
                location["region"] = region
            result["locations"] = [{"physicalLocation": location}]
        if d.node:
            result["properties"] = {"node": d.node, "nodeType": d.node_type}
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flowrt",
                        "version": __version__,
                        "rules": [
                            {"id": code, "shortDescription": {"text": CODES[code].title}}
                            for code in used
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2)


RENDERERS: dict[str, Callable[[list[Diagnostic], int, bool], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}
