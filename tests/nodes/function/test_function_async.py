"""The function node over time: timers, async functions, node.done(), On Start and On Stop.

Flows run on simulated time, so every timer fires at its exact simulated moment."""

from __future__ import annotations

import pytest

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow

DONE = "done: {type: complete, scope: [f]}"
OOPS = "oops: {type: catch, scope: [f]}"


def test_node_send_from_a_timer_sends_later() -> None:
    func = """
    setTimeout(() => {
        msg.payload = 'later ' + msg.payload;
        node.send(msg);
    }, 1500);
    return {payload: 'now ' + msg.payload};
    """
    result = run_flow(function_flow(func), inputs=[{"payload": 1, "_msgid": "m1"}])
    assert result.payloads("f") == ["now 1", "later 1"]
    assert [m["_msgid"] for m in result.sent("f")] == ["m1", "m1"]
    assert result.elapsed == pytest.approx(1.5)


def test_timer_arguments_clear_timeout_and_intervals() -> None:
    func = """
    const ticks = [];
    const never = setTimeout(() => node.send({payload: 'never'}), 100);
    clearTimeout(never);
    const every = setInterval((label) => {
        ticks.push(label + ticks.length);
        if (ticks.length === 3) {
            clearInterval(every);
            node.send({payload: ticks});
        }
    }, 250, 'tick');
    return null;
    """
    result = run_flow(function_flow(func), inputs=[{}])
    assert result.payloads("f") == [["tick0", "tick1", "tick2"]]
    assert result.elapsed == pytest.approx(0.75)


def test_an_async_function_holds_its_message_until_it_resolves() -> None:
    func = """
    const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    await wait(msg.payload);
    msg.payload = 'waited ' + msg.payload;
    return msg;
    """
    flow = function_flow(func, extra=DONE)
    result = run_flow(flow, inputs=[{"payload": 300}, {"payload": 100}], into="f")
    assert result.payloads("f") == ["waited 100", "waited 300"]
    assert [m["payload"] for m in result.sent("done")] == ["waited 100", "waited 300"]
    assert result.elapsed == pytest.approx(0.3)


def test_await_of_a_settled_promise_answers_at_once() -> None:
    func = """
    const value = await Promise.resolve(msg.payload * 2);
    node.send({payload: 'first'});
    return {payload: value};
    """
    result = run_flow(function_flow(func), inputs=[{"payload": 21}])
    assert result.payloads("f") == ["first", 42]
    assert result.elapsed == 0


def test_a_returned_promise_is_awaited_too() -> None:
    func = """
    return new Promise((resolve) => setTimeout(() => resolve([null, msg]), 200));
    """
    result = run_flow(function_flow(func, outputs=2), inputs=[{"payload": "x"}])
    assert result.payloads("f", 1) == ["x"]
    assert result.elapsed == pytest.approx(0.2)


def test_a_rejected_async_function_fails_its_message_with_the_line() -> None:
    func = """
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (msg.payload === 'bad') {
        throw new Error('refused ' + msg.payload);
    }
    return msg;
    """
    flow = function_flow(func, extra=OOPS)
    result = run_flow(flow, inputs=[{"payload": "bad"}, {"payload": "good"}], into="f")
    assert result.payloads("f") == ["good"]
    [caught] = result.sent("oops")
    assert caught["payload"] == "bad"
    assert caught["error"]["message"] == "Error: refused bad (line 3)"
    assert caught["error"]["line"] == 3


def test_code_calling_node_done_finishes_its_message_when_it_does() -> None:
    func = """
    setTimeout(() => {
        node.send({payload: 'result ' + msg.payload});
        node.done();
    }, 400);
    return;
    """
    flow = function_flow(func, extra=DONE)
    result = run_flow(flow, inputs=[{"payload": 1, "_msgid": "m1"}], into="f")
    assert result.payloads("f") == ["result 1"]
    [finished] = result.sent("done")
    assert finished["_msgid"] == "m1"
    assert result.elapsed == pytest.approx(0.4)


