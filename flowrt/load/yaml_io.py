"""Read flow files safely into ruamel round-trip data, and write them back keeping comments.

Reading is guarded so that any input gives a diagnostic in bounded time and memory: files over
``MAX_BYTES``, binary files, non-UTF-8 bytes, YAML syntax errors, duplicate keys, nesting deeper
than ``MAX_DEPTH`` and aliases expanding a file past ``ALIAS_RATIO`` times the values it holds
plus ``ALIAS_VALUES`` ("billion laughs").
JSON files are parsed by the json module first, for JSON's own error messages, then by ruamel for
positions (JSON is YAML 1.2).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from flowrt.diagnostics import diagnostic
from flowrt.errors import LoadError

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 2_000_000
ALIAS_VALUES = 10_000
ALIAS_RATIO = 10
"""Aliases may expand a file to ``ALIAS_RATIO`` times the values written in it plus
``ALIAS_VALUES``: room for shared blocks of configuration, none for an alias bomb (300 bytes
expanding to a million values). Reading then costs in proportion to the file's size."""


NO_WRAP = 1 << 30
"""The emitter's line width: never reached, so no line is wrapped."""


class _Composer(Composer):
    """ruamel's composer, without its warning when an anchor name is used again: YAML allows it
    (an alias refers to the latest anchor of that name), and a warning is not a diagnostic."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.warn_double_anchors = False


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Composer = _Composer
    yaml.preserve_quotes = True
    # No line is ever wrapped: where ruamel breaks a long line differs from one version to the
    # next (and it may leave a space at the end of the broken line), so formatted text would
    # not be stable. A long value reads best as a block mapping or a block scalar (| or >-).
    yaml.width = NO_WRAP
    yaml.indent(mapping=2, sequence=4, offset=2)
    # [{a: 1}] stays a list of one mapping; ruamel would write [a: 1], which some readers
    # take for something else
    yaml.brace_single_entry_mapping_in_flow_sequence = True
    return yaml


def fail(
    code: str, message: str, hint: str, file: str, line: int = 0, column: int = 0
) -> LoadError:
    return LoadError([diagnostic(code, message, hint, file=file, line=line, column=column)])


def read_text(path: Path, file: str, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, or a LoadError saying why it cannot be a flow file."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise fail(
                "E007",
                f"file is {size / 1048576:.1f} MiB; flow files are limited to "
                f"{max_bytes / 1048576:.0f} MiB",
                "split the flow into several files in one directory",
                file,
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(
            "E003", f"cannot read the file: {exc.strerror or exc}", "check the path", file
        ) from exc
    if not raw.strip():
        raise fail(
            "E006", "file is empty", "a flow file starts with 'flowrt: 1' and 'nodes:'", file
        )
    if b"\x00" in raw[:8192]:
        raise fail(
            "E005", "file is binary, not YAML or JSON text", "pass a .yaml or .json flow file", file
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise fail(
            "E004",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            "save the file as UTF-8",
            file,
            line,
            column,
        ) from exc
    return text.removeprefix("\ufeff")


def _json_error(text: str, file: str) -> LoadError | None:
    """JSON's own syntax error with its position; duplicate keys are left to ruamel."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return fail(
            "E001",
            f"JSON syntax error: {exc.msg}",
            "fix the JSON syntax",
            file,
            exc.lineno,
            exc.colno,
        )
    except RecursionError:
        return fail(
            "E008", f"nesting is deeper than {MAX_DEPTH} levels", "flatten the data", file, 1, 1
        )
    return None


_FLOW_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'|#[^\n]*|[\[\]{}]')


