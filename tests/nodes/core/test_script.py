"""The script node: Python code run per message, through the real engine."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow


def script_flow(code: str, **options: Any) -> str:
    """A flow with one script node `s` running `code`, and any extra node options."""
    lines = ["flowrt: 1", "nodes:", "  s:", "    type: script", "    code: |"]
    lines += ["      " + line for line in textwrap.dedent(code).strip("\n").splitlines()]
    for key, value in options.items():
        if isinstance(value, str) and "\n" in value:
            lines.append(f"    {key}: |")
            lines += ["      " + line for line in textwrap.dedent(value).strip("\n").splitlines()]
        else:
            lines.append(f"    {key}: {value}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("code", "outputs", "expected"),
    [
        ("msg['payload'] += 1\nreturn msg", 1, [[{"payload": 2}]]),
        ("return None", 1, [[]]),
        ("pass", 1, [[]]),
        ("return {'payload': 'new'}", 1, [[{"payload": "new"}]]),
        ("return [None, msg]", 2, [[], [{"payload": 1}]]),
        (
            "return [[{'payload': 'a'}, {'payload': 'b'}], {'payload': 'c'}]",
            2,
            [[{"payload": "a"}, {"payload": "b"}], [{"payload": "c"}]],
        ),
        ("return [msg, msg]", 2, [[{"payload": 1}], [{"payload": 1}]]),
    ],
)
def test_return_value_goes_to_ports(code: str, outputs: int, expected: list[Any]) -> None:
    result = run_flow(script_flow(code, outputs=outputs), inputs=[{"payload": 1}])
    for port, messages in enumerate(expected):
        sent = result.sent("s", port)
        assert [{k: v for k, v in m.items() if k != "_msgid"} for m in sent] == messages
    assert result.errors == []


def test_new_messages_keep_the_msgid_of_their_origin() -> None:
    result = run_flow(
        script_flow("node.send({'payload': 0})\nreturn [[{'payload': 1}, {'payload': 2}]]"),
        inputs=[{"payload": None, "_msgid": "abc"}],
    )
    assert [m["_msgid"] for m in result.sent("s")] == ["abc", "abc", "abc"]


def test_node_send_copies_unless_told_not_to() -> None:
    code = """
    node.send(msg)
    msg['payload'] = 'changed'
    node.send(msg, clone=False)
    """
    result = run_flow(script_flow(code), inputs=[{"payload": "original"}])
    assert result.payloads("s") == ["original", "changed"]


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("return 42", "script returned int 42, not a message"),
        ("return [None, [{}, 'x']]", "script returned for output 1 str 'x', not a message"),
        ("node.send('text')", "TypeError: script sent str 'text', not a message; use a dict"),
    ],
)
def test_sending_what_is_not_a_message_is_an_error(code: str, problem: str) -> None:
    result = run_flow(script_flow(code), inputs=[{"payload": 1}])
    assert result.sent("s") == []
    assert len(result.errors) == 1
    assert problem in result.errors[0].message


def test_setup_binds_globals_and_close_runs_at_stop() -> None:
    setup = """
    import math
    factor = 3
    def scaled(x):
        return x * factor
    """
    close = "global_.set('closed', node.id)"
    result = run_flow(
        script_flow(
            "msg['payload'] = scaled(math.floor(msg['payload']))\nreturn msg",
            setup=setup,
            close=close,
        ),
        inputs=[{"payload": 2.7}],
    )
    assert result.payloads("s") == [6]
    assert result.global_context() == {"closed": "s"}


@pytest.mark.parametrize(
    ("code", "payload"),
    [
        ("context.set('n', 1)\nreturn {'payload': context.get('n')}", 1),
        ("return {'payload': context.get('missing', 'dflt')}", "dflt"),
        ("flow.set('a.b.c', 5)\nreturn {'payload': flow.get('a')}", {"b": {"c": 5}}),
        ("flow.set('a', {'b': [1, 2]})\nreturn {'payload': flow.get('a.b[1]')}", 2),
        ("flow.set(['x', 'y'], [1, 2])\nreturn {'payload': flow.get(['x', 'y'])}", [1, 2]),
        ("global_.set('g', 1)\nglobal_.set('g', None)\nreturn {'payload': global_.keys()}", []),
        (
            "flow.set('a', {'b': 1, 'c': 2})\nflow.set('a.b', None)\n"
            "return {'payload': flow.get('a')}",
            {"c": 2},
        ),
        ("context.set('k', 1)\nreturn {'payload': context.keys()}", ["k"]),
    ],
)
def test_context_stores_work_like_node_red(code: str, payload: Any) -> None:
    result = run_flow(script_flow(code), inputs=[{}])
    assert result.errors == []
    assert result.payloads("s") == [payload]


def test_context_persists_between_messages_and_flow_is_shared() -> None:
    flow = """
    flowrt: 1
    nodes:
      count:
        type: script
        code: |
          n = context.get('n', 0) + 1
          context.set('n', n)
          flow.set('last', n)
          return {'payload': n}
        to: read
      read: {type: script, code: "return {'payload': [flow.get('last'), context.get('n')]}"}
    """
    result = run_flow(textwrap.dedent(flow), inputs=[{}, {}, {}])
    assert result.payloads("count") == [1, 2, 3]
    assert result.payloads("read") == [[1, None], [2, None], [3, None]]


def test_env_and_node_information() -> None:
    code = "return {'payload': [env.get('LEVEL'), env.get('NR_NODE_ID'), node.id, node.outputs]}"
    text = "flowrt: 1\nenv: {LEVEL: high}\n" + script_flow(code).split("\n", 1)[1]
    result = run_flow(text, inputs=[{}])
    assert result.payloads("s") == [["high", "s", "s", 1]]


def test_node_reports_status_warnings_logs_and_errors() -> None:
    code = """
    node.status(fill='green', shape='dot', text='ok')
    node.status({'fill': 'red', 'shape': 'ring', 'text': 2})
    node.warn('careful')
    node.log('hello')
    node.error('bad thing')
    return msg
    """
    result = run_flow(script_flow(code), inputs=[{"payload": 1}])
    assert result.statuses == [
        ("s", {"fill": "green", "shape": "dot", "text": "ok"}),
        ("s", {"fill": "red", "shape": "ring", "text": "2"}),
    ]
    assert result.warnings == [("s", "careful")]
    assert ("s", "info", "hello") in result.logs
    assert ("s", "error", "bad thing") in result.logs
    assert result.payloads("s") == [1]


CATCHING = """
flowrt: 1
nodes:
  s:
    type: script
    code: |
      x = 1
      if msg['payload'] == 'raise':
          return msg['missing']
      node.error('reported', msg)
  oops: {type: catch, scope: [s]}
