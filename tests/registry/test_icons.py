"""Each node type's editor icon is one the editor has (ui/js/icons.js)."""

from __future__ import annotations

import re
from pathlib import Path

from flowrt.registry import default_registry

ICONS_JS = Path(__file__).resolve().parents[2] / "ui" / "js" / "icons.js"


def drawn() -> set[str]:
    text = ICONS_JS.read_text(encoding="utf-8")
    body = text[text.index("export const ICONS = {"):text.index("};")]
    return set(re.findall(r"^\s+(\w+):", body, re.M))


def test_every_icon_a_node_type_names_is_drawn() -> None:
    names = drawn()
    assert {"source", "transform", "sink"} <= names  # the categories' own
    for spec in default_registry():
        icon = spec.cls.icon
        assert not icon or icon in names, f"{spec.type}: no icon {icon!r} in {ICONS_JS.name}"


def test_the_core_nodes_have_icons_of_their_own() -> None:
    registry = default_registry()
    for type_ in ("inject", "debug", "function", "change", "switch", "mqtt-in", "http-in"):
        assert registry[type_].cls.icon, type_
