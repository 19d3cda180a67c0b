"""The comparator of wait-until and get-entities as node-red-contrib-home-assistant-websocket's
ComparatorService answers (its facts: JavaScript's `===`, `<` and `parseFloat`, lists split at
commas, `$entity()` in JSONata)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flowrt_nodes.homeassistant.homeassistant_compare import Comparer, EntityTest, parse_float
from pydantic import ValidationError

from flowrt.api import MISSING
from tests.expressions.test_typed_value import Stores

LIGHT = {"entity_id": "light.kitchen", "state": "on",
         "attributes": {"brightness": 200, "friendly_name": "Kitchen"}}
STATES = {"light.kitchen": LIGHT, "group.downstairs": {
    "entity_id": "group.downstairs", "state": "on",
    "attributes": {"entity_id": ["light.kitchen", "light.hall"]}}}


def holds(actual: Any, entity: Any = LIGHT, msg: Any = None, **test: Any) -> bool:
    rule = EntityTest(**test)
    comparer = Comparer(Stores(), [rule], lambda: STATES,
                        lambda v: re.fullmatch("on|true", str(v)) is not None)
    return comparer.holds(rule, actual, msg if msg is not None else {}, entity=entity)


@pytest.mark.parametrize(("actual", "test", "expected"), [
    ("on", {"value": "on"}, True),
    ("on", {"value": "on", "comparator": "is_not"}, False),
    (200, {"value": "200"}, False),  # "200" === 200 is false in JavaScript
    (200, {"value": "200", "type": "num"}, True),
    (200, {"value": "150", "comparator": "gt"}, True),  # 200 > "150": as numbers
    ("9", {"value": "10", "comparator": "gt"}, True),  # "9" > "10": as texts
    (True, {"value": "true", "type": "bool"}, True),
    ("on", {"value": "true", "type": "bool"}, False),
    (True, {"value": "on", "type": "habool"}, True),
    ("kitchen", {"value": "^kit", "type": "re"}, True),
    ("on", {"value": "off, on", "comparator": "includes"}, True),
    ("on", {"value": "off,dim", "comparator": "does_not_include"}, True),
    (200, {"value": "100,200", "comparator": "includes"}, False),  # a list of texts
    ("light.kitchen", {"value": "light.", "comparator": "starts_with"}, True),
    ("light.kitchen", {"value": "", "comparator": "starts_with"}, False),
    ("living room", {"value": "room", "comparator": "cont"}, True),
    ("light.kitchen", {"value": "group.downstairs", "comparator": "in_group"}, True),
    ("light.attic", {"value": "group.downstairs", "comparator": "in_group"}, False),
    (MISSING, {"value": "x", "comparator": "is_not"}, True),
    (MISSING, {"value": "1", "comparator": "lt", "type": "num"}, False),  # NaN
    (None, {"value": "1", "comparator": "lt", "type": "num"}, True),  # null < 1
    (200, {"value": "attributes.brightness", "type": "entity"}, True),
    (200, {"value": "$entity().attributes.brightness", "type": "jsonata"}, True),
])
def test_a_value_compared_as_the_package_compares(actual: Any, test: dict[str, Any],
                                                   expected: bool) -> None:
    assert holds(actual, **test) is expected


def test_a_jsonata_test_sees_the_entity_the_message_and_the_states() -> None:
    expression = ("$entity().attributes.brightness > payload and "
                  "$entities('group.downstairs').state = 'on'")
    assert holds(MISSING, msg={"payload": 100}, comparator="jsonata", value=expression)
    assert not holds(MISSING, msg={"payload": 250}, comparator="jsonata", value=expression)
    assert not holds(MISSING, comparator="jsonata", value="'yes'")  # true, nothing else
    assert holds(MISSING, comparator="jsonata", value="")


def test_a_value_from_the_message() -> None:
    assert holds("on", msg={"want": "on"}, value="want", type="msg")
    assert not holds("on", msg={}, value="want", type="msg")


def test_a_broken_regular_expression_is_refused_with_the_configuration() -> None:
    with pytest.raises(ValidationError):
        EntityTest(value="(unclosed", type="re")


@pytest.mark.parametrize(("text", "number"), [("12.5abc", 12.5), ("  -3", -3.0), ("1e3", 1000.0),
                                              (".5", 0.5)])
def test_parse_float_reads_the_number_a_text_starts_with(text: str, number: float) -> None:
    assert parse_float(text) == number


def test_parse_float_of_no_number_is_nan() -> None:
    assert parse_float("abc") != parse_float("abc")


def test_wait_until_refuses_a_broken_regular_expression_of_entities() -> None:
    from flowrt_nodes.homeassistant.homeassistant_wait_until import HomeassistantWaitUntil

    with pytest.raises(ValidationError, match="regular expression"):
        HomeassistantWaitUntil.Config(server="home", entity_id="(unclosed",
                                      entity_id_type="regex", until={})