"""


@pytest.mark.parametrize(
    ("payload", "message", "line"),
    [
        ("raise", "KeyError: 'missing' (line 3)", 3),
        ("report", "reported", None),
    ],
)
def test_errors_reach_catch_nodes_with_the_scripts_line(
    payload: str, message: str, line: int | None
) -> None:
    result = run_flow(CATCHING, inputs=[{"payload": payload}], into="s")
    caught = result.sent("oops")
    assert len(caught) == 1
    assert caught[0]["payload"] == payload
    assert caught[0]["error"]["message"] == message
    assert caught[0]["error"].get("line") == line
    assert caught[0]["error"]["source"]["id"] == "s"


def test_an_error_in_a_setup_function_names_the_setup_line() -> None:
    setup = """
    def half(x):
        return x / 0
    """
    result = run_flow(script_flow("return {'payload': half(1)}", setup=setup), inputs=[{}])
    assert [e.message for e in result.errors] == [
        "ZeroDivisionError: division by zero (setup line 2)"
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"code": "x = (\nreturn msg"}, "code: Value error, line 1: '(' was never closed"),
        ({"code": "msg['a'] = 1\n  return msg"}, "code: Value error, line 2: unexpected indent"),
        ({"code": "yield msg"}, "line 1: a script cannot yield"),
        ({"code": "nonlocal x"}, "line 1: no binding for nonlocal 'x' found"),
        (
            {"code": "return msg", "setup": "return 1"},
            "setup: Value error, line 1: 'return' outside",
        ),
    ],
)
def test_syntax_errors_are_found_when_the_flow_is_checked(
    options: dict[str, str], expected: str
) -> None:
    code = options.pop("code")
    with pytest.raises(CheckError) as info:
        run_flow(script_flow(code, **options), inputs=[])
    assert [d.code for d in info.value.diagnostics] == ["E020"]
    assert expected in str(info.value)


def test_async_script_holds_the_message_until_it_finishes() -> None:
    code = """
    await sleep(msg['payload'])
    node.send({'payload': 'sent'})
    msg['payload'] = f"waited {msg['payload']}"
    return msg
    """
    flow = script_flow(code, timeout=0) + "  done: {type: complete, scope: [s]}\n"
    result = run_flow(flow, inputs=[{"payload": 300}, {"payload": 100}], into="s")
    assert result.payloads("s") == ["sent", "waited 100", "sent", "waited 300"]
    assert [m["payload"] for m in result.sent("done")] == ["waited 100", "waited 300"]
    assert result.elapsed == pytest.approx(300)


def test_async_script_times_out_on_the_engine_clock() -> None:
    code = """
    x = 1
    await sleep(msg['payload'])
    return msg
    """
    result = run_flow(script_flow(code, timeout=5), inputs=[{"payload": 60}, {"payload": 1}])
    assert result.payloads("s") == [1]
    assert [e.message for e in result.errors] == [
        "script did not finish within its timeout of 5 s (line 2)"
    ]
    assert result.elapsed == 5  # simulated: the 60 s sleep was cut at its 5 s timeout


def test_async_setup_runs_before_messages() -> None:
    setup = "import asyncio\nawait asyncio.sleep(0)\nready = True"
    result = run_flow(script_flow("return {'payload': ready}", setup=setup), inputs=[{}])
    assert result.payloads("s") == [True]


@pytest.mark.parametrize(
    "code",
    [
        "while True:\n    pass",
        "while True:\n    try:\n        pass\n    except Exception:\n        pass",
        "import time\nwhile True:\n    time.sleep(0.01)",
    ],
)
def test_a_blocking_script_is_stopped_and_the_flow_goes_on(code: str) -> None:
    text = "msg['payload'] += 1\nif msg['payload'] == 1:\n" + textwrap.indent(code, "    ")
    text += "\nreturn msg"
    # a watchdog that failed would hang the run: run_flow's own limit then fails the test
    result = run_flow(script_flow(text, timeout=0.2), inputs=[{"payload": 0}, {"payload": 5}],
                      timeout=60)
    assert result.payloads("s") == [6]
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.message.startswith("script ran longer than its timeout of 0.2 s (line ")
    assert error.msg is not None and error.msg["payload"] == 1


@pytest.mark.parametrize("stuck", [2, 3])
def test_a_blocking_call_inside_a_call_of_the_same_node_is_stopped(stuck: int) -> None:
    """The node sends to itself: each call but the last runs while the next one does. The
    call that blocks is stopped whether it is the second (inside the first) or the first once
    the second has returned (its send came back, the first loops on)."""
    code = """
    msg['payload'] += 1
    if msg['payload'] == 1:
        node.send(msg)
        while STUCK == 3:
            pass
        return None
    while msg['payload'] == STUCK:
        pass
    return None
    """.replace("STUCK", str(stuck))
    # a watchdog that failed would hang the loop thread, and the run with it: the test then
    # never ends (the suite's own time limit fails it)
    flow = script_flow(code, timeout=0.2) + "    to: s\n"
    result = run_flow(flow, inputs=[{"payload": 0}], into="s", timeout=60)
    assert [e.message.split(" (line ")[0] for e in result.errors] == [
        "script ran longer than its timeout of 0.2 s"
    ]
    line = 7 if stuck == 2 else 4
    assert result.errors[0].message.endswith(f"(line {line})")


def test_a_blocking_async_script_is_stopped_too() -> None:
    code = "await sleep(0.1)\nwhile True:\n    pass"
    result = run_flow(script_flow(code, timeout=0.3), inputs=[{}])
    assert [e.message for e in result.errors] in (
        ["script ran longer than its timeout of 0.3 s (line 2)"],
        ["script ran longer than its timeout of 0.3 s (line 3)"],
    )


def test_outputs_sets_the_number_of_ports() -> None:
    flow = script_flow("return [None, None, msg]", outputs=3) + "    to: {2: last}\n"
    flow += "  last: {type: script}\n"
    result = run_flow(flow, inputs=[{"payload": "x"}], into="s")
    assert result.payloads("last") == ["x"]


def test_a_failing_setup_stops_the_start_naming_node_and_line() -> None:
    setup = """
    ready = True
    raise RuntimeError('no database')
    """
    with pytest.raises(Exception, match=r"node 's' \(script\) cannot start") as info:
        run_flow(script_flow("return msg", setup=setup), inputs=[{}])
    assert "setup failed: RuntimeError: no database (setup line 2)" in str(info.value)


def test_a_stop_arriving_with_the_timeout_is_not_taken_for_the_timeout() -> None:
    """An outside cancellation (a stop) in the same turn as the script's timeout stays a
    cancellation: the node's task ends, it does not go on as if only the script had expired."""
    import asyncio
    from types import SimpleNamespace

    from flowrt_nodes.core.script import Script

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        task: asyncio.Task[Any] | None = None

        def call_later(seconds: float, callback: Any) -> asyncio.TimerHandle:
            def expire_and_stop() -> None:
                callback()  # the script's timeout...
                assert task is not None
                task.cancel()  # ...and a stop, in the same turn

            return loop.call_later(seconds, expire_and_stop)

        node = SimpleNamespace(config=SimpleNamespace(timeout=0.01),
                               ctx=SimpleNamespace(call_later=call_later))
        task = loop.create_task(Script._timed(node, asyncio.sleep(10)))  # type: ignore[arg-type]
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
