"""Random bodies of the compiled subset on random messages: compiled and through QuickJS, the
two agree (or the compiled run steps aside and leaves the message as it came); a smaller set
is also run by V8 (Node.js), the engine Node-RED runs, as the oracle."""

from __future__ import annotations

import copy
import json
import math
import subprocess
from typing import Any

import pytest
from flowrt_nodes.function.js_compile import NOT_COMPILED, compile_body
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.nodes.function.test_js_compiled import compared, shown
from tests.nodes.function.v8_oracle import NODE

KEYS = ["a", "b", "c", "d"]
NUMBERS = st.one_of(
    st.integers(-20, 20), st.integers(-(2 ** 53), 2 ** 53),
    st.sampled_from([0.5, -2.5, 1.5, 0.1, 1e21, 1e-7, 123.456, 2.0, 1e300, -0.5]),
    st.floats(allow_nan=True, allow_infinity=True),
)
LEAVES = st.one_of(NUMBERS, st.text(max_size=4), st.booleans(), st.none())
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS + ["e"]), inner,
                                                  max_size=3)), max_leaves=6)
MESSAGES = st.fixed_dictionaries({
    "_msgid": st.just("m1"),
    "payload": st.one_of(st.dictionaries(st.sampled_from(KEYS + ["e"]), VALUES, max_size=5),
                         VALUES),
}, optional={"topic": st.text(max_size=3)})


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "(-Infinity)"
        return f"({value!r})" if value < 0 else repr(value)
    return f"({value})" if value < 0 else str(value)


LITERALS = st.one_of(NUMBERS.filter(lambda v: not (isinstance(v, float) and v == 0
                                                    and math.copysign(1, v) < 0)),
                     st.text(alphabet="ab1 é", max_size=3), st.booleans(), st.none(),
                     st.just("undefined-literal"))
PATHS = st.one_of(
    st.sampled_from(KEYS).map(lambda k: f"msg.payload.{k}"),
    st.sampled_from(KEYS).map(lambda k: f'msg.payload["{k}"]'),
    st.just("msg.topic"), st.just("msg.payload"), st.just("msg.payload.e.a"),
    st.just("msg.nothing"),
)
UNARY = ["-", "+", "!", "typeof "]
BINARY = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "===", "!==", "==", "!=", "&&",
          "||", "??"]
MATH = ["round", "floor", "ceil", "abs", "min", "max", "trunc"]


def _leaf(value: Any) -> str:
    return "undefined" if value == "undefined-literal" else _literal(value)


def expressions(names: list[str]) -> st.SearchStrategy[str]:
    leaves = st.one_of(LITERALS.map(_leaf), PATHS,
                       *([st.sampled_from(names)] if names else []))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.tuples(st.sampled_from(MATH), st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"Math.{t[0]}({', '.join(t[1])})"),
    ), max_leaves=5)


@st.composite
def bodies(draw: st.DrawFn) -> str:
    lines: list[str] = []
    names: list[str] = []
    for i in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["const", "let", "var"]))
        lines.append(f"{kind} v{i} = {draw(expressions(names))};")
        if kind != "const":
            names.append(f"v{i}")
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.one_of(st.sampled_from(KEYS).map(lambda k: f"msg.payload.{k}"),
                                st.just("msg.out"), *([st.sampled_from(names)] if names else [])))
        op = draw(st.sampled_from(["=", "=", "+=", "-=", "*=", "/=", "%="]))
        statement = f"{target} {op} {draw(expressions(names))};"
        if draw(st.booleans()):
            statement = (f"if ({draw(expressions(names))}) {{\n  {statement}\n}} else "
                         f"{{ msg.other = {draw(expressions(names))}; }}")
        lines.append(statement)
    names_out = [f"msg.v{n[1:]} = {n};" for n in names]
    ending = draw(st.sampled_from(["return msg;", "return msg;", "return null;", "",
                                   f"return {draw(expressions(names))} ? msg : null;"]))
    return "\n".join(lines + names_out + [ending])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies(), msg=MESSAGES)
def test_compiled_and_quickjs_agree(body: str, msg: dict[str, Any]) -> None:
    event(compared(body, msg))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies(), msg=MESSAGES, data=st.data())
def test_a_body_cut_anywhere_is_refused_or_agrees(body: str, msg: dict[str, Any],
                                                  data: st.DataObject) -> None:
    """The parser refuses text outside the subset rather than reading it otherwise: a body cut
    at a random place either is refused or, if still valid JavaScript, agrees with QuickJS."""
    cut = body[:data.draw(st.integers(0, len(body)))]
    compiled = compile_body(cut)
    if compiled is None:
        return
    from flowrt_nodes.function.js_engine import syntax_error

    if syntax_error(cut, "body") is not None:
        pytest.fail(f"compiled a body QuickJS refuses: {cut!r}")
    compared(cut, msg)


# V8 -------------------------------------------------------------------------------------------


def _v8(bodies_and_messages: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    program = "const out = [];\n" + "".join(
        f"try {{ const m = JSON.parse({json.dumps(json.dumps(m))});\n"
        f"  const r = (function (msg) {{\n{b}\n}})(m);\n"
        "  out.push(r === m ? ['sent', JSON.stringify(m)] : r == null ? ['none'] : ['other']);\n"
        "} catch (e) { out.push(['error', e.name]); }\n"
        for b, m in bodies_and_messages)
    done = subprocess.run([NODE or "node", "-e", program + "console.log(JSON.stringify(out));"],
                          capture_output=True, text=True, check=True, timeout=60)
    result: list[Any] = json.loads(done.stdout)
    return result


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases=st.lists(st.tuples(bodies(), MESSAGES), min_size=5, max_size=10))
def test_compiled_bodies_agree_with_v8(cases: list[tuple[str, dict[str, Any]]]) -> None:
    """What compiled bodies send is what V8 sends, compared as JSON (V8 reads the message with
    JSON.parse and writes NaN as null: so are they compared; -0 and integers past 2**53,
    which V8 would read otherwise, are left out)."""
    cases = [(b, m) for b, m in cases if _json_safe(m)]
    expected = _v8(cases)
    for (body, msg), seen in zip(cases, expected, strict=True):
        compiled = compile_body(body)
        assert compiled is not None, body
        mine = copy.deepcopy(msg)
        out = compiled.run(mine)
        if out is NOT_COMPILED:
            assert shown(mine) == shown(msg)
            continue
        event("compiled")
        if out is None:
            assert seen == ["none"], (body, msg, seen)
        else:
            assert seen[0] == "sent", (body, msg, seen)
            assert json.loads(seen[1]) == json.loads(json.dumps(_nulled(mine))), (body, msg)


def _json_safe(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value) and not (value == 0 and math.copysign(1, value) < 0)
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= 2 ** 53
    if isinstance(value, dict):
        return all(_json_safe(v) for v in value.values())
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    return True


def _nulled(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _nulled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulled(v) for v in value]
    return value
