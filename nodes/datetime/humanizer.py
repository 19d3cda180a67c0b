"""humanizer: a number of seconds in English words, as node-red-contrib-moment's
``humanizer`` node."""

from __future__ import annotations

from typing import Any

from flowrt.api import Message, NodeConfig, Output, Transform, field

from .moment_time import humanize


class Humanizer(Transform):
    """Write a number of seconds as words: `a few seconds`, `5 minutes`, `a day`.

    ### Inputs

    `payload` a whole number of seconds, or an object whose `input` property holds it.

    ### Outputs

    The message with `payload.humanized` set (an object payload keeps its other
    properties; another payload becomes `{humanized}`). A value that is no whole number is
    dropped with a warning.

    ### Details

    The words are moment.js's `duration.humanize()` in English: the duration is rounded to
    its largest unit under the thresholds 45 seconds, 45 minutes, 22 hours, 26 days and 11
    months (`3600` is `an hour`, `5400` `2 hours`).

    ```yaml
    uptime: {type: inject, payload: 5400, to: words}
    words: {type: humanizer, to: show}
    show: {type: debug}
    ```
    """

    type = "humanizer"
    icon = "clock"

    class Config(NodeConfig):
        input: str = field("payload", description="The property of an object payload that "
                           "holds the seconds (else the payload itself).")

    config: Config

    def process(self, msg: Message) -> Output:
        payload = msg.get("payload")
        value: Any = payload
        if isinstance(payload, dict) and self.config.input in payload:
            value = payload[self.config.input]
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not value.is_integer()):
            self.ctx.warn("Invalid input for humanize call, input must be an integer", msg)
            return None
        words = humanize(value * 1000)
        if isinstance(payload, dict | list):
            if isinstance(payload, dict):
                payload["humanized"] = words
        else:
            msg["payload"] = {"humanized": words}
        return msg
