"""Checking a case's expectations against what the flow did; failures carry a readable diff."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from flowrt.expressions.jsonata import compile_jsonata
from flowrt.testing.harness import FlowResult
from flowrt.testing.spec import Expect


@dataclass(frozen=True)
class Failure:
    message: str
    diff: str = ""


def _shown(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=repr)


def diff(expected: Any, actual: Any) -> str:
    lines = difflib.unified_diff(
        _shown(expected).splitlines(), _shown(actual).splitlines(), "expected", "actual",
        lineterm="",
    )
    return "\n".join(lines)


def _without_ids(msg: dict[str, Any], keep: dict[str, Any] | None = None) -> dict[str, Any]:
    drop = {"_msgid"} - set(keep or {})
    return {k: v for k, v in msg.items() if k not in drop}


def is_subset(expected: Any, actual: Any) -> bool:
    """Every key of ``expected`` is in ``actual`` with a matching value (lists: same length)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and is_subset(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(is_subset(e, a) for e, a in zip(expected, actual, strict=True)))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual  # true is not 1
    return bool(expected == actual)


def check(expect: Expect, result: FlowResult) -> list[Failure]:
    if expect.errors is not None:
        return _errors(expect, result)
    if expect.status is not None:
        return _status(expect, result)
    if expect.at is not None:
        subject, got = f"arrived at '{expect.at}'", result.received(expect.at)
    else:
        assert expect.sent is not None
        subject = f"'{expect.sent}' sent on port {expect.port}"
        got = result.sent(expect.sent, expect.port)
    failures: list[Failure] = []
    if expect.count is not None and len(got) != expect.count:
        failures.append(Failure(f"expected {expect.count} message(s) {subject}; got {len(got)}",
                                diff(expect.count, [_without_ids(m) for m in got])))
    if expect.messages is not None:
        actual = [_without_ids(m, e) for m, e in zip(got, expect.messages, strict=False)]
        actual += [_without_ids(m) for m in got[len(expect.messages):]]
        if not _same(expect.messages, actual, expect.any_order):
            failures.append(Failure(f"the messages {subject} differ from those expected",
                                    diff(expect.messages, actual)))
    if expect.contains is not None:
        failures.extend(_contains(expect, got, subject))
    for check_each in (_jsonata, _jsonpath, _schema):
        failures.extend(check_each(expect, got, subject))
    return failures


def _same(expected: list[Any], actual: list[Any], any_order: bool) -> bool:
    if not any_order:
        return expected == actual
    key = lambda m: json.dumps(m, sort_keys=True, default=repr)  # noqa: E731
    return sorted(map(key, expected)) == sorted(map(key, actual))


def _contains(expect: Expect, got: list[Any], subject: str) -> list[Failure]:
    assert expect.contains is not None
    wanted = expect.contains
    if expect.any_order:
        missing = [w for w in wanted if not any(is_subset(w, m) for m in got)]
    else:
        missing = [w for w, m in zip(wanted, got, strict=False) if not is_subset(w, m)]
        missing += wanted[len(got):]
    if not missing:
        return []
    return [Failure(f"{len(missing)} expected message part(s) not found in what {subject}",
                    diff(wanted, [_without_ids(m) for m in got]))]


def _jsonata(expect: Expect, got: list[Any], subject: str) -> list[Failure]:
    if expect.jsonata is None:
        return []
    expression = compile_jsonata(expect.jsonata)
    for i, msg in enumerate(got):
        if expression.evaluate(msg) is not True:
            return [Failure(f"message {i} {subject} does not satisfy `{expect.jsonata}`",
                            _shown(_without_ids(msg)))]
    return []


def _jsonpath(expect: Expect, got: list[Any], subject: str) -> list[Failure]:
    if not expect.jsonpath:
        return []
    from jsonpath_ng.ext.parser import parse as parse_path

    for path, wanted in expect.jsonpath.items():
        finder = parse_path(path)
        for i, msg in enumerate(got):
            values = [match.value for match in finder.find(msg)]
            value = values[0] if len(values) == 1 else values
            if value != wanted:
                return [Failure(f"message {i} {subject}: {path} is {_brief(value)}, expected "
                                f"{_brief(wanted)}", diff(wanted, value))]
    return []


def _schema(expect: Expect, got: list[Any], subject: str) -> list[Failure]:
    if expect.schema_ is None:
        return []
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(expect.schema_)
    for i, msg in enumerate(got):
        error = next(iter(validator.iter_errors(msg)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the message"
            return [Failure(f"message {i} {subject} does not match the schema at {where}: "
                            f"{error.message}", _shown(_without_ids(msg)))]
    return []


def _errors(expect: Expect, result: FlowResult) -> list[Failure]:
    raised = [{"node": e.node, "message": e.message} for e in result.errors]
    if isinstance(expect.errors, int):
        if len(raised) != expect.errors:
            return [Failure(f"expected {expect.errors} error(s); {len(raised)} were raised",
                            diff([], raised) if expect.errors == 0 else _shown(raised))]
        return []
    assert expect.errors is not None
    missing = [
        w.model_dump(exclude_none=True)
        for w in expect.errors
        if not any((w.node is None or w.node == r["node"])
                   and (w.message is None or w.message in r["message"]) for r in raised)
    ]
    if missing:
        return [Failure(f"{len(missing)} expected error(s) were not raised", diff(missing, raised))]
    return []


def _status(expect: Expect, result: FlowResult) -> list[Failure]:
    assert expect.status is not None
    want = expect.status
    last = [s for node, s in result.statuses if node == want.node]
    if not last:
        return [Failure(f"node '{want.node}' set no status")]
    status = last[-1]
    ok = (
        (want.text is None or want.text in str(status.get("text", "")))
        and (want.fill is None or want.fill == status.get("fill"))
        and (want.shape is None or want.shape == status.get("shape"))
    )
    if ok:
        return []
    return [Failure(f"the last status of '{want.node}' differs",
                    diff(want.model_dump(exclude_none=True, exclude={"node"}), status))]


def _brief(value: Any) -> str:
    text = json.dumps(value, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."
