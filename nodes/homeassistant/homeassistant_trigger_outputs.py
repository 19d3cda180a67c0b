"""trigger-state's custom outputs (Node-RED's `customOutputs`): after its two outputs, one more
per custom output, sent when the conditions hold and that output's own test passes."""

from __future__ import annotations

import json
from typing import Any, Literal

from flowrt.api import MISSING, Message, NodeConfig, NodeError, clone, field, get_property

from .homeassistant_call_service import _render
from .homeassistant_compare import Comparer
from .homeassistant_states import IfState, to_number

ValueType = Literal["str", "num", "bool", "json", "jsonata"]


class CustomOutput(NodeConfig):
    """One more output of trigger-state."""

    property: str = field("new_state.state", description="What is tested of the change: "
                          "`new_state.state`, `old_state.state`, `new_state.attributes.x`.")
    test: IfState | None = field(None, description="The test of `property`; none sends on "
                                 "this output every time the conditions hold.")
    message: Literal["default", "payload", "custom"] = field(
        "default", description="What is sent: the first output's message (`default`), a "
        "message with `value` as its payload only (`payload`), or `value`, an object, as the "
        "whole message (`custom`).")
    value: str = field("", description="The payload or the message, as `value_type` says; "
                       "`{{ new_state.state }}` placeholders are filled in from the change.",
                       examples=['{"brightness": 255}', "$outputData('eventData').entity_id"])
    value_type: ValueType = field(
        "json", description="How `value` is read: text, a number, `bool` (true for `true`), "
        "JSON, or a JSONata expression (the event as `$outputData('eventData')`).")


def prepare(outputs: list[CustomOutput], comparer: Comparer) -> None:
    """Compile the outputs' JSONata when the node starts, so a broken one fails it."""
    for output in outputs:
        if output.value_type == "jsonata" and output.value.strip():
            comparer.compile(output.value)


def custom_messages(outputs: list[CustomOutput], msg: Message,
                    comparer: Comparer) -> list[Message | None]:
    """The message of each custom output for the change in ``msg`` (whose conditions held):
    None where its test fails. NodeError when `custom` gives no object."""
    event = msg["data"]["event"]
    new, old = event.get("new_state"), event.get("old_state")
    out: list[Message | None] = []
    for output in outputs:
        if output.test is not None:
            actual = get_property(event, output.property, MISSING)
            if not comparer.if_state(output.test, None if actual is MISSING else actual,
                                     None, new, old):
                out.append(None)
                continue
        if output.message == "default":
            out.append(clone(msg))
            continue
        value = _value(output, event, msg["data"], comparer)
        if output.message == "payload":
            out.append({"payload": value})
        elif isinstance(value, dict):
            out.append(value)
        else:
            raise NodeError(f"a custom output's message must be an object; got {value!r}")
    return out


def _value(output: CustomOutput, event: dict[str, Any], data: dict[str, Any],
           comparer: Comparer) -> Any:
    text = _render(output.value, event) if "{{" in output.value else output.value
    match output.value_type:
        case "str":
            return text
        case "num":
            number = to_number(text)
            return int(number) if number.is_integer() else number
        case "bool":
            return text == "true"
        case "json":
            try:
                return json.loads(text)
            except ValueError:
                return None  # Node-RED's: nothing, for JSON it cannot read
    return comparer.evaluate(text, None, eventData=data) if text.strip() else None
