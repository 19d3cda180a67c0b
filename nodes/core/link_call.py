"""The link-call node."""

from __future__ import annotations

from typing import Any

from flowrt.api import ConfigError, Message, NodeConfig, Output, Transform, field

from . import link_calls
from .link_in import planned_link_in


class LinkCall(Transform):
    """Calls a link-in node's path like a subroutine, and sends on what comes back.

    A link-out node in `return` mode hands the message back.

    ### Inputs
    Any message; with `dynamic: true`, `msg.target` names the link-in node to call: its id (a
    node imported from Node-RED also by its Node-RED id), else its name (its label; a node with
    none is named by its id), as Node-RED finds it: the one so named in this flow, else the one so
    named in any flow, outside subflow instances (several are an error).

    ### Outputs
    The message as the called path returned it (through a link-out in `return` mode).

    ### Details
    The call is recorded in `msg._linkSource`, so calls nest. If no return arrives within
    `timeout` seconds, the message as it came in goes to `catch` nodes with the error `timeout`.
    """

    type = "link-call"
    icon = "link"
    asynchronous = True

    class Config(NodeConfig):
        target: str | None = field(
            None, description="The link-in node to call; in a subflow, one of the subflow's, "
            "else one of a flow.", node_ref="link-in", outside_subflow=True,
        )
        dynamic: bool = field(False, description="Call the link-in node named by msg.target.")
        timeout: float = field(30.0, description="Seconds to wait for the return.", gt=0)

    async def start(self) -> None:
        if self.config.target is None and not self.config.dynamic:
            raise ConfigError("set `target`, or `dynamic: true` to use msg.target", node=self.id)
        self._calls: set[str] = set()
        target = self.config.target
        self._target = planned_link_in(self.ctx, self.id, self.type, target) if target else None

    def process(self, msg: Message) -> Output:
        target = self._link_in(msg.get("target") if self.config.dynamic else self._target)
        call_id = self.ctx.new_msgid()
        before = dict(msg)
        stack = msg.get("_linkSource")
        msg["_linkSource"] = [*(stack if isinstance(stack, list) else []),
                              {"id": self.id, "call": call_id}]

        def timed_out() -> None:
            self._calls.discard(call_id)
            link_calls.forget(call_id)
            self.ctx.error("timeout", before)  # Node-RED's words, with the message it was given

        timer = self.ctx.call_later(self.config.timeout, timed_out)

        def settle() -> None:
            self._calls.discard(call_id)
            timer.cancel()

        self._calls.add(call_id)
        link_calls.register(call_id, settle)
        try:
            self.ctx.send_from(target, msg)
        except Exception:
            link_calls.settle(call_id)  # the call never started: no timeout error follows
            raise
        return None

    def _link_in(self, target: Any) -> str:
        """The planned id of the link-in node ``target`` names (see Inputs)."""
        text = target if isinstance(target, str) else ""
        link_ins = self.ctx.nodes_of_type("link-in")
        for node in link_ins:
            if text in (node.id, node.origin_id):
                return node.id
        if not self.config.dynamic and text:
            return text  # a static target is a planned id; send_from names it if unknown
        # a link-in's name is Node-RED's `name || id`: its label, else its (Node-RED) id
        named = [n for n in link_ins if text and (n.label or n.origin_id or n.id) == text]
        me = next((n for n in self.ctx.nodes_of_type(self.type) if n.id == self.id), None)
        here = [n for n in named if me is not None and (n.flow, n.scope) == (me.flow, me.scope)]
        if len(here) == 1:
            return here[0].id
        anywhere = [n for n in named if not n.scope]
        if len(anywhere) == 1:
            return anywhere[0].id
        if anywhere:
            raise LookupError(f"Multiple link-in nodes named '{text}' found")
        raise LookupError(f"target link-in node '{text}' not found")

    async def stop(self) -> None:
        for call_id in list(self._calls):
            link_calls.settle(call_id)
