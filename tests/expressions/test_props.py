from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import NodeError
from flowrt.expressions.props import (
    MISSING,
    Ref,
    delete_property,
    get_property,
    getter,
    parse_path,
    set_property,
    setter,
)


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("payload", ("payload",)),
        ("payload.a.b", ("payload", "a", "b")),
        ('payload["a b"]', ("payload", "a b")),
        ("payload['a.b']", ("payload", "a.b")),
        ("payload.list[0]", ("payload", "list", 0)),
        ("payload['x'][2].y", ("payload", "x", 2, "y")),
        ('a["say \\"hi\\""]', ("a", 'say "hi"')),
        ("a[ 3 ]", ("a", 3)),
        ("a[0][1]", ("a", 0, 1)),
        ("a-b.c_d", ("a-b", "c_d")),
        ("a.0", ("a", "0")),
    ],
)
def test_parse_path(path: str, keys: tuple[Any, ...]) -> None:
    assert parse_path(path) == keys


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("", "empty"),
        (".a", "before '.'"),
        ("a.", "after '.'"),
        ("a..b", "before '.'"),
        ("a[", "not closed"),
        ("a[b]", "number or a quoted name"),
        ("a['b", "unterminated"),
        ("a['b'x]", "expected ']'"),
        ("a[0]b", "after ']'"),
        ("[0]", "starts with a name"),
        ("a.[0]", "a[0], not a.[0]"),
        ("a]", "unexpected"),
        ("a[msg.b", "not closed"),
        ("a[msg.]", "nested reference [msg.]"),
    ],
)
def test_parse_path_rejects(path: str, why: str) -> None:
    with pytest.raises(ValueError, match="invalid property path|cannot be empty") as info:
        parse_path(path)
    assert why in str(info.value)


MSG = {
    "payload": {"a": {"b": 1}, "list": [10, 20, {"y": "deep"}], "a b": 2, "0": "zero"},
    "topic": "t",
    "nothing": None,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("payload.a.b", 1),
        ("payload.list[1]", 20),
        ("payload.list.1", 20),
        ("payload.list[2].y", "deep"),
        ('payload["a b"]', 2),
        ("payload[0]", "zero"),
        ("payload.list.length", 3),
        ("topic.length", 1),
        ("topic", "t"),
        ("nothing", None),
        ("payload.missing", MISSING),
        ("payload.missing.deeper", MISSING),
        ("payload.list[9]", MISSING),
        ("topic.x", MISSING),
        ("nothing.x", MISSING),
        ("absent", MISSING),
    ],
)
def test_get_property(path: str, expected: Any) -> None:
    assert get_property(MSG, path) == expected
    assert getter(path)(MSG) == expected


def test_get_property_default() -> None:
    assert get_property({}, "a.b", default=5) == 5
    assert get_property({}, "a", default=None) is None


@pytest.mark.parametrize(
    ("start", "path", "value", "result", "ok"),
    [
        ({}, "payload", 1, {"payload": 1}, True),
        ({}, "payload.a.b", 1, {"payload": {"a": {"b": 1}}}, True),
        ({}, "payload.list[1]", "x", {"payload": {"list": [None, "x"]}}, True),
        ({}, "a[0].b", 1, {"a": [{"b": 1}]}, True),
        ({}, "a[0][1]", 1, {"a": [[None, 1]]}, True),
        ({"a": [1, 2]}, "a[1]", 9, {"a": [1, 9]}, True),
        ({"a": [1]}, "a.0", 9, {"a": [9]}, True),
        ({"a": "text"}, "a.b", 1, {"a": "text"}, False),
        ({"a": None}, "a.b", 1, {"a": None}, False),
        ({"a": 5}, "a[0]", 1, {"a": 5}, False),
        ({"a": {"x": 1}}, "a.y", 2, {"a": {"x": 1, "y": 2}}, True),
        ({"a": [{}]}, "a.0.b", 1, {"a": [{"b": 1}]}, True),
        ({"a": {"b": "s"}}, "a.b.c", 1, {"a": {"b": "s"}}, False),
        ({"a": 1}, "a", MISSING, {}, True),
    ],
)
def test_set_property(
    start: dict[str, Any], path: str, value: Any, result: dict[str, Any], ok: bool
) -> None:
    first, second = _copy(start), _copy(start)
    assert set_property(first, path, value) is ok
    assert first == result
    assert setter(path)(second, value) is ok
    assert second == result


