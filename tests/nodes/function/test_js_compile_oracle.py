"""V8 (Node.js, the engine Node-RED runs) as the oracle for compiled function bodies: what the
node gives for a body and a message (the body compiled, or QuickJS where the compiled run steps
aside or the body is refused) must be what V8 gives, compared as JSON (V8 reads the message with
``JSON.parse`` and writes it back with ``JSON.stringify``). Edges are listed by hand (numbers
written into strings, ``%`` and ``Math`` on halves, negatives and huge values, ``==``, typeof,
``&& || ??``, 2**53, division by zero, NaN, undefined written, what is returned) and drawn at
random, all of a test's cases in one Node.js process."""

from __future__ import annotations

import copy
import json
import math
import subprocess
from typing import Any

from flowrt_nodes.function.js_compile import NOT_COMPILED, compile_body
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.nodes.function.test_js_compiled import in_quickjs, shown
from tests.nodes.function.v8_oracle import NODE

# Node.js is the oracle (.ci/run installs it): without it these tests fail, they never skip.

Case = tuple[str, dict[str, Any]]


def in_v8(cases: list[Case]) -> list[list[Any]]:
    """Each case run by V8 as a function node's body: ["sent", JSON], ["none"], ["other",
    JSON], ["no message"] (a number, string or boolean returned: Node-RED's node reports it)
    or ["error", name]."""
    program = "const out = [];\n" + "".join(
        f"try {{ const m = JSON.parse({json.dumps(json.dumps(m))});\n"
        f"  const r = new Function('msg', {json.dumps(b)})(m);\n"
        "  out.push(r === m ? ['sent', JSON.stringify(m)] : r == null ? ['none'] :"
        " typeof r !== 'object' ? ['no message'] : ['other', JSON.stringify(r)]);\n"
        "} catch (e) { out.push(['error', e.name]); }\n"
        for b, m in cases)
    done = subprocess.run([NODE or "node", "-"],
                          input=program + "console.log(JSON.stringify(out));",
                          capture_output=True, text=True, check=True, timeout=120)
    result: list[list[Any]] = json.loads(done.stdout)
    return result


def in_node(body: str, msg: dict[str, Any]) -> tuple[list[Any], str]:
    """What the function node gives, in the oracle's form, and how it ran: "compiled",
    "deopt" (the compiled run stepped aside, leaving the message as it came) or "refused"."""
    compiled = compile_body(body)
    how = "refused"
    if compiled is not None:
        mine = copy.deepcopy(msg)
        out = compiled.run(mine)
        if out is not NOT_COMPILED:
            return (["none"] if out is None else ["sent", canon(mine)]), "compiled"
        assert shown(mine) == shown(msg), f"a deoptimised run left writes behind: {body!r}"
        how = "deopt"
    try:
        kind, value = in_quickjs(body, copy.deepcopy(msg))
    except Exception:  # (the engine's own failure: a message it cannot write back)
        return ["error"], how
    if kind == "sent":
        return ["sent", canon(value)], how
    if kind == "other":  # (an object sent gets a _msgid, as Node-RED's send gives it one)
        if isinstance(value, dict) and "_msgid" not in msg.get("payload", {}):
            value = {k: v for k, v in value.items() if k != "_msgid"}
        return ["other", canon(value)], how
    return [kind], how


