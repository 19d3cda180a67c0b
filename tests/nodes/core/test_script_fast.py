"""The script node's short way for ``node.send`` of a dict display: it sends the display's own
dicts, copying only the values it was given. Each test shows that what a script (or a node
after it) can see is what the long way, a copy of the whole message, gives."""

from __future__ import annotations

import datetime
import textwrap
from typing import Any

import pytest
from flowrt_nodes.core.script_code import compile_body
from flowrt_nodes.core.script_objects import KEPT_TYPES

from flowrt.api import clone
from flowrt.testing import run_flow

from .test_script import script_flow


def senders(code: str) -> list[str]:
    """The senders compiled for ``code``: one per ``node.send`` that takes the short way."""
    names = compile_body(textwrap.dedent(code).strip()).code.co_names
    return [name for name in names if name.startswith("__flowrt_send_")]


@pytest.mark.parametrize(
    ("code", "count"),
    [
        ("node.send({'payload': {'v': 1, 'i': msg['payload']}})", 1),
        ("node.send({'payload': 1})\nnode.send({'topic': 't'})", 2),
        ("f = lambda x: node.send({'payload': x})", 1),
        ("node.send({**msg})", 0),  # the unpacked values may be shared: a copy
        ("node.send({'a': 1, 'a': [2]})", 0),  # a key given twice
        ("node.send({1: 'a'})", 0),  # a key that is no text
        ("node.send({'payload': 1}, clone=False)", 0),
        ("node.send(msg)", 0),
        ("other.send({'payload': 1})", 0),
    ],
)
def test_only_a_plain_display_given_to_node_send_takes_the_short_way(
    code: str, count: int
) -> None:
    assert len(senders(code)) == count


def test_the_short_way_is_taken_by_the_benchmark_flow_source() -> None:
    code = 'node.send({"payload": {"v": random.random(), "i": i}})'
    assert senders(code) == ["__flowrt_send_0__"]


def later(code: str, **options: Any) -> str:
    """Script ``s`` running ``code``, wired to a delay of 1 s and then to node ``d``: ``d``'s
    messages show what ``s`` sent as it is after ``s`` has run on."""
    return script_flow(code, to="dl", **options) + (
        "  dl: {type: delay, delay: 1, to: d}\n  d: {type: script, code: return msg}\n"
    )


def test_values_a_display_was_given_are_copied_as_the_long_way_copies_them() -> None:
    code = """
    inner = {'v': 1}
    items = [1, [2]]
    node.send({'payload': {'inner': inner, 'items': items, 'n': 5, 'text': 't'}, 'topic': 'x'})
    inner['v'] = 'changed'
    items[1].append('changed')
    node.send({'payload': {'again': inner}})
    inner['v'] = 'changed twice'
    """
    result = run_flow(later(code), inputs=[{"payload": None, "_msgid": "abc"}])
    assert senders(code) == ["__flowrt_send_0__", "__flowrt_send_1__"]
    first, second = result.sent("d")
    assert first == {
        "payload": {"inner": {"v": 1}, "items": [1, [2]], "n": 5, "text": "t"},
        "topic": "x",
        "_msgid": "abc",
    }
    assert second == {"payload": {"again": {"v": "changed"}}, "_msgid": "abc"}
    assert result.errors == []


def test_a_display_made_of_the_incoming_message_does_not_share_it() -> None:
    code = """
    node.send({'payload': msg['payload'], 'topic': 'copy'})
    msg['payload']['n'] = 2
    """
    result = run_flow(later(code), inputs=[{"payload": {"n": 1}}])
    assert [m["payload"] for m in result.sent("d")] == [{"n": 1}]


def test_values_are_copied_once_the_display_is_whole() -> None:
    # the long way copies after every value is made: a later value changing an earlier one
    # is seen in the copy
    code = """
    items = []
    node.send({'payload': items, 'topic': items.append(1)})
    """
    result = run_flow(script_flow(code), inputs=[{}])
    assert result.payloads("s") == [[1]]


def test_each_value_of_the_display_is_evaluated_once_and_in_order() -> None:
    # the sender takes the values as arguments and makes the display itself: a value of a
    # display that is not plain (here one with **) is one value, copied whole
    code = """
    seen = []
    def val(x):
        seen.append(x)
        return [x]
    node.send({'payload': {'a': val(1), 'b': {'c': val(2), **{'d': val(3)}}}, 'topic': val(4)})
    return {'payload': seen}
    """
    result = run_flow(script_flow(code), inputs=[{"_msgid": "m"}])
    assert senders(code) == ["__flowrt_send_0__"]
    assert result.sent("s") == [
        {"payload": {"a": [1], "b": {"c": [2], "d": [3]}}, "topic": [4], "_msgid": "m"},
        {"payload": [1, 2, 3, 4], "_msgid": "m"},
    ]


def test_a_node_rebound_by_the_script_gets_the_call_as_written() -> None:
    setup = """
    calls = []
    class Recorder:
        def send(self, *args, **options):
            calls.append((args, options))
            return 'returned'
    """
    code = """
    node = Recorder()
    got = node.send({'payload': [1]})
    return {'payload': [calls, got]}
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[{}])
    assert senders(code) == ["__flowrt_send_0__"]
    assert result.payloads("s") == [[[(({"payload": [1]},), {})], "returned"]]


@pytest.mark.parametrize("wait", ["", "await sleep(0)"])
def test_a_foreign_node_s_send_is_looked_up_before_the_display_is_made(wait: str) -> None:
    # the short way tests that node is the script's own before anything else; for any other
    # node the call is as written: its send first, then the display's values
    setup = """
    seen = []
    class Other:
        @property
        def send(self):
            seen.append('send')
            return lambda m: seen.append(m['payload'])
    def val():
        seen.append('value')
        return 'v'
    """
    code = f"""
    {wait}
    node = Other()
    node.send({{'payload': val()}})
    return {{'payload': seen}}
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[{}])
    assert senders(code) == ["__flowrt_send_0__"]
    assert result.payloads("s") == [["send", "value", "v"]]


