"""monitor-flow: pass messages on and show how many went through, as
node-red-contrib-prib-functions' ``Monitor Flow`` node."""

from __future__ import annotations

from typing import Any

from flowrt.api import Message, NodeConfig, Output, Timer, Transform

_MINUTE, _FIVE = 60, 300


class MonitorFlow(Transform):
    """Pass every message on unchanged, and show the message rate in the node's status.

    ### Inputs

    Any message.

    ### Outputs

    The same message.

    ### Details

    Every second the status reads `Rate s/10s/1m/5m A/B/C/D`: the messages in the last
    second, ten seconds, minute and five minutes, counted as the contrib node counts them.

    ```yaml
    tick: {type: inject, repeat: 0.5, to: rate}
    rate: {type: monitor-flow, to: show}
    show: {type: debug}
    ```
    """

    type = "monitor-flow"
    mutates = False
    icon = "eye"

    class Config(NodeConfig):
        pass

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = 0
        self.counts: list[int] = []
        self.ten = self.minute = self.five = 0
        self.timer: Timer | None = None

    async def start(self) -> None:
        self.ctx.status("yellow", "ring", "No flow")
        self.timer = self.ctx.call_later(1, self._tick)

    def process(self, msg: Message) -> Output:
        self.count += 1
        return msg

    def _tick(self) -> None:
        self.timer = self.ctx.call_later(1, self._tick)
        counts = self.counts
        counts.insert(0, self.count)
        self.count = 0
        while len(counts) > _FIVE:
            self.five -= counts.pop()
        self.ten += counts[0] - (counts[10] if len(counts) > 10 else 0)
        self.five += counts[0]
        self.minute += counts[0] - (counts[_MINUTE] if len(counts) > _MINUTE else 0)
        self.ctx.status("green", "ring", f"Rate s/10s/1m/5m {counts[0]}/{self.ten}/"
                        f"{self.minute}/{self.five}")

    async def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