def canon(value: Any) -> Any:
    """A value as JSON would carry it, comparable across engines: numbers as floats (V8 writes
    the shortest digits of an integer past 2**53), NaN and the infinities as null, objects as
    lists of pairs (their key order counts)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return [[k, canon(v)] for k, v in value.items()]
    if isinstance(value, list):
        return [canon(v) for v in value]
    raise AssertionError(f"not JSON: {value!r}")


def v8_canon(seen: list[Any]) -> list[Any]:
    if seen[0] in ("sent", "other"):
        parsed = json.loads(seen[1]) if seen[1] is not None else None  # (undefined: no JSON)
        if seen[0] == "other" and isinstance(parsed, list) and not sends(parsed[:1]):
            return ["none"]  # an array with no message for the node's one port sends nothing
        return [seen[0], canon(parsed)]
    return seen[:1]


def sends(ports: list[Any]) -> bool:
    """Whether a returned array sends a message on these ports, as Node-RED's sendResults
    reads it: an entry is a message (an object) or an array of them."""
    return any(isinstance(p, dict) or (isinstance(p, list) and any(isinstance(m, dict) for m in p))
               for p in ports)


def agree(cases: list[Case]) -> list[str]:
    """Asserts the node agrees with V8 on every case; how each ran."""
    hows = []
    for (body, msg), seen in zip(cases, in_v8(cases), strict=True):
        mine, how = in_node(body, msg)
        if seen == ["error", "SyntaxError"]:
            assert compile_body(body) is None, (body, "compiled, and V8 refuses it")
            continue
        if seen == ["no message"]:  # (QuickJS's part: the compiled run must step aside)
            assert how != "compiled", (body, msg, mine)
            continue
        assert mine == v8_canon(seen), (body, msg, how, mine, seen)
        hows.append(how)
    return hows


# by hand ----------------------------------------------------------------------------------------

PAYLOAD = {"v": 0.1, "n": -7, "h": 2.5, "m": -2.5, "s": "12", "e": "", "z": 0, "t": True,
           "nul": None, "big": 9007199254740992, "arr": [1, 2], "obj": {"k": 1}}
MSG = {"_msgid": "m1", "payload": PAYLOAD, "topic": "t"}

EXPRESSIONS = [
    # numbers written into strings
    '"v" + 0.1 * 3', '"v" + 1e21', '"v" + 1e20', '"v" + -0', '"v" + (-0)', '"" + 5e-7',
    '"" + 1e-6', '"" + 1e-7', '"" + 0.000001234', '"" + 1 / 3', '"" + -1e-7', '"" + 100 / 3',
    '"" + msg.payload.v * 3', '"x" + msg.payload.big * 3', '"x" + (msg.payload.big + 1)',
    '"x" + (msg.payload.big + 2)', '"x" + msg.payload.big * msg.payload.big',
    '"x" + 123456789012345680000', '"x" + 1.7976931348623157e308', '"x" + 5e-324',
    '"x" + 2e-7 * 3', '1.5 + "x"', 'true + "x"', 'null + "x"', 'undefined + "x"',
    '"x" + NaN', '"x" + -Infinity', '"x" + msg.payload.nul + msg.payload.t',
    # %
    '-7 % 2', '7 % -2', '-7 % -2', '-4 % 2', '1 / (-4 % 2)', '5.5 % 2', '-5.5 % 2', '5 % 0',
    '0 % 5', '5 % Infinity', '-5 % -Infinity', 'Infinity % 5', '1e308 % 3', '0.3 % 0.1',
    'msg.payload.n % 3', 'msg.payload.n % -3', 'msg.payload.v % 0.03', '5 % null',
    'msg.payload.big % 7', '-msg.payload.big % 10', '5 % true', '1e17 % 7', '-1e-300 % 1',
    # Math
    *(f"Math.{f}({x})" for f in ("round", "floor", "ceil", "trunc", "abs")
      for x in ("0.5", "-0.5", "1.5", "-1.5", "2.5", "-2.5", "0.49999999999999994",
                "-0.49999999999999994", "4503599627370495.5", "-4503599627370495.5", "1e300",
                "-1e-300", "NaN", "-Infinity", "null", "true", "undefined", "msg.payload.s",
                "msg.payload.m", "msg.payload.big + 1", "-7.000000000000001")),
    *(f"1 / Math.{f}({x})" for f in ("round", "ceil", "trunc", "floor")
      for x in ("-0.4", "-0.5", "-0", "0.3")),
    'Math.max()', 'Math.min()', 'Math.max(-0, 0)', '1 / Math.max(-0, 0)', '1 / Math.min(0, -0)',
    '1 / Math.min(-0, 0)', 'Math.max(1, NaN, 3)', 'Math.min(null, -1, true)',
    'Math.max(msg.payload.n, msg.payload.h, msg.payload.z)', 'Math.min(1, "2")',
    'Math.round(1.5, msg.nothing.x)', 'Math.PI * 2', '"" + Math.E',
    # == and !=
    'null == undefined', 'null == 0', 'undefined == 0', '"1" == 1', '0 == false', '"" == 0',
    'msg.payload.s == 12', 'msg.payload.nul == undefined', 'msg.payload.obj == msg.payload.obj',
    'msg.payload.arr == msg.payload.arr', 'msg.payload.arr == "1,2"', 'NaN == NaN',
    'NaN != NaN', 'msg.payload.t == 1', 'true == "1"', 'null != false', 'msg.nothing != null',
    'msg.payload.z === -0', 'msg.payload.obj === msg.payload.arr', '"a" != "a"',
    # typeof
    *(f"typeof msg.payload.{k}" for k in PAYLOAD), 'typeof msg.nothing', 'typeof null',
    'typeof NaN', 'typeof typeof 1', 'typeof msg', 'typeof undefined', 'typeof Math.PI',
    # && || ??
    '0 || "a"', '"" || null', 'NaN || 0', 'null ?? 0', 'undefined ?? "d"', '0 ?? 1', '"" ?? 1',
    'false ?? 1', 'msg.payload.obj && 1', 'msg.payload.e && 1', 'msg.nothing ?? msg.payload.v',
    'msg.payload.z || msg.payload.e || "last"', '(msg.payload.nul || 0) ?? 5',
    'msg.payload.arr && msg.payload.v', '!msg.payload.obj', '!msg.payload.e', '!!NaN',
    # past 2**53
    'msg.payload.big + 1', 'msg.payload.big + 2', 'msg.payload.big - -3', '9007199254740993',
    '9007199254740991 + 2', '2e53', '4503599627370496 * 3 + 1', '-msg.payload.big - 3',
    'msg.payload.big * 2', 'msg.payload.big * 1e5 + 1', '1e21 + 1', '1e21 - 1e5',
    '(msg.payload.big + 1) === msg.payload.big', '99999999999999999999 / 3',
    # division, overflow
    '1 / 0', '-1 / 0', '0 / 0', '1 / -0', 'msg.payload.z / 0', '-msg.payload.z',
    '1 / -msg.payload.z', 'msg.payload.n / msg.payload.z', '5 / null', '5 / undefined',
    'null / null', '1e308 * 10', '-1e308 * 10', '1e-320 / 1e10', '1e300 * 1e300',
    '1e308 + 1e308', '5e-324 / 2', '1 / 3 * 3', '1e308 / 1e-308', 'msg.payload.n / 2',
    '7 / 7', '-0 / 5', '0 * -5', '-msg.payload.n * 0',
    # comparisons
    'NaN < 1', 'NaN >= NaN', 'undefined < 1', 'null < 1', 'null >= 0', 'null > -1',
    'true > false', '"a" < "b"', '"B" < "a"', '"é" < "z"', '"10" < "9"', 'msg.payload.s < 13',
    '"\\uffff" < "\\u00ff"', 'msg.payload.obj < 1', 'undefined >= undefined', '-0 < 0',
    # undefined and what is missing
    'undefined', 'msg.nothing', 'msg.payload.nothing', 'msg.nothing.x', 'msg.payload.nul.x',
    'msg.payload.s.length', 'msg.payload.arr.length', 'msg["payload"]["v"]', 'msg.payload',
    'msg', 'msg.payload.obj', 'msg.payload.obj.k', 'msg.payload.e.x', 'msg.payload.z.x',
    # keys that mean something to Python
    'msg.__class__', 'msg["__dict__"]', 'msg.payload.__len__', 'msg.keys', 'msg.get',
    'msg.payload.items', 'typeof msg.__class__', 'msg.__init__ === undefined',
]

BODIES = [
    "return msg.payload;", "return msg.payload.v;", "return 0;", "return;", "return null;",
    "return undefined;", "msg.payload.v = 2;\nreturn null;", "msg.payload.v = 2;",
    "msg.nothing.x = 1;\nreturn msg;", "msg.payload.s.x = 1;\nreturn msg;",
    "msg.payload.v.x = 1;\nreturn msg;", "msg.payload.nul.x = 1;\nreturn msg;",
    "msg.payload.arr.x = 1;\nreturn msg;", "msg.payload.t.x = 1;\nreturn msg;",
    "let m = msg;\nreturn m;", "const p = msg.payload;\nmsg.payload = 5;\np.x = 1;\nreturn msg;",
    "if (msg.payload.s) return msg;\nelse return null;", "if (msg.payload.e) return msg",
    "msg.r = 1\n-1\nreturn msg", "return /*\n*/ msg", "return // c\nmsg", "return\nmsg",
    'msg.r = "a" /* x */ + "b"\nreturn msg', "msg.r = 1\r\nreturn msg", "msg.r = 1\rreturn msg",
    'msg.r = "\\u2028\\x41\\0\\b\\v\\f\\t";\nreturn msg;', "msg.r = '\\'\\\"\\\\';\nreturn msg",
    "msg.if = 1;\nmsg.class = msg.payload.v;\nmsg.null = msg.if;\nreturn msg;",
    "msg.payload.v += 1;\nmsg.payload.s += 1;\nreturn msg;",
    "msg.payload.v -= msg.payload.s;\nreturn msg;",
    "msg.payload.new += 1;\nreturn msg;", "msg.payload.new2 ??= 1;\nreturn msg;",
    "msg.r = undefined;\nreturn msg;", "msg.payload.v = undefined;\nreturn msg;",
    "msg.payload.v = msg.nothing;\nreturn msg;", "msg.r = msg.payload.obj;\nreturn msg;",
    "msg.r = -0;\nreturn msg;", "msg.r = 0 * -1;\nreturn msg;",
    "msg.payload.h = msg.payload.h;\nreturn msg;",
    "let x;\nmsg.r = typeof x;\nreturn msg;",
    "let x = 1;\nif (x) { let y = x + 1; msg.r = y; }\nreturn msg;",
    "var a = msg.payload.n\nvar b = a % 4\nmsg.r = [a, b]\nreturn msg",
    "msg.r = msg.payload.h > 2 ? 'hi' : msg.payload.h < 0 ? 'neg' : 'lo';\nreturn msg;",
    "msg.payload.z /= 0;\nmsg.payload.n %= 0;\nreturn msg;", "msg.payload.n *= -0;\nreturn msg;",
    "msg.payload = msg.payload.v * 3;\nreturn msg;",
    "msg.payload.obj.k = msg.payload.obj.k + 1;\nreturn msg;",
    "msg.a = 1;\nmsg.b = 2;\nmsg.a = 3;\nreturn msg;",
    "msg.topic = msg.topic + 1;\nmsg.topic = undefined;\nreturn msg;",
    "msg.r = 1 <!-- 2\nreturn msg", "msg.r = 1\n--> 2\nreturn msg",
    "msg.r = 2\n/ 2 / 1\nreturn msg", "let s = msg.topic\nmsg.r = s\n+1\nreturn msg",
]


def test_hand_picked_edges_agree_with_v8() -> None:
    cases = [(f"msg.r = {e};\nreturn msg;", MSG) for e in EXPRESSIONS]
    cases += [(b, MSG) for b in BODIES]
    hows = agree(cases)
    assert hows.count("compiled") > len(cases) // 3  # (the subset is exercised, not only QuickJS)


# at random ----------------------------------------------------------------------------------------

EDGE_NUMBERS = [0, 1, -1, 2, -7, 3, 0.5, -0.5, 1.5, -2.5, 2.5, 0.1, 0.2, 0.3, 1e21, 1e20, 5e-7,
                1e-6, 1e-7, 123.456, 1e300, -1e308, 9007199254740992, -9007199254740991,
                4503599627370495.5, 0.49999999999999994, 1.7976931348623157e308, 5e-324, 1e16]
NUMBERS = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(-100, 100),
                    st.floats(allow_nan=False, allow_infinity=False).filter(
                        lambda f: not (f == 0 and math.copysign(1, f) < 0)))
LEAVES = st.one_of(NUMBERS, st.sampled_from(["", "12", "a", "0", " ", "é", "1e3"]),
                   st.booleans(), st.none())
KEYS = ["a", "b", "c"]
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=2), st.dictionaries(st.sampled_from(KEYS), inner, max_size=2)),
    max_leaves=4)
MESSAGES = st.builds(lambda p, t: {"_msgid": "m1", "payload": p, "topic": t},
                     st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=3), LEAVES)


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    text = json.dumps(value)
    return f"({text})" if text.startswith("-") else text


OPERANDS = st.one_of(
    NUMBERS.map(_literal), st.sampled_from(["NaN", "Infinity", "-0", "undefined", "null", "true",
                                            "false", '""', '"5"', '"x"', "Math.PI"]),
    st.sampled_from([f"msg.payload.{k}" for k in KEYS] + ["msg.topic", "msg.payload",
                                                           "msg.nothing", "msg.payload.a.b"]),
)
BINARY = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "===", "!==", "==", "!=", "&&", "||",
          "??"]
EXPRS = st.recursive(OPERANDS, lambda inner: st.one_of(
    st.tuples(st.sampled_from(["-", "+", "!", "typeof "]), inner).map(lambda t: f"({t[0]} {t[1]})"),
    st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
    st.tuples(st.sampled_from(["round", "floor", "ceil", "trunc", "abs", "min", "max"]),
              st.lists(inner, max_size=3)).map(lambda t: f"Math.{t[0]}({', '.join(t[1])})"),
), max_leaves=4)


@st.composite
def bodies(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from([f"msg.payload.{k}" for k in KEYS] + ["msg.r", "msg.topic"]))
        op = draw(st.sampled_from(["=", "=", "+=", "-=", "*=", "/=", "%="]))
        line = f"{target} {op} {draw(EXPRS)};"
        if draw(st.booleans()):
            line = f"if ({draw(EXPRS)}) {line}\nelse msg.other = {draw(EXPRS)};"
        lines.append(line)
    ending = draw(st.sampled_from(["return msg;", "return msg;", "return msg;", "return null;",
                                   "", f"return {draw(EXPRS)};",
                                   f"return {draw(EXPRS)} ? msg : null;"]))
    return "\n".join([*lines, ending])


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases=st.lists(st.tuples(bodies(), MESSAGES), min_size=25, max_size=25))
def test_random_bodies_agree_with_v8(cases: list[Case]) -> None:
    for how in agree(cases):
        event(how)