@pytest.mark.parametrize("wait", ["", "await sleep(0)"])
def test_names_the_setup_binds_do_not_change_how_a_display_is_sent(wait: str) -> None:
    # the sender's own names (type, id, the copy) are bound before the setup can rebind any
    setup = """
    def type(x):
        raise AssertionError('the setup type')
    def id(x):
        raise AssertionError('the setup id')
    clone = copy = type
    """
    code = f"""
    {wait}
    node.send({{'payload': [msg['payload']]}})
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[{"payload": 3, "_msgid": "m"}])
    assert result.errors == []
    assert result.sent("s") == [{"payload": [3], "_msgid": "m"}]


def test_the_node_of_a_finished_call_still_sends_with_its_message_s_id() -> None:
    # the node an asynchronous call kept: its message is no longer held when a later call
    # sends by it, so the message goes the long way, as the node's own send of it would
    setup = "kept = []"
    code = """
    await sleep(0)
    kept.append(node)
    if len(kept) == 2:
        kept[0].send({'payload': 'by the first', 'n': msg['payload']})
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[
        {"payload": 1, "_msgid": "m1"}, {"payload": 2, "_msgid": "m2"}])
    assert result.errors == []
    assert result.sent("s") == [{"payload": "by the first", "n": 2, "_msgid": "m1"}]


@pytest.mark.parametrize("wait", ["", "await sleep(0)"])
def test_a_display_s_own_msgid_is_kept_and_one_with_none_takes_its_origin_s(wait: str) -> None:
    code = f"""
    {wait}
    node.send({{'payload': 1, '_msgid': 'own'}})
    node.send({{'payload': 2}})
    node.send({{'payload': 3, '_msgid': None}})
    """
    result = run_flow(script_flow(code), inputs=[{"payload": 0, "_msgid": "in"}])
    assert senders(code) == ["__flowrt_send_0__", "__flowrt_send_1__", "__flowrt_send_2__"]
    assert [m["_msgid"] for m in result.sent("s")] == ["own", "in", None]


def test_an_async_script_sends_a_display_under_its_message() -> None:
    code = """
    await sleep(1)
    node.send({'payload': {'n': msg['payload']}})
    """
    result = run_flow(script_flow(code), inputs=[{"payload": 7, "_msgid": "m1"}])
    assert result.sent("s") == [{"payload": {"n": 7}, "_msgid": "m1"}]


def test_a_failing_copy_names_the_line_of_its_send() -> None:
    code = """
    import threading
    x = 1
    node.send({'payload': {'lock': threading.Lock()}})
    """
    result = run_flow(script_flow(code), inputs=[{}])
    assert result.sent("s") == []
    [error] = result.errors
    assert error.message.startswith("TypeError: ")
    assert error.message.endswith("(line 3)")


# The loop makes garbage: the watchdog's exception may land in a weakref callback that the
# collector runs meanwhile, where Python prints it as ignored; the watchdog then raises it
# again a timeout later, and the script is stopped all the same (asserted below).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_loop_of_sends_is_still_stopped_by_the_timeout() -> None:
    code = """
    while True:
        node.send({'payload': {'n': 1}})
    """
    # a watchdog that failed would hang the run: run_flow's own limit then fails the test
    result = run_flow(script_flow(code, timeout=0.2), inputs=[{}], timeout=60)
    assert senders(code) == ["__flowrt_send_0__"]
    [error] = result.errors
    assert error.message.startswith("script ran longer than its timeout of 0.2 s (line ")


@pytest.mark.parametrize("value", ["t", 1, 1.5, True, None, b"b"])
def test_the_types_kept_as_they_are_are_those_the_copy_keeps(value: Any) -> None:
    assert type(value) in KEPT_TYPES
    assert clone(value) is value


def test_a_type_the_copy_copies_is_not_kept() -> None:
    for value in ([1], {"a": 1}, (1, [2]), bytearray(b"x"), datetime.datetime(2020, 1, 1)):
        assert type(value) not in KEPT_TYPES


@pytest.mark.parametrize("wait", ["", "await sleep(1)"])
def test_a_message_sent_fails_on_its_own_and_the_one_handled_completes(wait: str) -> None:
    # node.send's short way through the node's context, under the message being handled (a
    # synchronous script) or held (an asynchronous one): each sent message has its own
    # failure, the other goes on, and the message the script handled completes
    code = f"""
    {wait}
    node.send({{'payload': 'fails'}})
    node.send({{'payload': 'passes'}})
    """
    flow = script_flow(code, to="f") + (
        "  f:\n    type: script\n    code: |\n"
        "      if msg['payload'] == 'fails':\n          raise ValueError('no')\n"
        "      return msg\n    to: dl\n"
        "  dl: {type: delay, delay: 5, to: out}\n"
        "  out: {type: script, code: return msg}\n"
        "  oops: {type: catch, scope: [f]}\n"
        "  done: {type: complete, scope: [s]}\n"
    )
    result = run_flow(flow, inputs=[{"payload": "in"}], into="s")
    assert [m["payload"] for m in result.sent("oops")] == ["fails"]
    assert result.payloads("out") == ["passes"]
    assert result.payloads("done") == ["in"]
    assert result.elapsed == pytest.approx(5 + (1 if wait else 0))
