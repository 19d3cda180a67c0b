"""The moment family's mapping (flowrt/nodered/families/moment.py): node-red-contrib-moment's
moment and humanizer nodes as exports write them, what cannot be imported, and back."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.families.moment import export_humanizer, export_moment
from tests.nodered.helpers import entry, node, nr_import, tab

MOMENT = {"id": "m", "type": "moment", "z": "t1", "name": "", "topic": "", "input": "",
          "inputType": "msg", "inTz": "Europe/Berlin", "adjAmount": 0, "adjType": "days",
          "adjDir": "add", "format": "", "locale": "C", "output": "payload",
          "outputType": "msg", "outTz": "Europe/Berlin", "wires": [[]]}


def made(**props: Any) -> dict[str, Any]:
    conversion = nr_import([tab(), {**MOMENT, **props}])
    found = entry(conversion, "m")
    assert found.status != "unsupported", found.reason
    return node(conversion, "m")


def test_the_example_flow_node() -> None:
    assert made() == {"type": "moment", "input_timezone": "Europe/Berlin", "locale": "C"}


def test_every_field() -> None:
    got = made(topic="t", input="msg.when", inTz="UTC", outTz="Asia/Tokyo", adjAmount="2",
               adjType="h", adjDir="subtract", format="YYYY-MM-DD", locale="en_GB",
               output="out.text")
    assert got == {"type": "moment", "input": "when", "input_timezone": "UTC",
                   "output_timezone": "Asia/Tokyo", "adjust_amount": 2, "adjust_unit": "h",
                   "adjust_direction": "subtract", "format": "YYYY-MM-DD",
                   "locale": "en_GB", "output": "out.text", "topic": "t"}


def test_context_input_and_output_and_an_empty_locale() -> None:
    got = made(input="stamp", inputType="flow", output="shown", outputType="global",
               locale="", inTz="", outTz="")
    assert got == {"type": "moment", "input_type": "flow", "input": "stamp",
                   "output_type": "global", "output": "shown"}


def test_a_foreign_locale_imports_only_where_it_changes_nothing() -> None:
    assert made(locale="de", format="YYYY-MM-DD HH:mm")["format"] == "YYYY-MM-DD HH:mm"
    for fmt in ("dddd", "LLL", "fromNow"):
        found = entry(nr_import([tab(), {**MOMENT, "locale": "de", "format": fmt}]), "m")
        assert found.status == "unsupported" and "English" in found.reason


def test_a_javascript_date_output_is_unsupported() -> None:
    found = entry(nr_import([tab(), {**MOMENT, "format": "jsDate"}]), "m")
    assert found.status == "unsupported" and "Date" in found.reason


def test_humanizer() -> None:
    conversion = nr_import([tab(), {"id": "h", "type": "humanizer", "z": "t1", "topic": "",
                                    "input": "secs", "wires": [[]]}])
    assert node(conversion, "h") == {"type": "humanizer", "input": "secs"}


@pytest.mark.parametrize("config", [
    {"input_timezone": "UTC", "format": "LLLL", "locale": "en-gb", "adjust_amount": 1.5,
     "adjust_unit": "hours"},
    {"input_type": "date", "output_type": "flow", "output": "now", "topic": "x"},
    {"output_timezone": "Asia/Tokyo"},
])
def test_export_and_back(config: dict[str, Any]) -> None:
    exported = {"id": "m", "type": "moment", "z": "t1", **export_moment(config), "wires": [[]]}
    back = node(nr_import([tab(), exported]), "m")
    assert back == {"type": "moment", **config}
    assert export_humanizer({"input": "s"})["input"] == "s"


def test_english_locales_fall_back_as_in_moment() -> None:
    from flowrt_nodes.datetime.moment_format import ENGLISH_VARIANTS

    from flowrt.nodered.families import moment

    assert sorted((*moment._OWN_ENGLISH, "gb")) == sorted(ENGLISH_VARIANTS)
    assert made(locale="en_EN", format="LLL")["locale"] == "en_EN"
    found = entry(nr_import([tab(), {**MOMENT, "locale": "en_AU", "format": "L"}]), "m")
    assert found.status == "unsupported"
