"""A switch node's `regex` rule and a change node's `re` search match what they match in real
Node-RED: the import keeps the JavaScript pattern (``syntax: javascript`` where Python would read
it differently), and each case below is one where Python's reading differs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home

SWITCH_CASES: list[tuple[str, str, bool]] = [
    ("^\\d+$", "12\n", False),          # $ is the very end in JavaScript
    ("^\\d+$", "\u0661\u0662", False),  # \d is ASCII
    ("a.c", "a\rc", False),             # . stops at \r
    ("a.c", "a\u2028c", False),         # and at U+2028
    ("^\\w+$", "caf\u00e9", False),     # \w is ASCII
    ("\\bfoo", "\u00e9foo", False),     # \b is an ASCII boundary
    ("^a{,2}$", "aa", False),           # {,2} is not a quantifier: literal text
    ("^a{,2}$", "a{,2}", False),
    ("^[^]+$", "a\nb", False),          # [^] is any character
    ("^\\x41\\u0042$", "AB", False),
    ("^(?<w>o)\\k<w>$", "oo", False),
    ("^ABC$", "abc", True),             # the rule's "ignore case"
    ("^(a)?\\1b$", "b", False),         # a group that has not matched matches the empty text
]
"""(pattern, payload, ignore case): the payload goes to output 1 on a match, else output 2."""

CHANGE_CASES: list[tuple[str, str, str]] = [
    (".", "x", "a\rb"),
    ("$", "!", "ab\n"),
    ("(\\d)(\\d)", "$2$1", "12ab34"),
    ("\\s+", "-", "a\u00a0\u2003b\tc"),
    ("(?<first>\\w)(\\w*)", "$<first>.", "hello world"),
]
"""(pattern, replacement, payload): every match replaced (Node-RED's change rule is global)."""


def switch_flow(index: int, pattern: str, payload: str, case: bool) -> list[dict[str, Any]]:
    tab = f"s{index}"
    return [
        {"id": tab, "type": "tab", "label": tab},
        {"id": f"{tab}i", "type": "inject", "z": tab, "props": [{"p": "payload"}],
         "payload": payload, "payloadType": "str", "wires": [[f"{tab}w"]]},
        {"id": f"{tab}w", "type": "switch", "z": tab, "property": "payload",
         "propertyType": "msg", "checkall": "true", "outputs": 2,
         "rules": [{"t": "regex", "v": pattern, "vt": "str", "case": case}, {"t": "else"}],
         "wires": [[f"{tab}y"], [f"{tab}n"]]},
        {"id": f"{tab}y", "type": "debug", "z": tab, "wires": []},
        {"id": f"{tab}n", "type": "debug", "z": tab, "wires": []},
    ]


def change_flow(index: int, pattern: str, replacement: str, payload: str) -> list[dict[str, Any]]:
    tab = f"c{index}"
    return [
        {"id": tab, "type": "tab", "label": tab},
        {"id": f"{tab}i", "type": "inject", "z": tab, "props": [{"p": "payload"}],
         "payload": payload, "payloadType": "str", "wires": [[f"{tab}c"]]},
        {"id": f"{tab}c", "type": "change", "z": tab, "wires": [[f"{tab}d"]],
         "rules": [{"t": "change", "p": "payload", "pt": "msg", "from": pattern, "fromt": "re",
                    "to": replacement, "tot": "str"}]},
        {"id": f"{tab}d", "type": "debug", "z": tab, "wires": []},
    ]


def flows() -> dict[str, list[dict[str, Any]]]:
    made = {f"s{i}": switch_flow(i, *case) for i, case in enumerate(SWITCH_CASES)}
    made |= {f"c{i}": change_flow(i, *case) for i, case in enumerate(CHANGE_CASES)}
    return {name: fire_injects(nodes) for name, nodes in made.items()}


def outcomes(received: dict[str, dict[str, list[Any]]]) -> dict[str, Any]:
    """Per case: which output a switch case took ("match"/"no match"), what a change case gave."""
    out: dict[str, Any] = {}
    for i, (pattern, payload, _) in enumerate(SWITCH_CASES):
        got = received[f"s{i}"]
        taken = ["match"] * len(got.get(f"s{i}y", [])) + ["no match"] * len(got.get(f"s{i}n", []))
        out[f"switch {pattern!r} on {payload!r}"] = taken
    for i, (pattern, _, payload) in enumerate(CHANGE_CASES):
        out[f"change {pattern!r} on {payload!r}"] = received[f"c{i}"].get(f"c{i}d", [])
    return out


def test_regex_rules_match_what_they_match_in_node_red(tmp_path: Path) -> None:
    cases = flows()
    ours = outcomes({name: run_flowrt(nodes) for name, nodes in cases.items()})
    theirs = outcomes(run_nodered(cases, nodered_home(), tmp_path, len(cases)))
    differing = {case: {"flowrt": ours[case], "node-red": theirs[case]}
                 for case in theirs if ours[case] != theirs[case]}
    assert differing == {}, json.dumps(differing, indent=1, ensure_ascii=False)
    assert all(len(taken) == 1 for taken in theirs.values()), theirs


def test_the_import_keeps_the_pattern_and_marks_only_those_python_reads_otherwise() -> None:
    nodes = switch_flow(0, "^\\d+$", "1", False) + switch_flow(1, "^abc", "abc", True)
    text = "\n".join(render(f) for f in convert(read_data(nodes), {}, "f.json").flows)
    assert "{regex: ^\\d+$, syntax: javascript}" in text
    assert "{regex: ^abc, ignore_case: true}" in text


def test_a_pattern_javascript_refuses_makes_the_node_unsupported_with_the_reason() -> None:
    conversion = convert(read_data(switch_flow(0, "a(b", "x", False)), {}, "f.json")
    entry = next(e for e in conversion.report.entries if e.nr_id == "s0w")
    assert entry.status == "unsupported"
    assert "a(b" in entry.reason and "not valid JavaScript" in entry.reason
