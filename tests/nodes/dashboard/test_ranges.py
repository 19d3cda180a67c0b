"""The range of ui-slider, ui-numeric and ui-gauge: one rule, `max` above `min`, whatever
each widget's defaults and words; the gauge's own rule on its sectors still applies."""

from __future__ import annotations

from typing import Any

import pytest
from flowrt_nodes.dashboard.ui_gauge import UiGauge
from flowrt_nodes.dashboard.ui_numeric import UiNumeric
from flowrt_nodes.dashboard.ui_slider import UiSlider
from pydantic import ValidationError

WIDGETS = [UiSlider, UiNumeric, UiGauge]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: w.type)
@pytest.mark.parametrize(("low", "high"), [(5, 5), (5, 4), (0, -1)])
def test_max_not_above_min_is_refused(widget: Any, low: float, high: float) -> None:
    with pytest.raises(ValidationError, match=rf"max \({high:g}\) must be above min "
                       rf"\({low:g}\)"):
        widget.Config(dashboard="board", min=low, max=high)


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: w.type)
def test_max_above_min_is_taken(widget: Any) -> None:
    config = widget.Config(dashboard="board", min=-2.5, max=-2)
    assert (config.min, config.max) == (-2.5, -2)


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: w.type)
def test_a_default_max_below_a_given_min_is_refused(widget: Any) -> None:
    above = widget.Config.model_fields["max"].default + 1
    with pytest.raises(ValidationError, match="must be above min"):
        widget.Config(dashboard="board", min=above)


def test_the_gauge_still_checks_its_sectors() -> None:
    with pytest.raises(ValidationError, match="increasing `to` order"):
        UiGauge.Config(dashboard="board", sectors=[{"to": 50, "color": "red"},
                                                   {"to": 10, "color": "green"}])
