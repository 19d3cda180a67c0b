"""stop-timer: send a message on after a wait that each new message restarts, unless stopped."""

from __future__ import annotations

from typing import Any

from flowrt.api import Message, NodeConfig, Output, Timer, Transform, clone, field


class StopTimer(Transform):
    """Hold the latest message for `duration`, then send it, with a second message.

    Each message restarts the wait with itself as the one to send: only the last of a burst
    leaves, `duration` after it arrived. A message whose payload is `stop` or `STOP` cancels
    the wait. As node-red-contrib-stoptimer's `stoptimer`.

    ### Inputs

    Any message; payload `stop` or `STOP` stops the timer.

    ### Outputs

    1. the held message, when the wait ends, with `_timerpass: true` added;
    2. at the same time a copy of it with `payload` set to `payload`; when stopped, a copy of
       the stopping message with payload `stopped`.

    ### Details

    After a stop, a message carrying `_timerpass: true` (one that already went through a
    stop-timer) is ignored until a message without it restarts the timer, as in the contrib
    node, so a loop back into the node does not restart it. The status shows `running` (green)
    while waiting and `stopped` (red) after a stop.
    """

    type = "stop-timer"
    outputs = 2
    asynchronous = True
    icon = "clock"

    class Config(NodeConfig):
        duration: float = field(5, description="Seconds to wait (0: send at once, later on).",
                                ge=0, examples=[30])
        payload: str | float | bool | None = field(
            0, description="Payload of the second output's message when the wait ends.",
            examples=["off"])

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timer: Timer | None = None
        self.held: Message | None = None
        self.stopped = False

    def process(self, msg: Message) -> Output:
        self.ctx.status()
        if self.stopped and msg.get("_timerpass") is True:
            return None
        self.stopped = False
        self._cancel()
        if msg.get("payload") in ("stop", "STOP"):
            self.ctx.status("red", "ring", "stopped")
            self.stopped = True
            stopped = clone(msg)
            stopped["payload"] = "stopped"
            return [None, stopped]
        msg["_timerpass"] = True
        self.ctx.status("green", "dot", "running")
        self.ctx.hold(msg)
        self.held = msg
        self.timer = self.ctx.call_later(self.config.duration, self._end)
        return None

    def _end(self) -> None:
        msg, self.held, self.timer = self.held, None, None
        self.ctx.status()
        if msg is None:
            return
        second = clone(msg)
        second["payload"] = self.config.payload
        self.ctx.send([msg, second], origin=msg)
        self.ctx.done(msg)

    def _cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.held is not None:
            held, self.held = self.held, None
            self.ctx.done(held)

    async def stop(self) -> None:
        self._cancel()
