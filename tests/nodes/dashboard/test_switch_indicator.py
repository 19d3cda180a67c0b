"""ui-switch's `indicator`: `input` (the default) shows the last on or off value sent in;
`output` (node-red-dashboard's switch with pass-through off and its indicator on the output,
which its import sets) shows only what a person turned it to, so a message in changes
nothing shown and is not passed on. tests/nodered/test_same_shown_dashboard.py checks it
against node-red-dashboard's page."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from flowrt_nodes.dashboard.ui_switch import UiSwitch
from pydantic import ValidationError

from flowrt.testing import Harness

FLOW = """\
flowrt: 1
id: indicator
connections:
  board: {{type: dashboard, pages: [{{id: p, groups: [{{id: g, widgets: [w]}}]}}]}}
nodes:
  w: {{type: ui-switch, dashboard: board, on_value: 'on', off_value: 'off', {more}to: seen}}
  seen: {{type: debug}}
"""


def shown(tmp_path: Path, more: str, payloads: list[Any],
          turned: bool | None = None) -> tuple[dict[str, Any], list[Any]]:
    """What the switch shows after ``payloads`` are sent in (then a person ``turned`` it),
    and what it sent."""
    (tmp_path / "f.yaml").write_text(FLOW.format(more=more), encoding="utf-8")

    async def scenario() -> tuple[dict[str, Any], list[Any]]:
        async with Harness.load(tmp_path / "f.yaml") as harness:
            for payload in payloads:
                harness.send("w", {"payload": payload})
            await harness.run()
            node = harness.runtime.nodes["w"]
            assert isinstance(node, UiSwitch)
            if turned is not None:
                node.input_handler()(turned, {"socketid": "s1", "user": None,
                                              "address": "127.0.0.1"})
                await harness.run()
            assert harness.result.errors == []
            return (node.hub.state("w"),
                    [m.get("payload") for m in harness.result.sent("w")])

    return asyncio.run(scenario())


@pytest.mark.parametrize(("more", "expected"), [
    ("", {"on": True}),
    ("indicator: input, ", {"on": True}),
    ("indicator: output, ", {"on": False}),
])
def test_a_message_in_moves_the_switch_unless_it_shows_its_output(
        tmp_path: Path, more: str, expected: dict[str, Any]) -> None:
    assert shown(tmp_path, more, ["on"]) == (expected, [])


def test_a_switch_showing_its_output_shows_and_sends_what_a_person_turns(
        tmp_path: Path) -> None:
    assert shown(tmp_path, "indicator: output, ", ["on"], turned=True) == ({"on": True}, ["on"])
    assert shown(tmp_path, "indicator: output, ", [], turned=False) == ({"on": False}, ["off"])


def test_with_passthru_the_switch_follows_and_passes_on(tmp_path: Path) -> None:
    assert shown(tmp_path, "passthru: true, ", ["off", "on"]) == ({"on": True}, ["off", "on"])


def test_showing_the_output_needs_passthru_off() -> None:
    with pytest.raises(ValidationError, match="indicator: output needs passthru off"):
        UiSwitch.Config.model_validate({"dashboard": "board", "indicator": "output",
                                        "passthru": True})
    assert UiSwitch.Config.model_validate({"dashboard": "board"}).indicator == "input"
