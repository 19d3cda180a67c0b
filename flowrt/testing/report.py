"""`flowrt test` results for people (text), CI dashboards (JUnit XML) and GitHub annotations."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from itertools import groupby

from flowrt.check.report import github_annotation, workflow_command
from flowrt.check.report import render_text as render_diagnostics
from flowrt.diagnostics import Diagnostic
from flowrt.testing.suite import SuiteResult


def _summary(suite: SuiteResult) -> str:
    total, failed = len(suite.cases), len(suite.failed)
    text = f"{total} case{'s' if total != 1 else ''}, {failed} failed"
    if suite.broken:
        text += f", {len(suite.broken)} problem(s) in test files"
    return text


def render_text(suite: SuiteResult, colour: bool = False) -> str:
    import click

    lines: list[str] = []
    if suite.broken:
        lines.append(render_diagnostics(suite.broken, len({d.file for d in suite.broken}),
                                        colour).rsplit("\n", 1)[0])
    for file, cases in groupby(suite.cases, key=lambda c: c.file):
        lines.append(file)
        for case in cases:
            mark = click.style("ok  ", fg="green") if colour else "ok  "
            if not case.passed:
                mark = click.style("FAIL", fg="red", bold=True) if colour else "FAIL"
            lines.append(f"  {mark} {case.name} ({case.seconds * 1000:.0f} ms)")
            for f in case.failures:
                lines.append(f"       {file}:{f.line}:{f.column}: {f.failure.message}")
                lines.extend("         " + d for d in f.failure.diff.splitlines())
    lines.append(_summary(suite))
    return "\n".join(lines)


def render_junit(suite: SuiteResult, colour: bool = False) -> str:
    root = ET.Element("testsuites", tests=str(len(suite.cases)),
                      failures=str(len(suite.failed)), errors=str(len(suite.broken)))
    for file, group in groupby(suite.cases, key=lambda c: c.file):
        cases = list(group)
        element = ET.SubElement(
            root, "testsuite", name=file, tests=str(len(cases)),
            failures=str(sum(1 for c in cases if not c.passed)),
            time=f"{sum(c.seconds for c in cases):.3f}",
        )
        for case in cases:
            item = ET.SubElement(element, "testcase", name=case.name, classname=file,
                                 file=file, line=str(case.line), time=f"{case.seconds:.3f}")
            for f in case.failures:
                failure = ET.SubElement(item, "failure",
                                        message=f"{file}:{f.line}:{f.column}: {f.failure.message}")
                failure.text = f.failure.diff
    if suite.broken:
        element = ET.SubElement(root, "testsuite", name="test files", tests="0", failures="0",
                                errors=str(len(suite.broken)))
        for d in suite.broken:
            error = ET.SubElement(element, "error", message=str(d))
            error.text = str(d)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def render_github(suite: SuiteResult, colour: bool = False) -> str:
    """One annotation per problem: a broken test file's or a flow's (each once, where it is,
    titled as `flowrt validate --format github` titles it) and a failed expectation's."""
    lines: list[str] = []
    seen: set[tuple[object, ...]] = set()

    def once(d: Diagnostic) -> None:
        key = (d.file, d.line, d.column, d.code, d.node, d.message)
        if key not in seen:
            seen.add(key)
            lines.append(github_annotation(d))

    for d in suite.broken:
        once(d)
    for case in suite.failed:
        for f in case.failures:
            for d in f.diagnostics:
                once(d)
            if f.diagnostics:
                continue
            text = f.failure.message + ("\n" + f.failure.diff if f.failure.diff else "")
            lines.append(workflow_command("error", f"flowrt test: {case.name}", text, case.file,
                                          f.line, f.column))
    lines.append(_summary(suite))
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[SuiteResult, bool], str]] = {
    "text": render_text,
    "junit": render_junit,
    "github": render_github,
}
