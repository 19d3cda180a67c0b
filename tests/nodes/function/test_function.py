"""The function node: Node-RED's JavaScript run by QuickJS, through the real engine."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow
from tests.nodes.function.jsflow import bare, function_flow


@pytest.mark.parametrize(
    ("func", "outputs", "expected"),
    [
        ("msg.payload += 1;\nreturn msg;", 1, [[{"payload": 2}]]),
        ("return null;", 1, [[]]),
        ("msg.payload = 5;", 1, [[]]),
        ("return undefined;", 1, [[]]),
        ("return {payload: 'new'};", 1, [[{"payload": "new"}]]),
        ("return [null, msg];", 2, [[], [{"payload": 1}]]),
        ("return [msg, msg];", 2, [[{"payload": 1}], [{"payload": 1}]]),
        (
            "return [[{payload: 'a'}, {payload: 'b'}], {payload: 'c'}];",
            2,
            [[{"payload": "a"}, {"payload": "b"}], [{"payload": "c"}]],
        ),
        ("return [[], null, [null, msg]];", 3, [[], [], [{"payload": 1}]]),
        ("return [msg, {payload: 'extra'}];", 1, [[{"payload": 1}]]),
        ("return msg;", 0, []),
        ("", 1, [[]]),  # an empty body, as Node-RED runs it: returns undefined, sends nothing
        (" \n// nothing\n", 1, [[]]),
    ],
)
def test_what_the_code_returns_goes_to_the_ports(
    func: str, outputs: int, expected: list[list[dict[str, Any]]]
) -> None:
    result = run_flow(function_flow(func, outputs=outputs), inputs=[{"payload": 1}])
    assert result.errors == []
    for port, messages in enumerate(expected):
        assert bare(result.sent("f", port)) == messages
    assert sum(len(result.sent("f", p)) for p in range(max(outputs, 1))) == sum(
        len(m) for m in expected
    )


def test_multiple_outputs_are_wired_to_other_nodes() -> None:
    func = """
    if (msg.payload > 10) return [null, null, msg];
    if (msg.payload > 5) return [null, msg, null];
    return [msg, null, null];
    """
    flow = function_flow(func, outputs=3, to="{0: low, 2: high}", extra="""
        low: {type: debug}
        high: {type: debug}
    """)
    result = run_flow(flow, inputs=[{"payload": p} for p in (1, 7, 12, 3)], into="f")
    assert [m["payload"] for m in result.received("low")] == [1, 3]
    assert [m["payload"] for m in result.received("high")] == [12]
    assert [m["payload"] for m in result.sent("f", 1)] == [7]


def test_every_message_sent_keeps_the_msgid_of_the_message_handled() -> None:
    func = """
    node.send({payload: 'early'});
    return [[{payload: 1, _msgid: 'other'}, {payload: 2}]];
    """
    result = run_flow(function_flow(func), inputs=[{"payload": None, "_msgid": "abc"}])
    assert [m["_msgid"] for m in result.sent("f")] == ["abc", "abc", "abc"]
    assert result.payloads("f") == ["early", 1, 2]


def test_node_send_sends_the_message_as_it_was_when_sent() -> None:
    func = """
    node.send(msg);
    msg.payload = 'changed';
    node.send([msg]);
    msg.payload = 'returned';
    return msg;
    """
    result = run_flow(function_flow(func), inputs=[{"payload": "original"}])
    assert result.payloads("f") == ["original", "changed", "returned"]


def test_what_is_not_a_message_is_reported_and_the_rest_is_sent() -> None:
    func = "return [[msg, 'text', 42, [1]], 7];"
    result = run_flow(function_flow(func, outputs=2), inputs=[{"payload": 1}])
    assert result.payloads("f", 0) == [1]
    assert result.sent("f", 1) == []
    errors = [text for node, level, text in result.logs if level == "error"]
    assert errors == [
        "Function tried to send a message of type string",
        "Function tried to send a message of type number",
        "Function tried to send a message of type Array",
        "Function tried to send a message of type number",
    ]


def test_context_written_by_the_code_is_seen_by_other_nodes() -> None:
    func = """
    flow.set('last', msg.payload);
    global.set('site', 'plant-' + msg.payload);
    return msg;
    """
    flow = function_flow(func, header="id: ctx", to="read", extra="""
        read:
          type: change
          rules:
            - set: payload
              to: {type: flow, value: last}
            - set: topic
              to: {type: global, value: site}
    """)
    result = run_flow(flow, inputs=[{"payload": 4}, {"payload": 5}])
    assert [(m["payload"], m["topic"]) for m in result.sent("read")] == [
        (4, "plant-4"),
        (5, "plant-5"),
    ]
    assert result.flow_context("ctx") == {"last": 5}
    assert result.global_context() == {"site": "plant-5"}


def test_the_code_reads_context_that_other_nodes_wrote() -> None:
    flow = """
    flowrt: 1
    id: ctx
    nodes:
      write:
        type: change
        rules:
          - set: {type: flow, value: limits.high}
            to: {type: msg, value: payload}
        to: f
      f:
        type: function
        func: |-
          const count = (context.get('count') || 0) + 1;
          context.set('count', count);
          return {payload: [flow.get('limits.high'), flow.get('limits').high, count]};
    """
    result = run_flow(flow.replace("\n    ", "\n"), inputs=[{"payload": 30}, {"payload": 40}],
                      into="write")
    assert result.payloads("f") == [[30, 30, 1], [40, 40, 2]]


@pytest.mark.parametrize(
    ("func", "payload"),
    [
        ("flow.set('a.b.c', 5); return {payload: flow.get('a')};", {"b": {"c": 5}}),
        ("flow.set('a', {b: [1, 2]}); return {payload: flow.get('a.b[1]')};", 2),
        ("flow.set(['x', 'y'], [1, 2]); return {payload: flow.get(['x', 'y'])};", [1, 2]),
        ("global.set('g', 1); global.set('g', undefined); return {payload: global.keys()};", []),
        ("context.set('k', 1); context.set('j', null); return {payload: context.keys()};", ["k"]),
        ("flow.set('n', 0); return {payload: flow.get('n')};", 0),
        ("return {payload: [flow.get('none'), flow.get('none.deeper')]};", [None, None]),
        (
            "flow.set('a', {b: 1, c: 2}); flow.set('a.b', undefined);"
            " return {payload: flow.get('a')};",
            {"c": 2},
        ),
        (
            "let got; flow.set('v', 3, (err) => { got = err; });"
            " flow.get('v', (err, v) => { got = [got, v]; }); return {payload: got};",
            [None, 3],
        ),
        ("context.flow.set('z', 1); return {payload: [flow.get('z'), context.global.keys()]};",
         [1, []]),
        (
            "const t = flow.get('t') || {n: 0}; t.n += 1; flow.set('t', t);"
            " const again = flow.get('t'); again.n += 10; return {payload: flow.get('t')};",
            {"n": 11},
        ),
    ],
)
def test_context_works_like_node_red(func: str, payload: Any) -> None:
    result = run_flow(function_flow(func), inputs=[{}])
    assert result.errors == []
    assert result.payloads("f") == [payload]


def test_an_object_from_get_changed_in_place_is_changed_in_the_context() -> None:
    func = """
    const totals = flow.get('totals');
    totals.count += msg.payload;
    totals.seen.push(msg.payload);
    return {payload: totals.count};
    """
    initialize = "flow.set('totals', {count: 0, seen: []});"
    flow = function_flow(func, initialize=initialize, header="id: ctx")
    result = run_flow(flow, inputs=[{"payload": 2}, {"payload": 3}])
    assert result.payloads("f") == [2, 5]
    assert result.flow_context("ctx") == {"totals": {"count": 5, "seen": [2, 3]}}


def test_env_get_reads_the_flow_env_and_the_node_information() -> None:
    func = "return {payload: [env.get('LEVEL'), env.get('LIMIT'), env.get('NR_NODE_ID'),"
    func += " env.get('MISSING_VARIABLE'), node.id, node.name, node.outputCount]};"
    flow = function_flow(func, header="env: {LEVEL: high, LIMIT: 30}", label="Scaler")
    result = run_flow(flow, inputs=[{}])
    assert result.payloads("f") == [["high", 30, "f", None, "f", "Scaler", 1]]


def test_status_reaches_a_status_node() -> None:
    func = """
    node.status({fill: 'green', shape: 'dot', text: 'seen ' + msg.payload});
    if (msg.payload > 1) node.status({});
    return msg;
    """
    flow = function_flow(func, extra="watch: {type: status, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": 1}, {"payload": 2}], into="f")
    statuses = [m["status"] for m in result.sent("watch")]
    assert [{k: v for k, v in s.items() if k != "source"} for s in statuses] == [
        {"fill": "green", "shape": "dot", "text": "seen 1"},
        {"fill": "green", "shape": "dot", "text": "seen 2"},
        {},  # cleared, as in Node-RED
    ]
    assert statuses[0]["source"]["id"] == "f"


def test_logging_goes_to_the_nodes_log() -> None:
    func = """
    node.warn('careful');
    node.warn({level: 3});
    node.log('hello');
    console.log('from', 'console', 1);
    node.error('bad thing');
    node.debug('hidden');
    return msg;
    """
    result = run_flow(function_flow(func), inputs=[{"payload": 1}])
    assert result.warnings == [("f", "careful"), ("f", '{"level":3}')]
    assert ("f", "info", "hello") in result.logs
    assert ("f", "info", "from console 1") in result.logs
    assert ("f", "error", "bad thing") in result.logs
    assert not [entry for entry in result.logs if "hidden" in entry[2]]
    assert result.payloads("f") == [1]


def test_node_error_with_the_message_reaches_a_catch_node() -> None:
    func = """
    if (msg.payload < 0) {
        node.error('negative reading ' + msg.payload, msg);
        return null;
    }
    node.error('only logged');
    return msg;
    """
    flow = function_flow(func, extra="oops: {type: catch, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": -4}, {"payload": 4}], into="f")
    [caught] = result.sent("oops")
    assert caught["payload"] == -4
    assert caught["error"]["message"] == "negative reading -4"
    assert caught["error"]["source"]["id"] == "f"
    assert result.payloads("f") == [4]
    assert ("f", "error", "only logged") in result.logs


def test_an_exception_fails_the_message_with_its_line() -> None:
    func = """
    const reading = msg.payload;

    return {payload: reading.value.toFixed(1)};
    """
    flow = function_flow(func, extra="oops: {type: catch, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": {}}, {"payload": {"value": 2}}], into="f")
    assert result.payloads("f") == ["2.0"]
    [caught] = result.sent("oops")
    assert caught["payload"] == {}
    assert caught["error"]["message"] == (
        "TypeError: Cannot read properties of undefined (reading 'toFixed') (line 3)"
    )
    assert caught["error"]["line"] == 3
    assert caught["error"]["source"] == {"id": "f", "type": "function", "name": "", "count": 1}


@pytest.mark.parametrize(
    ("func", "message"),
    [
        ("throw 'plain text';", "plain text"),
        ("throw new RangeError('too big');", "RangeError: too big (line 1)"),
        (
            "function inner() { missing(); }\ninner();",
            "ReferenceError: missing is not defined (line 1)",
        ),
        ("throw {code: 7};", '{"code":7}'),
        (
            "node.on('input', () => {});",
            "Error: Cannot add an input listener to a function node (line 1)",
        ),
    ],
)
def test_errors_thrown_by_the_code(func: str, message: str) -> None:
    result = run_flow(function_flow(func), inputs=[{}])
    assert [e.message for e in result.errors] == [message]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"func": "return msg;\nif (x {"}, "func: Value error, line 2: SyntaxError"),
        ({"func": "return msg;", "initialize": "let x = ;"}, "initialize: Value error, line 1:"),
        (
            {"func": "return msg;", "finalize": "x = 1;\ny = 2;\nz = ;"},
            "finalize: Value error, line 3:",
        ),
    ],
)
def test_syntax_errors_are_found_when_the_flow_is_checked(
    options: dict[str, str], expected: str
) -> None:
    func = options.pop("func")
    with pytest.raises(CheckError) as info:
        run_flow(function_flow(func, **options), inputs=[])
    assert [d.code for d in info.value.diagnostics] == ["E020"]
    assert expected in str(info.value)


def test_values_json_cannot_carry_cross_as_node_red_serialises_them() -> None:
    func = """
    return {payload: [typeof msg.when, msg.when, msg.ratio, msg.pair, msg.nested.deep]};
    """
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    msg = {"when": when, "ratio": math.nan, "pair": (1, 2), "nested": {"deep": math.inf}}
    result = run_flow(function_flow(func), inputs=[msg])
    [[kind, text, ratio, pair, deep]] = result.payloads("f")
    assert [kind, text, pair, deep] == ["string", "2026-01-02T03:04:05+00:00", [1, 2], math.inf]
    assert math.isnan(ratio)  # NaN and infinities stay numbers, as in Node-RED


def test_the_code_sees_javascript_values_as_javascript_does() -> None:
    func = """
    return {payload: [typeof msg.payload.n, Number.isInteger(msg.payload.n),
                      msg.payload.list.length, msg.payload.text.toUpperCase(),
                      msg.payload.nothing === null, msg.payload.absent === undefined,
                      JSON.stringify(msg.payload.nested), new Date(0).toISOString()]};
    """
    payload = {"n": 3, "list": [1, 2], "text": "é", "nothing": None, "nested": {"a": [True]}}
    result = run_flow(function_flow(func), inputs=[{"payload": payload}])
    assert result.payloads("f") == [
        ["number", True, 2, "É", True, True, '{"a":[true]}', "1970-01-01T00:00:00.000Z"]
    ]
