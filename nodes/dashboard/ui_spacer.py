"""ui-spacer: an empty cell of a group's grid."""

from __future__ import annotations

from flowrt.api import Message, Output, Transform

from .widget import Widget, WidgetConfig


class UiSpacer(Widget, Transform):
    """Takes its place in a group and shows nothing: it pushes the next widgets along.

    ### Details

    Size it in the layout (`{node: gap, width: 2}`). It has no input.

    ```yaml
    nodes:
      gap: {type: ui-spacer, dashboard: board}
    ```
    """

    type = "ui-spacer"
    kind = "spacer"
    inputs = 0
    outputs = 0

    class Config(WidgetConfig):
        pass

    config: Config

    def process(self, msg: Message) -> Output:
        return None
