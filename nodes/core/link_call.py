"""The link-call node."""

from __future__ import annotations

from typing import Any

from flowrt.api import ConfigError, Message, NodeConfig, Output, Transform, field

from . import link_calls


class LinkCall(Transform):
    """Calls a link-in node's path like a subroutine, and sends on what comes back.

    A link-out node in `return` mode hands the message back.

    ### Inputs
    Any message; with `dynamic: true`, `msg.target` names the link-in node to call.

    ### Outputs
    The message as the called path returned it (through a link-out in `return` mode).

    ### Details
    The call is recorded in `msg._linkSource`, so calls nest. If no return arrives within
    `timeout` seconds, the message goes to `catch` nodes with a timeout error.
    """

    type = "link-call"
    asynchronous = True

    class Config(NodeConfig):
        target: str | None = field(
            None, description="The link-in node to call.", node_ref="link-in"
        )
        dynamic: bool = field(False, description="Call the link-in node named by msg.target.")
        timeout: float = field(30.0, description="Seconds to wait for the return.", gt=0)

    async def start(self) -> None:
        if self.config.target is None and not self.config.dynamic:
            raise ConfigError("set `target`, or `dynamic: true` to use msg.target", node=self.id)
        self._calls: set[str] = set()

    def process(self, msg: Message) -> Output:
        target: Any = msg.get("target") if self.config.dynamic else self.config.target
        if not isinstance(target, str) or not target:
            raise ConfigError("msg.target must name a link-in node", node=self.id)
        call_id = self.ctx.new_msgid()
        stack = msg.get("_linkSource")
        msg["_linkSource"] = [*(stack if isinstance(stack, list) else []),
                              {"id": self.id, "call": call_id}]

        def timed_out() -> None:
            self._calls.discard(call_id)
            link_calls.forget(call_id)
            self.ctx.error(
                TimeoutError(f"no return from link-in '{target}' within {self.config.timeout} s"),
                msg,
            )

        timer = self.ctx.call_later(self.config.timeout, timed_out)

        def settle() -> None:
            self._calls.discard(call_id)
            timer.cancel()

        self._calls.add(call_id)
        link_calls.register(call_id, settle)
        self.ctx.send_from(target, msg)
        return None

    async def stop(self) -> None:
        for call_id in list(self._calls):
            link_calls.settle(call_id)
