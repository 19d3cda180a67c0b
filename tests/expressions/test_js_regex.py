"""JSONata's regular expressions are JavaScript's: the cases of jsonata_cases.py give what Node-RED
gives (tests/nodered/test_same_behaviour_jsonata.py runs them in Node-RED too), every JSONata
parse goes through the translation, and a pattern JavaScript refuses is a ValueError."""

from __future__ import annotations

from typing import Any

import pytest
from jsonata.regex_engine import RegexFlags  # type: ignore[import-untyped]

from flowrt.errors import NodeError
from flowrt.expressions.js_regex import translate
from flowrt.expressions.jsonata import compile_expression, compile_jsonata
from flowrt.expressions.jsonata_regex import regex_engine
from tests.expressions.jsonata_cases import FAILS, REGEX_CASES, TOPIC
from tests.expressions.test_typed_value import Stores


@pytest.mark.parametrize(("expression", "payload", "expected"), REGEX_CASES,
                         ids=[c[0] for c in REGEX_CASES])
def test_regex_gives_what_node_red_gives(expression: str, payload: Any, expected: Any) -> None:
    ctx: Any = Stores()
    run = compile_expression(expression, ctx)
    if expected == FAILS:
        with pytest.raises(NodeError):
            run({"payload": payload, "topic": TOPIC}, None)
    else:
        assert run({"payload": payload, "topic": TOPIC}, None) == expected


@pytest.mark.parametrize(
    ("pattern", "multiline", "text", "found"),
    [
        ("(?<=sensors\\/[0-9]+\\/)\\w+", False, "sensors/12/temp_c", "temp_c"),
        ("b$", False, "ab\n", None),
        ("b$", True, "ab\ncd", "b"),
        ("\\d", False, "\u0661", None),
        ("\\s", False, "\u0085", None),
        ("\\s", False, "\ufeff", "\ufeff"),
        ("a.c", False, "a\rc", None),
        ("[^]", False, "\n", "\n"),
        ("[]", False, "a", None),
        ("\\cJ", False, "\n", "\n"),
        ("\\u00e9\\x41", False, "\u00e9A", "\u00e9A"),
        ("\\u{2}", False, "uu", "uu"),
        ("a{", False, "a{", "a{"),
        ("a{1,x}", False, "a{1,x}", "a{1,x}"),
        ("(a)?\\1b", False, "b", "b"),
        ("\\2(a)", False, "\x02a", "\x02a"),
        ("(?<y>a)\\k<y>", False, "aa", "aa"),
        ("\\k", False, "k", "k"),
        ("[\\s\\S]", False, "\n", "\n"),
        ("[^\\D]", False, "x7", "7"),
        ("\\bb", False, "\u00e9b", "b"),
    ],
)
def test_translation_matches_as_javascript(
    pattern: str, multiline: bool, text: str, found: str | None
) -> None:
    import regex  # type: ignore[import-untyped]

    match = regex.search(translate(pattern, multiline), text)
    assert (match.group() if match else None) == found


@pytest.mark.parametrize("pattern", ["(?i)a", "a)", "(a", "(?<a$b>x)", "[b-a]", "a{2,1}",
                                     "[a", "\\", "(?<n>a)\\k<m>"])
def test_a_pattern_javascript_refuses_is_a_value_error(pattern: str) -> None:
    with pytest.raises(ValueError):
        translate(pattern)
    with pytest.raises(ValueError, match="invalid JSONata expression"):
        compile_jsonata(f"$match(payload, /{pattern}/)")


@pytest.mark.parametrize("expression", ["$x(/", "/*", "payload /* open", "$match(p, /a"])
def test_a_text_the_parser_trips_on_is_a_value_error(expression: str) -> None:
    with pytest.raises(ValueError, match="invalid JSONata expression"):
        compile_jsonata(expression)


def test_every_parse_compiles_regexes_as_javascript_ones() -> None:
    expr = compile_jsonata("$split(payload, /a$/)")
    assert expr.regex_engine is regex_engine
    # $eval parses its text with the same engine: Python's $ would match before the newline
    assert compile_jsonata("$eval('$contains(payload, /b$/)')").evaluate({"payload": "ab\n"}) \
        is False


def test_a_zero_length_match_after_the_first_is_jsonata_error_d1004() -> None:
    pattern = regex_engine("x*", RegexFlags())
    assert [m.group() for m in pattern.finditer("x")] == ["x"]
    with pytest.raises(Exception, match="zero length"):
        list(pattern.finditer("ab"))
    assert regex_engine("(,)", RegexFlags()).split("a,b") == ["a", "b"]
