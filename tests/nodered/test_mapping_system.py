"""The system family's mappings (flowrt/nodered/families/system.py): Node-RED's exec and watch
nodes, as the editor writes them and as older exports do, and back."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.families.system import export_exec, export_watch
from tests.nodered.helpers import entry, errors, node, nr_import, tab

EXEC = {"id": "e", "type": "exec", "command": "ls", "addpay": "", "append": "",
        "useSpawn": "false", "timer": "", "winHide": False, "oldrc": False}


def imported(**props: Any) -> Any:
    return nr_import([tab(), {"z": "t1", "wires": [[], [], []], **EXEC, **props}])


@pytest.mark.parametrize(("props", "config"), [
    ({}, {"command": "ls", "property": None, "shell": True}),
    ({"addpay": True, "append": " -l "}, {"command": "ls", "append": "-l", "shell": True}),
    ({"addpay": "payload"}, {"command": "ls", "shell": True}),
    ({"addpay": "msg.topic"}, {"command": "ls", "property": "topic", "shell": True}),
    ({"useSpawn": "true", "timer": "2.5"},
     {"command": "ls", "property": None, "mode": "spawn", "timeout": 2.5}),
    ({"oldrc": "true", "command": "  df -h  "},
     {"command": "df -h", "property": None, "shell": True, "old_rc": True}),
])
def test_exec_imports(props: dict[str, Any], config: dict[str, Any]) -> None:
    conversion = imported(**props)
    assert not errors(conversion)
    assert node(conversion, "e") == {"type": "exec", **config}


def test_addpay_missing_means_payload_as_in_node_red() -> None:
    conversion = nr_import([tab(), {"id": "e", "type": "exec", "z": "t1", "command": "ls",
                                    "wires": [[], [], []]}])
    assert "property" not in node(conversion, "e")


def test_exec_mode_says_it_runs_in_a_shell() -> None:
    (note,) = entry(imported(), "e").notes
    assert "shell: true" in note and "shell: false" in note
    assert entry(imported(useSpawn="true"), "e").notes == []


def test_an_exec_node_without_a_command_is_unsupported() -> None:
    conversion = imported(command=" ", addpay="payload")
    assert entry(conversion, "e").status == "unsupported"
    assert "no command" in entry(conversion, "e").reason


def test_watch_imports_its_comma_separated_list() -> None:
    conversion = nr_import([tab(), {"id": "w", "type": "watch", "z": "t1",
                                    "files": "/srv/a, /srv/b ,logs", "recursive": True,
                                    "wires": [[]]}])
    assert node(conversion, "w") == {"type": "watch", "files": ["/srv/a", "/srv/b", "logs"],
                                     "recursive": True}
    empty = nr_import([tab(), {"id": "w", "type": "watch", "z": "t1", "files": "",
                               "wires": [[]]}])
    assert entry(empty, "w").status == "unsupported"


def test_exports_and_what_has_no_counterpart() -> None:
    assert export_exec({"command": "ls", "shell": True, "timeout": 3}) == {
        "command": "ls", "addpay": "payload", "append": "", "useSpawn": "false", "timer": "3",
        "winHide": False, "oldrc": False}
    assert export_exec({"command": "ls", "mode": "spawn", "property": None})["addpay"] == ""
    with pytest.raises(NoCounterpart, match="always runs the command in a shell"):
        export_exec({"command": "ls"})
    with pytest.raises(NoCounterpart, match="spawn mode runs no shell"):
        export_exec({"command": "ls", "mode": "spawn", "shell": True})
    assert export_watch({"files": ["a", "b"]}) == {"files": "a,b", "recursive": False}
    with pytest.raises(NoCounterpart):
        export_watch({"files": ["a,b"]})
