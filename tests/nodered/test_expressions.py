"""The import report on JSONata expressions: a node whose expression is in Node-RED's legacy
``msg.`` form says so; a node whose expression flowrt cannot compile is unsupported, with the
reason, and the import goes on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.check.test_values import UNCOMPILABLE
from tests.nodered.helpers import entry, errors, nr_import, run_imported, tab


def change(node_id: str, expression: str) -> dict[str, Any]:
    return {"id": node_id, "type": "change", "z": "t1", "wires": [["d1"]],
            "rules": [{"t": "set", "p": "payload", "pt": "msg", "to": expression,
                       "tot": "jsonata"}]}


def nodes(*more: dict[str, Any]) -> list[dict[str, Any]]:
    return [tab(), *more, {"id": "d1", "type": "debug", "z": "t1", "wires": []}]


def test_legacy_msg_expressions_are_noted_node_by_node() -> None:
    conversion = nr_import(nodes(
        change("c1", "$number(msg.payload) + 1"),
        change("c2", "'msg' & payload"),
        {"id": "s1", "type": "switch", "z": "t1", "property": "payload", "propertyType": "msg",
         "rules": [{"t": "jsonata_exp", "v": "msg.payload > 3", "vt": "jsonata"}],
         "outputs": 1, "wires": [["d1"]]},
        {"id": "j1", "type": "join", "z": "t1", "mode": "reduce", "reduceExp": "$A + msg.payload",
         "reduceInit": "0", "reduceInitType": "num", "reduceFixup": "", "wires": [["d1"]]},
    ))
    for nr_id in ("c1", "s1", "j1"):
        assert any("legacy form" in n for n in entry(conversion, nr_id).notes), nr_id
    assert entry(conversion, "c2").status == "mapped"
    assert errors(conversion) == []
    result = run_imported(conversion, [{"payload": "41"}], into="c1")
    assert [m["payload"] for m in result.received("d1")] == [42]


@pytest.mark.parametrize("expression", UNCOMPILABLE)
def test_an_uncompilable_expression_makes_its_node_unsupported(expression: str) -> None:
    conversion = nr_import(nodes(change("c1", expression)))
    found = entry(conversion, "c1")
    assert found.status == "unsupported"
    assert "invalid JSONata expression" in found.reason
    assert errors(conversion) == []