def test_node_done_with_an_error_fails_the_message() -> None:
    func = """
    setTimeout(() => {
        if (msg.payload === 'job') node.done('gave up on ' + msg.payload);
        else node.done();
    }, 10);
    """
    flow = function_flow(func, extra=OOPS + "\n" + DONE)
    result = run_flow(flow, inputs=[{"payload": "job"}], into="f")
    [caught] = result.sent("oops")
    assert caught["error"]["message"] == "gave up on job"
    assert result.sent("done") == []


def test_an_error_in_a_timer_reaches_catch_nodes() -> None:
    func = """
    setTimeout(() => {
        null.boom;
    }, 20);
    return msg;
    """
    flow = function_flow(func, extra=OOPS)
    result = run_flow(flow, inputs=[{"payload": 1}], into="f")
    assert result.payloads("f") == [1]
    [caught] = result.sent("oops")
    assert caught["error"]["message"] == (
        "TypeError: Cannot read properties of null (reading 'boom') (line 2)"
    )


def test_on_start_state_is_used_by_the_function() -> None:
    initialize = """
    context.set('factor', 3);
    flow.set('unit', 'kW');
    """
    func = "return {payload: msg.payload * context.get('factor') + ' ' + flow.get('unit')};"
    result = run_flow(function_flow(func, initialize=initialize), inputs=[{"payload": 2}])
    assert result.payloads("f") == ["6 kW"]


def test_messages_wait_for_an_asynchronous_on_start() -> None:
    initialize = """
    await new Promise((resolve) => setTimeout(resolve, 2000));
    context.set('ready', 'since ' + Date.now());
    node.send({payload: 'started'});
    """
    func = "return {payload: context.get('ready')};"
    result = run_flow(function_flow(func, initialize=initialize), inputs=[{}], into="f")
    assert result.payloads("f")[0] == "started"
    assert result.payloads("f")[1].startswith("since ")
    assert len(result.payloads("f")) == 2


def test_on_stop_runs_when_the_flow_stops_and_timers_are_dropped() -> None:
    func = """
    setTimeout(() => node.send({payload: 'too late'}), 60000);
    node.on('close', () => global.set('handler', true));
    return msg;
    """
    finalize = "global.set('stopped', node.id);\nnode.send({payload: 'not allowed'});"
    flow = function_flow(func, finalize=finalize)
    result = run_flow(flow, inputs=[{"payload": 1}], until=10)
    assert result.payloads("f") == [1]
    assert result.global_context() == {"stopped": "f", "handler": True}
    assert ("f", "error", "Cannot send from close function") in result.logs


def test_a_failing_on_start_stops_the_start_naming_the_line() -> None:
    initialize = """
    const port = 1883;
    throw new Error('no broker on ' + port);
    """
    with pytest.raises(Exception, match=r"node 'f' \(function\) cannot start") as info:
        run_flow(function_flow("return msg;", initialize=initialize), inputs=[{}])
    assert "On Start failed: Error: no broker on 1883 (On Start line 2)" in str(info.value)


def test_an_on_stop_error_is_logged() -> None:
    flow = function_flow("return msg;", finalize="const a = 1;\nundefinedThing();")
    result = run_flow(flow, inputs=[{"payload": 1}])
    assert ("f", "error", "ReferenceError: undefinedThing is not defined (On Stop line 2)") in (
        result.logs
    )


def test_complete_nodes_see_the_message_as_the_code_left_it() -> None:
    func = """
    await Promise.resolve();
    msg.payload = 'changed ' + msg.payload;
    msg.extra = true;
    return null;
    """
    flow = function_flow(func, extra=DONE)
    result = run_flow(flow, inputs=[{"payload": 1}], into="f")
    assert result.sent("f") == []
    [finished] = result.sent("done")
    assert (finished["payload"], finished["extra"]) == ("changed 1", True)
