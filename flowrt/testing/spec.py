"""Flow test files: what a `*.test.yaml` holds, read with positions for every diagnostic.

```yaml
flowrt-test: 1
flows: [alerts.yaml]           # relative to this file; default: alerts.yaml for alerts.test.yaml
replace: [readings, {type: mqtt-out}]   # node ids or {type: ...}: replaced by test doubles
env: {THRESHOLD: "30"}         # for every case; a case's env comes on top
cases:
  - name: a hot reading raises an alert
    replace: [check-timer]     # more doubles for this case only
    context: {flow: {last: 20}, global: {}}
    send:
      - from: readings         # out of a (replaced) source
        msg: {payload: {celsius: 35}}
      - to: check              # into a node's input
        at: 60                 # simulated seconds from the start (default 0)
        msg: {payload: {celsius: 10}}
    until: 600                 # simulated seconds to run (default: until idle)
    expect:
      - at: alert              # what arrived at node `alert` (or `sent: NODE` + `port: N`)
        count: 1
        messages: [{payload: {celsius: 35}}]   # exact, in order (_msgid is ignored)
        contains: [{payload: {celsius: 35}}]   # each a subset of the message at its place
        jsonata: "payload.celsius > 30"        # true for every message
        jsonpath: {"$.payload.celsius": 35}    # the value at each path, for every message
        schema: {type: object, required: [payload]}
        any_order: false
      - errors: 0              # or a list of {node, message}: errors raised (message: a part)
      - status: {node: check, text: "ok"}      # the node's last status (text: a part)
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.errors import LoadError
from flowrt.load.document import locate
from flowrt.load.yaml_io import MAX_BYTES, parse, read_text, to_plain

TEST_SUFFIXES = (".test.yaml", ".test.yml", ".test.json")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Send(_Strict):
    to: str | None = Field(None, description="A node whose input receives the message.")
    from_: str | None = Field(None, alias="from", description="A node the message leaves.")
    at: float = Field(0.0, ge=0, description="Simulated seconds from the start.")
    msg: dict[str, Any] = Field(description="The message.")

    @model_validator(mode="after")
    def _one_end(self) -> Send:
        if (self.to is None) == (self.from_ is None):
            raise ValueError("give exactly one of `to` (a node's input) or `from` (its output)")
        return self


class ErrorExpectation(_Strict):
    node: str | None = None
    message: str | None = None


class StatusExpectation(_Strict):
    node: str
    text: str | None = None
    fill: str | None = None
    shape: str | None = None


class Expect(_Strict):
    at: str | None = Field(None, description="Check what arrived at this node's input.")
    sent: str | None = Field(None, description="Check what this node sent (on `port`).")
    port: int = Field(0, ge=0)
    count: int | None = Field(None, ge=0)
    messages: list[dict[str, Any]] | None = None
    contains: list[dict[str, Any]] | None = None
    jsonata: str | None = None
    jsonpath: dict[str, Any] | None = None
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    any_order: bool = False
    errors: int | list[ErrorExpectation] | None = None
    status: StatusExpectation | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> Expect:
        subjects = [k for k in ("at", "sent", "errors", "status") if getattr(self, k) is not None]
        if len(subjects) != 1:
            raise ValueError("an expectation checks one thing: `at`, `sent`, `errors` or `status`")
        checks = ("count", "messages", "contains", "jsonata", "jsonpath", "schema_")
        if (self.at or self.sent) and all(getattr(self, c) is None for c in checks):
            raise ValueError(
                "say what to expect: count, messages, contains, jsonata, jsonpath or schema"
            )
        return self


class Case(_Strict):
    name: str
    replace: list[str | dict[Literal["type"], str]] = []
    env: dict[str, str | int | float | bool] = {}
    context: dict[Literal["flow", "global"], dict[str, Any]] = {}
    send: list[Send] = []
    until: float | None = Field(None, gt=0)
    expect: list[Expect] = Field(min_length=1)


class FlowTestModel(_Strict):
    flowrt_test: Literal[1] = Field(alias="flowrt-test")
    flows: list[str] | None = None
    replace: list[str | dict[Literal["type"], str]] = []
    env: dict[str, str | int | float | bool] = {}
    cases: list[Case] = Field(min_length=1)


def build_test_schema() -> dict[str, Any]:
    """The JSON Schema of flow test files, from the models above: ``schemas/test.schema.json``,
    which ``flowrt schema --tests`` prints, for a YAML language server."""
    from flowrt.registry.catalog import SCHEMA_DIALECT
    from flowrt.registry.published import type_lists

    schema: dict[str, Any] = type_lists(FlowTestModel.model_json_schema(by_alias=True))
    schema.pop("title", None)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "flowrt flow test file",
        "description": "Test cases for flows (*.test.yaml): replaced nodes, messages sent, "
        "what is expected (see docs/testing.md).",
        **schema,
    }


class FlowTestFile:
    """A loaded test file: the model, and where each of its parts is written."""

    def __init__(self, path: Path, file: str, data: Any, model: FlowTestModel) -> None:
        self.path = path
        self.file = file
        self.data = data
        self.model = model

    def flow_paths(self) -> list[Path]:
        if self.model.flows is not None:
            return [self.path.parent / f for f in self.model.flows]
        stem = self.path.name.split(".test.")[0]
        return [self.path.parent / f"{stem}{self.path.suffix}"]

    def where(self, *path: str | int) -> tuple[int, int]:
        span = locate(self.file, self.data, path)
        return span.line, span.column


def load_test_file(path: Path, file: str) -> FlowTestFile:
    """Read and check a test file; raises LoadError with diagnostics at file:line:col."""
    text = read_text(path, file, MAX_BYTES)
    data = parse(text, file)
    try:
        model = FlowTestModel.model_validate(to_plain(data))
    except ValidationError as exc:
        raise LoadError([_diagnostic(file, data, err) for err in exc.errors()]) from exc
    return FlowTestFile(path, file, data, model)


def _diagnostic(file: str, data: Any, err: Any) -> Diagnostic:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p[:1].isupper()))
    loc = tuple("from" if p == "from_" else "schema" if p == "schema_" else p for p in loc)
    span = locate(file, data, [p for p in loc if isinstance(p, str | int)])
    where = ".".join(str(p) for p in loc) or "the file"
    return diagnostic(
        "E050",
        f"{where}: {err['msg']}",
        "see `flowrt test --help` and docs/testing.md for the test file format",
        file=file,
        line=span.line,
        column=span.column,
        path=loc,
    )


def is_test_file(path: Path) -> bool:
    return path.name.endswith(TEST_SUFFIXES)


def find_test_files(paths: list[str]) -> tuple[list[Path], list[Diagnostic]]:
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*") if is_test_file(q)
                                and not any(part.startswith(".") for part in q.parts)))
        elif p.is_file():
            found.append(p)
        else:
            problems.append(diagnostic("E003", "no such file or directory", "check the path",
                                       file=raw))
    return found, problems