def check_bracket_depth(text: str, file: str) -> None:
    """Reject deeply nested [ and { before parsing: ruamel's scanner is slow on them."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for match in _FLOW_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                raise fail(
                    "E008",
                    f"nesting is deeper than {MAX_DEPTH} levels",
                    "flatten the data; a flow file rarely needs more than a few levels",
                    file,
                    line,
                    column,
                )
        elif token in "]}":
            depth = max(0, depth - 1)


_YAML_DIRECTIVE = re.compile(r"^%YAML[ \t]+(\d+)\.(\d+)(?=\s|$)", re.MULTILINE)


def check_yaml_version(text: str, file: str) -> None:
    """Refuse a `%YAML` directive for a version ruamel cannot read: it would fail inside ruamel
    (an assert or a KeyError) rather than report a syntax error."""
    for match in _YAML_DIRECTIVE.finditer(text):
        if (match[1], match[2]) not in {("1", "1"), ("1", "2")}:
            raise fail(
                "E001",
                f"YAML syntax error: YAML version {match[1]}.{match[2]} is not supported",
                "write `%YAML 1.2`, or leave the directive out",
                file,
                text.count("\n", 0, match.start()) + 1,
                1,
            )


def parse(text: str, file: str) -> Any:
    """Round-trip data for the text, or a LoadError with the position of the problem."""
    check_bracket_depth(text, file)
    check_yaml_version(text, file)
    is_json = file.endswith(".json")
    if is_json:
        err = _json_error(text, file)
        if err:
            raise err
        text = text.replace("\t", " ")
    try:
        data = _yaml().load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = (exc.problem or "").split('"')[1] if '"' in (exc.problem or "") else ""
        raise fail(
            "E002",
            f"key {key!r} appears twice in the same mapping" if key else "duplicate key",
            "remove or rename one of them (a later value would silently replace the earlier)",
            file,
            (mark.line + 1) if mark else 0,
            (mark.column + 1) if mark else 0,
        ) from exc
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "syntax error"
        raise fail(
            "E001",
            f"{'JSON' if is_json else 'YAML'} syntax error: {problem}",
            "fix the syntax at this position (check indentation, quotes and brackets)",
            file,
            (mark.line + 1) if mark else 0,
            (mark.column + 1) if mark else 0,
        ) from exc
    except RecursionError as exc:
        raise fail(
            "E008", f"nesting is deeper than {MAX_DEPTH} levels", "flatten the data", file, 1, 1
        ) from exc
    except (YAMLError, AssertionError) as exc:  # ruamel checks some input with assert
        raise fail("E001", f"YAML error: {exc}", "fix the syntax", file) from exc
    except (IndexError, KeyError, ValueError, TypeError) as exc:
        # ruamel trips on a few odd scalars itself (`+_` read as a YAML 1.1 integer)
        raise fail("E001", f"YAML error: a value cannot be read ({type(exc).__name__}: {exc})",
                   "fix the syntax (quote odd scalars such as `+_`)", file) from exc
    check_shape(data, file)
    return data


def check_shape(data: Any, file: str) -> None:
    """Reject nesting deeper than MAX_DEPTH, and aliases that expand the file past
    ``ALIAS_RATIO`` times the values written in it plus ``ALIAS_VALUES`` (or MAX_VALUES).

    The composer shares an anchor's node between its aliases, so counting with a memo costs
    the values written, not the values an alias bomb would expand to."""
    if not isinstance(data, dict | list):
        return  # a scalar or nothing: the document's shape is checked later
    written = _written(data)
    allowed = min(MAX_VALUES, ALIAS_VALUES + ALIAS_RATIO * written)
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, int, list[Any], bool]] = [(data, 1, [], False)]
    while stack:
        node, depth, path, leaving = stack.pop()
        key = id(node)
        if leaving:
            children = node.values() if isinstance(node, dict) else node
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            open_.discard(key)
            sizes[key] = total
            if total > allowed:
                raise _too_many(data, path, file, written)
            continue
        if key in sizes:
            continue
        if key in open_:
            raise _too_many(data, path, file, written)  # an alias inside itself never ends
        if depth > MAX_DEPTH:
            raise fail(
                "E008",
                f"nesting is deeper than {MAX_DEPTH} levels",
                "flatten the data; a flow file rarely needs more than a few levels",
                file,
                *_position(data, path),
            )
        open_.add(key)
        stack.append((node, depth, path, True))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, child in items:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1, [*path, k], False))


def _written(data: Any) -> int:
    """The values of ``data`` counting each mapping and sequence once, however many aliases
    point at it (what the file holds, as opposed to what the aliases expand it to)."""
    seen: set[int] = set()
    count = 0
    stack = [data]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children = node.values() if isinstance(node, dict) else node
        count += 1
        for child in children:
            if isinstance(child, dict | list):
                stack.append(child)
            else:
                count += 1
    return count


def _too_many(data: Any, path: list[Any], file: str, written: int) -> LoadError:
    return fail(
        "E009",
        f"YAML aliases here expand the file past {ALIAS_VALUES + ALIAS_RATIO * written:,} "
        f"values ({ALIAS_RATIO} times the {written:,} it holds, plus {ALIAS_VALUES:,})",
        "use fewer or smaller aliases (*name): each one repeats everything its anchor (&name) "
        "holds, and a flow file does not need them nested",
        file,
        *_position(data, path),
    )


def _position(data: Any, path: list[Any]) -> tuple[int, int]:
    from flowrt.load.document import locate

    span = locate("", data, path)
    return span.line, span.column


def to_plain(value: Any) -> Any:
    """Round-trip data as plain dicts, lists, str, int, float, bool and None."""
    if isinstance(value, dict):
        return {_plain_key(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _plain_key(key: Any) -> Any:
    if isinstance(key, bool) or key is None:
        return str(key).lower() if key is not None else "null"
    if isinstance(key, int):
        return int(key)  # ruamel's ScalarInt becomes a plain int
    return str(key)


def dump(data: Any) -> str:
    """Write round-trip data back as YAML, keeping comments and key order."""
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def is_mapping(value: Any) -> bool:
    return isinstance(value, CommentedMap | dict)


def is_sequence(value: Any) -> bool:
    return isinstance(value, CommentedSeq | list)
