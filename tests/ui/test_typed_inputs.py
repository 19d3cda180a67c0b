"""Typed inputs in Chromium: values are typed as plain text beside a type selector (text, number,
JSONata, msg., flow. ...), and the flow file keeps a literal where one is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from ruamel.yaml import YAML

from tests.ui.conftest import Served
from tests.ui.test_editor import field, select

FLOW = """\
flowrt: 1
id: typed
label: Typed
nodes:
  tick: {type: inject, to: route}
  route:
    type: switch
    rules: [{gt: 5}, {else: true}]
layout:
  tick: [80, 100]
  route: [320, 100]
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"typed.yaml": FLOW}


def saved(page: Any, served: Served) -> dict[str, Any]:
    page.keyboard.press("Control+s")
    expect(page.locator("#save")).to_be_disabled()
    data: dict[str, Any] = YAML(typ="safe").load((served.flows / "typed.yaml").read_text())
    return data["nodes"]


def kind(page: Any, key: str) -> Any:
    return page.locator(f"#panel-props select[data-typed='{key}']")


def test_plain_text_numbers_and_expressions_without_json(page: Any, served: Served) -> None:
    select(page, "tick")
    field(page, "topic").fill("greeting")
    expect(page.locator("#panel-props [data-field='topic'] .field-error")).to_be_empty()
    kind(page, "payload").select_option("num")
    field(page, "payload").fill("4x")
    expect(page.locator("#panel-props [data-field='payload'] .field-error")).to_contain_text(
        "not a number")
    field(page, "payload").fill("42")
    nodes = saved(page, served)
    assert nodes["tick"]["topic"] == "greeting"
    assert nodes["tick"]["payload"] == 42

    kind(page, "payload").select_option("jsonata")
    field(page, "payload").fill("$round(3.7)")
    kind(page, "topic").select_option("env")
    field(page, "topic").fill("SITE")
    nodes = saved(page, served)
    assert nodes["tick"]["payload"] == {"type": "jsonata", "value": "$round(3.7)"}
    assert nodes["tick"]["topic"] == {"type": "env", "value": "SITE"}

    # opened again, the form shows each value with its type
    select(page, "route")
    select(page, "tick")
    expect(kind(page, "payload")).to_have_value("jsonata")
    expect(field(page, "payload")).to_have_value("$round(3.7)")
    expect(kind(page, "topic")).to_have_value("env")


def test_a_property_field_takes_a_path_or_another_typed_value(page: Any, served: Served) -> None:
    select(page, "route")
    expect(kind(page, "property")).to_have_value("msg")
    field(page, "property").fill("payload.reading")
    assert saved(page, served)["route"]["property"] == "payload.reading"
    kind(page, "property").select_option("flow")
    field(page, "property").fill("limit")
    assert saved(page, served)["route"]["property"] == {"type": "flow", "value": "limit"}
    kind(page, "property").select_option("msg")
    field(page, "property").fill("")
    assert "property" not in saved(page, served)["route"]
