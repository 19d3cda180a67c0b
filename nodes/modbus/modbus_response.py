"""modbus-response: show the last Modbus answer in the node's status."""

from __future__ import annotations

import json
from typing import Any

from flowrt.api import Message, NodeConfig, Output, Transform, field


class ModbusResponse(Transform):
    """Show what a modbus node answered in this node's status, as node-red-contrib-modbus's
    `modbus-response`; it sends nothing.

    ### Inputs

    - `payload`: a modbus node's second output (`{data, buffer}` for a read, `{address,
      ...}` for a write), or anything else.

    ### Details

    A response with `data` shows its values, or, past `register_show_max` of them, only
    how many; any other payload shows as JSON text. Wire it where Node-RED flows had it: it
    is a status display, like a debug node that writes to the status instead of the log.

    ```yaml
    answer:
      type: modbus-response
      register_show_max: 20
    ```
    """

    type = "modbus-response"
    icon = "log"
    category = "sink"
    outputs = 0
    mutates = False

    class Config(NodeConfig):
        register_show_max: int = field(
            20, ge=0, description="Show at most this many values; past it, their number."
        )

    config: Config

    def process(self, msg: Message) -> Output:
        payload = msg.get("payload")
        shown: Any = payload
        if isinstance(payload, dict) and isinstance(payload.get("data"), list):
            data = payload["data"]
            shown = (f"{len(data)} registers" if len(data) > self.config.register_show_max
                     else data)
        elif isinstance(payload, list) and len(payload) > self.config.register_show_max:
            shown = f"{len(payload)} registers"
        text = shown if isinstance(shown, str) else json.dumps(shown, default=_text)
        self.ctx.status("green", "dot", text[:120])
        return None


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        return list(value)
    return str(value)
