"""The gauge's shapes and the chart's types both ways: node-red-dashboard's `gtype` gage, donut,
compass and wave and Dashboard 2's gauge-half, gauge-34, gauge-tile, gauge-battery and
gauge-tank import as flowrt's ui-gauge shapes (a compass and a wave without sectors: Node-RED
draws them in the theme's colour); the export writes node-red-dashboard's four back, and
flowrt's shapes it has not as its dial. node-red-dashboard's chart types horizontalBar, radar
and polarArea import as flowrt's `chart_type` horizontal-bar, radar and polar-area and export
back. Every import passes `flowrt validate`."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.families.dashboard_export import export_chart, export_gauge
from tests.nodered.helpers import entry, errors, node, nr_import
from tests.nodered.test_mapping_dashboard import CHART, GAUGE, dashboard_export
from tests.nodered.test_mapping_dashboard2 import export as dashboard2_export


def _v1(gtype: str) -> list[dict[str, Any]]:
    return [{**GAUGE, "gtype": gtype} if n.get("id") == "gau" else n
            for n in dashboard_export()]


@pytest.mark.parametrize(("gtype", "shape", "sectors"), [
    ("gage", None, 3), ("donut", "donut", 3), ("compass", "compass", 0), ("wave", "wave", 0)])
def test_node_red_dashboard_shapes(gtype: str, shape: str | None, sectors: int) -> None:
    conversion = nr_import(_v1(gtype))
    made = node(conversion, "gau")
    assert (made.get("gtype"), len(made["sectors"])) == (shape, sectors)
    assert not any("gauge is drawn" in n for n in entry(conversion, "gau").notes)
    assert not errors(conversion), errors(conversion)
    assert export_gauge(made)["gtype"] == gtype


def test_an_unknown_shape_is_the_dial_and_said() -> None:
    conversion = nr_import(_v1("rainbow"))
    assert "gtype" not in node(conversion, "gau")
    assert any("`rainbow` gauge" in n for n in entry(conversion, "gau").notes)


@pytest.mark.parametrize(("gtype", "shape"), [
    ("gauge-half", None), ("gauge-34", "three-quarter"), ("gauge-tile", "tile"),
    ("gauge-battery", "battery"), ("gauge-tank", "tank")])
def test_dashboard_2_shapes(gtype: str, shape: str | None) -> None:
    nodes = [{**n, "gtype": gtype} if n.get("id") == "gau" else n
             for n in dashboard2_export()]
    conversion = nr_import(nodes)
    made = node(conversion, "gau")
    assert made.get("gtype") == shape
    assert [s["color"] for s in made["sectors"]] == ["#5cd65c", "#ffc800", "#ea5353"]
    assert not any("gauge is drawn" in n for n in entry(conversion, "gau").notes)
    assert not errors(conversion), errors(conversion)
    assert export_gauge(made)["gtype"] == "gage"  # node-red-dashboard has no such shape


@pytest.mark.parametrize(("chart", "kind"), [
    ("line", None), ("bar", "bar"), ("horizontalBar", "horizontal-bar"), ("pie", "pie"),
    ("radar", "radar"), ("polarArea", "polar-area")])
def test_node_red_dashboard_charts(chart: str, kind: str | None) -> None:
    nodes = [{**CHART, "chartType": chart} if n.get("id") == "cha" else n
             for n in dashboard_export()]
    conversion = nr_import(nodes)
    made = node(conversion, "cha")
    assert made.get("chart_type") == kind
    assert not errors(conversion), errors(conversion)
    assert export_chart(made)["chartType"] == chart
