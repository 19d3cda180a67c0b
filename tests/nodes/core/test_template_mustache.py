"""The mustache renderer's fast path gives the same text as pystache, for any variable-only
template and any JSON-like message."""

from __future__ import annotations

from typing import Any

import pystache
from flowrt_nodes.core.context_store import ContextStore
from flowrt_nodes.core.template_mustache import (
    NodeRedRenderer,
    Resolver,
    compile_mustache,
    fast_parts,
    to_text,
)
from hypothesis import given
from hypothesis import strategies as st


class Memory(dict[str, Any]):
    def set(self, key: str, value: Any) -> None:
        self[key] = value

    def keys(self) -> list[str]:  # type: ignore[override]
        return list(super().keys())


FLOW = ContextStore(Memory(site="north", nested={"a": [1, 2]}))
GLOBAL = ContextStore(Memory(region="<eu>"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=True),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner),
    max_leaves=8,
)
messages = st.dictionaries(st.sampled_from(["payload", "topic", "a", "b"]), values)
names = st.sampled_from(
    [
        "payload",
        "payload.a",
        "payload.b.c",
        "payload.0",
        "payload.length",
        "topic",
        "a.b",
        ".",
        "flow.site",
        "flow.nested.a",
        "global.region",
        "missing",
        "a.1",
    ]
)
tags = st.builds(
    lambda name, form: form.format(name),
    names,
    st.sampled_from(["{{{{{}}}}}", "{{{{ {} }}}}", "{{{{{{{}}}}}}}", "{{{{& {}}}}}"]),
)
texts = st.text(alphabet="ab <&>'\n", max_size=4)
templates = st.lists(st.tuples(texts, tags), max_size=4).map(
    lambda pairs: "".join(text + tag for text, tag in pairs)
)


@given(templates, messages, st.booleans())
def test_fast_path_matches_pystache(template: str, msg: dict[str, Any], json_out: bool) -> None:
    resolve = Resolver(FLOW, GLOBAL, json_out)
    assert fast_parts(template) is not None
    fast = compile_mustache(template, resolve)(msg)
    slow = NodeRedRenderer(resolve).render(pystache.parse(template), msg)
    assert fast == slow


def test_sections_take_the_pystache_path() -> None:
    assert fast_parts("{{#a}}x{{/a}}") is None
    assert fast_parts("{{=<% %>=}}") is None
    assert fast_parts("a {{b}} c") == [("a ", "b", True), (" c", "", False)]


def test_values_print_as_javascript_does() -> None:
    cases = [
        (None, ""),
        (True, "true"),
        (2.0, "2"),
        (0.5, "0.5"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (1e-7, "1e-7"),
        (1.234e-5, "0.00001234"),
        (1.5e16, "15000000000000000"),
        (2.6213122247236043e19, "26213122247236043000"),
        (1e21, "1e+21"),
        (-0.0, "0"),
        ([1, None, [2, 3]], "1,,2,3"),
        ({"a": 1}, '{"a":1}'),
        (b"hi", "hi"),
    ]
    assert [to_text(value) for value, _ in cases] == [text for _, text in cases]
