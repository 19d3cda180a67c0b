"""A test node that stamps each message with the simulated time it passed, for timing tests."""

from __future__ import annotations

from flowrt.api import Message, NodeConfig, Output, Transform
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from tests.run.conftest import Numbers


class Stamp(Transform):
    """Sets `at` to the seconds since the flow started, rounded to milliseconds."""

    type = "stamp"
    Config = NodeConfig

    async def start(self) -> None:
        self.started = self.ctx.now()

    def process(self, msg: Message) -> Output:
        msg["at"] = round(self.ctx.now() - self.started, 3)
        return msg


def timing_registry() -> Registry:
    """The installed node types, plus `stamp` and an acknowledging `numbers` source."""
    return Registry([*default_registry(), spec_for(Stamp, "test"), spec_for(Numbers, "test")])
