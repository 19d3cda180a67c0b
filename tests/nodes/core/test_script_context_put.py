"""The script node's short way for a statement ``context.set("key", value)`` of a plain key: the
value is evaluated once, ``None`` removes the key through the store's ``set``, any other value
is stored into a memory scope's dict with no call, and through a persistent scope's ``set``,
which records the key as changed. Each test shows that what a script sees, and what a
persistent store writes, is what the long way gives."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import pytest
from flowrt_nodes.core.script_code import compile_body

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.run.stores import MemoryStore, Stores
from flowrt.testing import run_flow
from flowrt.testing.harness import Harness

from .test_script import script_flow


def stores_into(code: str) -> list[str]:
    """The scopes' dicts the compiled body stores into, in its own code or in the code of
    the functions, classes and lambdas it defines."""
    names: set[str] = set()
    codes = [compile_body(textwrap.dedent(code).strip()).code]
    while codes:
        one = codes.pop()
        names.update(one.co_names)
        codes += [c for c in one.co_consts if isinstance(c, CodeType)]
    return sorted(n for n in names if n.startswith("__flowrt_values_"))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("context.set('c', 1)", ["__flowrt_values_context__"]),
        ("flow.set('f', msg)", ["__flowrt_values_flow__"]),
        ("global_.set('g', None)", ["__flowrt_values_global__"]),
        ("if msg:\n    context.set('c', 1)", ["__flowrt_values_context__"]),
        ("for i in range(2):\n    context.set('c', i)", ["__flowrt_values_context__"]),
        ("while msg:\n    context.set('c', 1)\n    break", ["__flowrt_values_context__"]),
        ("try:\n    pass\nexcept Exception:\n    flow.set('f', 1)", ["__flowrt_values_flow__"]),
        ("with x:\n    context.set('c', 1)", ["__flowrt_values_context__"]),
        ("x = context.set('c', 1)", []),  # a result used: the expression's short way
        ("print(context.set('c', 1))", []),
        ("def f():\n    context.set('c', 1)", []),  # the expression's short way
        ("class C:\n    context.set('c', 1)", []),
        ("f = lambda: context.set('c', 1)", []),
        ("[context.set('c', i) for i in range(2)]", []),
        ("context.set('a.b', 1)", []),  # a property path
        ("context.set(key, 1)", []),
        ("context.set('c')", []),
        ("other.set('c', 1)", []),
    ],
)
def test_only_a_statement_of_the_body_writing_a_plain_key_takes_the_short_way(
    code: str, expected: list[str]
) -> None:
    assert stores_into(code) == expected


def test_values_set_and_removed_in_blocks_and_in_a_function_are_what_the_long_way_gives() -> None:
    code = """
    def forget(key):
        context.set(key + '', None)  # the long way
        context.set('inner', [key])  # the expression's short way
    context.set('a', {'n': 1})
    context.get('a')['n'] = 2  # the stored value itself
    if msg['payload']:
        for i in range(3):
            context.set('i', i)
        context.set('b', 'set')
        context.set('b', None)
    seen = [context.get('a'), context.get('i'), context.get('b', 'removed')]
    forget('a')
    return {'payload': [seen, context.keys(), flow.keys()]}
    """
    result = run_flow(script_flow(code), inputs=[{"payload": 1}])
    assert result.errors == []
    assert result.payloads("s") == [[[{"n": 2}, 2, "removed"], ["i", "inner"], []]]
    assert result.stores is not None
    assert result.stores.scope("node:s").values == {"i": 2, "inner": ["a"]}


def test_a_memory_scope_stores_a_value_with_no_call_of_the_store_set() -> None:
    code = """
    context.set('c', msg['payload'])
    context.set('gone', 1)
    context.set('gone', None)
    """
    calls: list[Any] = []
    target = MemoryStore.set.__code__

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is target:
            calls.append((frame.f_locals["key"], frame.f_locals["value"]))

    sys.setprofile(profile)
    try:
        result = run_flow(script_flow(code), inputs=[{"payload": 5}])
    finally:
        sys.setprofile(None)
    assert result.errors == []
    assert result.stores is not None
    assert result.stores.scope("node:s").values == {"c": 5}
    assert calls == [("gone", None)]  # only the removal calls the store's set


def test_a_scope_rebound_by_the_script_gets_the_call_as_written_with_the_value_made_once() -> None:
    setup = """
    made = []
    def value():
        made.append(1)
        return len(made)
    class Recorder:
        def __init__(self):
            self.calls = []
        def set(self, *args):
            self.calls.append(args)
    context = Recorder()
    """
    code = """
    context.set('c', value())
    context.set('c', None)
    if msg:
        context.set('d', [value()])
    return {'payload': [context.calls, len(made)]}
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[{}])
    assert stores_into(code) == ["__flowrt_values_context__"]
    assert result.errors == []
    assert result.payloads("s") == [[[("c", 1), ("c", None), ("d", [2])], 2]]


def test_a_scope_rebound_while_the_value_is_made_sets_the_scope_tested_first() -> None:
    # the long way looks context.set up before it makes the value; so does the short way
    swapped = """
    def swap():
        global context
        context = None
        return 'value'
    """
    code = """
    context.set('c', swap())
    return {'payload': context}
    """
    result = run_flow(script_flow(code, setup=swapped), inputs=[{}])
    assert result.errors == []
    assert result.payloads("s") == [None]
    assert result.stores is not None
    assert result.stores.scope("node:s").values == {"c": "value"}


def test_the_value_is_made_once() -> None:
    setup = """
    made = []
    def value():
        made.append(1)
        return len(made)
    """
    code = """
    context.set('c', value())
    flow.set('f', [context.get('c'), value()])
    return {'payload': [context.get('c'), flow.get('f'), len(made)]}
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[{}, {}])
    assert result.payloads("s") == [[1, [1, 2], 2], [3, [3, 4], 4]]


def test_a_failing_value_names_its_line() -> None:
    code = """
    x = 1
    context.set('a', x)
    context.set(
        'b',
        x / 0,
    )
    return {'payload': 'not reached'}
    """
    result = run_flow(script_flow(code), inputs=[{}])
    assert [e.message for e in result.errors] == ["ZeroDivisionError: division by zero (line 5)"]
    assert result.stores is not None
    assert result.stores.scope("node:s").values == {"a": 1}


def test_a_persistent_store_records_and_writes_what_the_statements_set(tmp_path: Path) -> None:
    code = """
    context.set('count', (context.get('count', 0) or 0) + 1)
    context.set('gone', 1)
    context.set('gone', None)
    if msg['payload']:
        global_.set('last', msg['payload'])
    """
    assert stores_into(code) == ["__flowrt_values_context__", "__flowrt_values_global__"]
    url = f"sqlite:///{tmp_path / 'context.db'}"
    plan, _ = build_plan(Project(documents=[load_text(script_flow(code), "test.yaml")]), env={})
    changes: list[tuple[str, str, str | None]] = []

    async def run() -> None:
        harness = Harness(plan, stores=Stores(url))
        await harness.start()
        for payload in ("a", "b"):
            harness.send("s", {"payload": payload})
        await harness.run()
        changes.extend(harness.stores.take_changes())  # before stop() writes them
        harness.stores.write(changes)
        await harness.stop()
        harness.stores.close()

    asyncio.run(run())
    assert sorted(changes) == [
        ("global", "last", '"b"'),
        ("node:s", "count", "2"),
        ("node:s", "gone", None),
    ]
    again = Stores(url)
    assert again.scope("node:s").values == {"count": 2}
    assert again.scope("global").values == {"last": "b"}
