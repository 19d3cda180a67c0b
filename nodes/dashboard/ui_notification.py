"""ui-notification: a message shown for a moment in a corner of every browser (a toast)."""

from __future__ import annotations

import itertools
import json
from typing import Any, ClassVar, Literal

from flowrt.api import MISSING, Message, Output, Transform, field, get_property, js_string

from .widget import Widget, WidgetConfig

Position = Literal["top right", "top left", "bottom right", "bottom left", "top", "bottom"]


class UiNotification(Widget, Transform):
    """Shows `msg.payload` as a notification that goes after `display_time` seconds.

    ### Inputs

    : payload (any) : the text (objects as JSON).
    : topic (string) : its title (none: no title).
    : socketid (string) : shows it in that browser only (else in every browser open).

    ### Details

    A notification is not placed in a group: it shows over the page, in `position`. The text
    is written as text, never as HTML. A browser that connects later does not get the
    notifications already shown.

    ```yaml
    nodes:
      alert:
        type: ui-notification
        dashboard: board
        position: top right
        display_time: 5
    ```
    """

    type = "ui-notification"
    kind = "notification"
    category = "sink"
    outputs = 0
    placed: ClassVar[bool] = False

    class Config(WidgetConfig):
        position: Position = field("top right", description="Where it shows.")
        display_time: float = field(3, ge=0.5, le=3600, description="Seconds it shows.")
        highlight: str = field("", description="A CSS colour for its edge (default: the "
                               "theme's).", pattern=r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})?$")

    config: Config

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"position": c.position, "display_time": c.display_time,
                "highlight": c.highlight}

    def initial(self) -> dict[str, Any]:
        return {"seq": 0}

    def process(self, msg: Message) -> Output:
        payload = get_property(msg, "payload")
        topic = msg.get("topic")
        counter = getattr(self, "_seq", None)
        if counter is None:
            counter = self._seq = itertools.count(1)
        self.show({"seq": next(counter),
                   "title": "" if topic in (None, "") else js_string(topic),
                   "message": "" if payload is MISSING or payload is None else
                   js_string(payload) if not isinstance(payload, dict | list) else
                   _json(payload)}, msg)
        return None


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)
