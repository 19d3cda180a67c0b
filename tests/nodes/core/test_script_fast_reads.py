"""The script node's short way for a read or write of a context scope's plain key:
``context.get("c", 0)`` and ``context.set("c", 1)`` compile to calls of the scope's own ``get``
and ``set`` when ``context`` is the script's scope, and to the call as written otherwise. Each
test shows that what a script sees, and what a persistent store writes, is what the long way
gives."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest
from flowrt_nodes.core.script_code import compile_body

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.run.stores import Stores
from flowrt.testing import run_flow
from flowrt.testing.harness import Harness

from .test_script import script_flow


def reads(code: str) -> list[str]:
    """The short reads and writes the compiled ``code`` calls."""
    names = compile_body(textwrap.dedent(code).strip()).code.co_consts[0].co_names
    return sorted(n for n in names if n.startswith(("__flowrt_get_", "__flowrt_set_")))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("context.get('c', 0)", ["__flowrt_get_context__"]),
        ("flow.get('x')", ["__flowrt_get_flow__"]),
        ("global_.get('expect')", ["__flowrt_get_global__"]),
        ("f = lambda: context.get('c')", []),  # in the lambda's own code, not the body's
        ("context.get('totals.today')", []),  # a property path
        ("context.get('a[0]')", []),
        ("context.get(key)", []),  # not a constant
        ("context.get('c', default=1)", []),
        ("context.get('c', 0, 1)", []),
        ("context.get(*keys)", []),
        ("other.get('c')", []),
        ("context.set('c', 1)", ["__flowrt_set_context__"]),
        ("global_.set('g', None)", ["__flowrt_set_global__"]),
        ("context.set('c')", []),  # a value is needed: the long way's error
        ("context.set('a.b', 1)", []),
        ("context.set(['a', 'b'], [1, 2])", []),
    ],
)
def test_only_a_read_of_a_plain_constant_key_takes_the_short_way(
    code: str, expected: list[str]
) -> None:
    assert reads(code) == expected


def test_reads_give_what_the_long_way_gives() -> None:
    code = """
    before = context.get('c')
    missing = context.get('c', 'none yet')
    context.set('c', {'n': 1})
    stored = context.get('c', 0)
    context.get('c')['n'] = 2   # the stored value itself, as the long way gives it
    flow.set('f', 'shared')
    global_.set('g', [1])
    after = [context.get('c'), flow.get('f'), global_.get('g'), context.get('c.n')]
    context.set('c', None)
    return {'payload': [before, missing, stored, after, context.get('c', 'deleted')]}
    """
    result = run_flow(script_flow(code), inputs=[{}])
    assert reads(code) == [
        "__flowrt_get_context__", "__flowrt_get_flow__", "__flowrt_get_global__",
        "__flowrt_set_context__", "__flowrt_set_flow__", "__flowrt_set_global__",
    ]
    assert result.errors == []
    assert result.payloads("s") == [
        [None, "none yet", {"n": 2}, [{"n": 2}, "shared", [1], 2], "deleted"]
    ]


def test_a_scope_rebound_by_the_script_gets_the_call_as_written() -> None:
    setup = """
    class Recorder:
        def get(self, *args):
            return ['recorded', *args]
    context = Recorder()
    """
    code = """
    return {'payload': [context.get('c', 0), flow.get('c', 0)]}
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[{}])
    assert reads(code) == ["__flowrt_get_context__", "__flowrt_get_flow__"]
    assert result.payloads("s") == [[["recorded", "c", 0], 0]]


def test_a_scope_rebound_while_the_default_is_made_reads_the_scope_looked_up_first() -> None:
    # scope.get is looked up before the default is made, on the long way and the short one
    setup = """
    def swap():
        global context
        context = {'c': 'the dict'}
        return 'default'
    """
    code = """
    first = context.get('c', swap())
    return {'payload': [first, context.get('c', 0)]}
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[{}])
    assert reads(code) == ["__flowrt_get_context__"]
    assert result.payloads("s") == [["default", "the dict"]]


def test_the_default_is_made_once() -> None:
    setup = """
    made = []
    def default():
        made.append(1)
        return len(made)
    """
    code = """
    value = context.get('c', default())
    return {'payload': [value, len(made)]}
    """
    result = run_flow(script_flow(code, setup=setup), inputs=[{}, {}])
    assert result.payloads("s") == [[1, 1], [2, 2]]


def test_a_failing_default_names_its_line() -> None:
    code = """
    x = 1
    return {'payload': context.get('c', 1 / 0)}
    """
    result = run_flow(script_flow(code), inputs=[{}])
    assert [e.message for e in result.errors] == ["ZeroDivisionError: division by zero (line 2)"]


def test_a_persistent_store_writes_what_the_short_way_set(tmp_path: Path) -> None:
    code = """
    context.set('count', (context.get('count', 0) or 0) + 1)
    context.set('gone', 1)
    context.set('gone', None)
    global_.set('last', msg['payload'])
    """
    assert reads(code) == [
        "__flowrt_get_context__", "__flowrt_set_context__", "__flowrt_set_global__"
    ]
    url = f"sqlite:///{tmp_path / 'context.db'}"
    plan, _ = build_plan(Project(documents=[load_text(script_flow(code), 'test.yaml')]), env={})

    async def run() -> None:
        harness = Harness(plan, stores=Stores(url))
        await harness.start()
        for payload in ("a", "b"):
            harness.send("s", {"payload": payload})
        await harness.run()
        await harness.stop()
        harness.stores.close()

    asyncio.run(run())
    again = Stores(url)
    assert again.scope("node:s").values == {"count": 2}
    assert again.scope("global").values == {"last": "b"}
