"""`flowrt test`: run the cases of flow test files, each in a fresh engine on simulated time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flowrt.compile import build_plan
from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.errors import CheckError, ConfigError, LoadError
from flowrt.load.project import Project, display_path, load_project
from flowrt.registry import Registry, default_registry
from flowrt.testing.doubles import replace_nodes
from flowrt.testing.expect import Failure, check
from flowrt.testing.harness import Harness, with_env
from flowrt.testing.spec import Case, FlowTestFile, find_test_files, load_test_file


@dataclass
class CaseFailure:
    line: int
    column: int
    failure: Failure
    diagnostics: tuple[Diagnostic, ...] = ()
    """The problems of the flow under test when they are the failure (reported where they are,
    in the flow file, once however many cases they fail)."""


@dataclass
class CaseResult:
    file: str
    name: str
    line: int
    seconds: float
    failures: list[CaseFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class SuiteResult:
    cases: list[CaseResult] = field(default_factory=list)
    broken: list[Diagnostic] = field(default_factory=list)
    """Problems with test files themselves (exit status 2)."""

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]


def run_tests(paths: list[str], registry: Registry | None = None) -> SuiteResult:
    registry = registry or default_registry()
    suite = SuiteResult()
    files, problems = find_test_files(paths)
    suite.broken.extend(problems)
    if not files and not problems:
        suite.broken.append(diagnostic(
            "E012", "no flow test files (*.test.yaml) found",
            "name test files like alerts.test.yaml", file=" ".join(paths),
        ))
    for path in files:
        file = display_path(path)
        try:
            test_file = load_test_file(path, file)
        except LoadError as exc:
            suite.broken.extend(exc.diagnostics)
            continue
        suite.cases.extend(run_file(test_file, registry, suite.broken))
    return suite


def run_file(
    test_file: FlowTestFile, registry: Registry, broken: list[Diagnostic]
) -> list[CaseResult]:
    project = load_project(test_file.flow_paths())
    if project.diagnostics:
        broken.extend(project.diagnostics)
        return []
    results: list[CaseResult] = []
    for index, case in enumerate(test_file.model.cases):
        line, column = test_file.where("cases", index)
        started = time.perf_counter()
        result = CaseResult(test_file.file, case.name, line, 0.0)
        try:
            result.failures = asyncio.run(_run_case(test_file, index, case, project, registry))
        except CheckError as exc:
            result.failures = [CaseFailure(line, column, Failure(
                "the flow has errors:\n" + "\n".join(str(d) for d in exc.diagnostics)),
                tuple(exc.diagnostics))]
        except _UnknownNode as exc:
            broken.append(exc.diagnostic)
            continue
        except (ConfigError, TimeoutError) as exc:
            result.failures = [CaseFailure(line, column, Failure(f"the flow failed: {exc}"))]
        result.seconds = time.perf_counter() - started
        results.append(result)
    return results


class _UnknownNode(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


async def _run_case(
    test_file: FlowTestFile, index: int, case: Case, project: Project, registry: Registry
) -> list[CaseFailure]:
    env = {k: str(v).lower() if isinstance(v, bool) else str(v)
           for k, v in {**test_file.model.env, **case.env}.items()}
    plan, _ = build_plan(with_env(project, env), registry, env=env)
    selectors: list[str | dict[str, str]] = [
        r if isinstance(r, str) else {"type": r["type"]}
        for r in [*test_file.model.replace, *case.replace]
    ]
    plan, _ = replace_nodes(plan, selectors)
    _check_names(test_file, index, case, set(plan.nodes))
    harness = Harness(plan, env=env)
    for scope, values in case.context.items():
        names = ["global"] if scope == "global" else [f"flow:{f}" for f in plan.flows]
        for name in names:
            for key, value in values.items():
                harness.stores.scope(name).set(key, value)
    await harness.start()
    try:
        for send in case.send:
            if send.to is not None:
                harness.send_at(send.at, [send.to], send.msg)
            else:
                assert send.from_ is not None
                harness.clock.call_later(send.at - harness.elapsed,
                                         _emitter(harness, send.from_, send.msg))
        await harness.run(case.until)
    finally:
        await harness.stop()
    failures: list[CaseFailure] = []
    for i, expect in enumerate(case.expect):
        line, column = test_file.where("cases", index, "expect", i)
        failures.extend(CaseFailure(line, column, f) for f in check(expect, harness.result))
    return failures


def _emitter(harness: Harness, node: str, msg: dict[str, object]) -> Callable[[], None]:
    return lambda: harness.emit(node, msg)


def _check_names(test_file: FlowTestFile, index: int, case: Case, nodes: set[str]) -> None:
    named: list[tuple[str, tuple[str | int, ...]]] = []
    for i, send in enumerate(case.send):
        key = "to" if send.to is not None else "from"
        named.append((send.to or send.from_ or "", ("cases", index, "send", i, key)))
    for i, expect in enumerate(case.expect):
        for key in ("at", "sent"):
            value = getattr(expect, key)
            if value is not None:
                named.append((value, ("cases", index, "expect", i, key)))
        if expect.status is not None:
            named.append((expect.status.node, ("cases", index, "expect", i, "status", "node")))
    for name, path in named:
        if name not in nodes:
            from flowrt.diagnostics import suggest

            line, column = test_file.where(*path)
            raise _UnknownNode(diagnostic(
                "E051", f"no node '{name}' in the flows under test",
                suggest(name, nodes) or "node ids inside subflows are written instance/inner",
                file=test_file.file, line=line, column=column, path=path,
            ))


def default_paths() -> list[str]:
    return [str(Path("flows"))]