@pytest.mark.parametrize(
    ("start", "path", "result", "removed"),
    [
        ({"a": 1, "b": 2}, "a", {"b": 2}, True),
        ({"a": {"b": 1, "c": 2}}, "a.b", {"a": {"c": 2}}, True),
        ({"a": [1, 2, 3]}, "a[1]", {"a": [1, 3]}, True),
        ({"a": {"0": 1}}, "a[0]", {"a": {}}, True),
        ({"a": 1}, "b.c", {"a": 1}, False),
        ({"a": [1]}, "a[5]", {"a": [1]}, False),
        ({"a": "s"}, "a.b", {"a": "s"}, False),
    ],
)
def test_delete_property(
    start: dict[str, Any], path: str, result: dict[str, Any], removed: bool
) -> None:
    msg = _copy(start)
    assert delete_property(msg, path) is removed
    assert msg == result


def test_missing_is_a_falsy_singleton() -> None:
    import copy

    assert not MISSING
    assert copy.deepcopy(MISSING) is MISSING
    assert repr(MISSING) == "MISSING"


def test_single_key_getter_is_close_to_dict_get() -> None:
    import timeit

    msg = {"payload": 1}
    get = getter("payload")
    n = 200_000
    plain = min(timeit.repeat(lambda: msg.get("payload"), number=n, repeat=5))
    ours = min(timeit.repeat(lambda: get(msg), number=n, repeat=5))
    assert ours < plain * 4


def _copy(data: Any) -> Any:
    import copy

    return copy.deepcopy(data)


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("payload[msg.topic]", ("payload", Ref(("topic",), "msg.topic"))),
        ("lookup[msg.topic].value", ("lookup", Ref(("topic",), "msg.topic"), "value")),
        ('a[msg["k j"]]', ("a", Ref(("k j",), 'msg["k j"]'))),
        (
            "a[msg.b[msg.c]][0]",
            ("a", Ref(("b", Ref(("c",), "msg.c")), "msg.b[msg.c]"), 0),
        ),
        ("a[msg.x[']']]", ("a", Ref(("x", "]"), "msg.x[']']"))),
    ],
)
def test_parse_nested_references(path: str, keys: tuple[Any, ...]) -> None:
    assert parse_path(path) == keys


def test_nested_reference_selects_the_key_per_message() -> None:
    read = getter("payload[msg.topic]")
    assert read({"topic": "a", "payload": {"a": 1, "b": 2}}) == 1
    assert read({"topic": "b", "payload": {"a": 1, "b": 2}}) == 2
    assert get_property({"i": 1, "list": [5, 6]}, "list[msg.i]") == 6
    assert get_property({"i": 1.0, "list": [5, 6]}, "list[msg.i]") == 6
    assert get_property({"k": "b", "l": {"a": {"b": 3}}, "j": "a"}, "l[msg.j][msg.k]") == 3
    assert get_property({"t": "x", "p": {}}, "p[msg.t].deeper") is MISSING


def test_nested_reference_sets_and_deletes() -> None:
    msg: dict[str, Any] = {"topic": "b", "lookup": {"a": 1, "b": 2}}
    assert setter("lookup[msg.topic]")(msg, "new") is True
    assert msg["lookup"] == {"a": 1, "b": "new"}
    assert set_property(msg, "made[msg.topic].x", 1) is True
    assert msg["made"] == {"b": {"x": 1}}
    assert delete_property(msg, "lookup[msg.topic]") is True
    assert msg["lookup"] == {"a": 1}


def test_nested_reference_read_from_another_root() -> None:
    holder = {"lookup": {"a": 1}}
    assert get_property(holder, "lookup[msg.topic]", root={"topic": "a"}) == 1
    assert set_property(holder, "lookup[msg.topic]", 2, root={"topic": "c"}) is True
    assert holder == {"lookup": {"a": 1, "c": 2}}


@pytest.mark.parametrize(
    ("msg", "what"),
    [({}, "missing"), ({"t": {"a": 1}}, "object"), ({"t": None}, "null"),
     ({"t": True}, "boolean"), ({"t": [1]}, "array")],
)
def test_nested_reference_that_is_not_a_key_is_an_error(msg: dict[str, Any], what: str) -> None:
    with pytest.raises(NodeError, match=rf"\[msg\.t\] .* is (a )?{what}"):
        get_property({**msg, "p": {}}, "p[msg.t]")
    with pytest.raises(NodeError, match="must be a string or a number"):
        setter("p[msg.t]")(msg, 1)
