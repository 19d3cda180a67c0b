"""A small node pack for checker tests: each class exercises one part of the declaration."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from flowrt.api import (
    AsyncTransform,
    Connection,
    Message,
    NodeConfig,
    Sink,
    Source,
    Transform,
    field,
)
from flowrt.check import check
from flowrt.diagnostics import Diagnostic
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.registry.spec import spec_for


class Tick(Source):
    """Emits a message on a timer."""

    type = "tick"

    class Config(NodeConfig):
        every: float = field(1.0, description="Seconds between messages.", gt=0)


class Pass(Transform):
    """Passes messages on unchanged."""

    type = "pass"

    class Config(NodeConfig):
        property: str = field("payload", description="Property to look at.")
        mode: Literal["fast", "safe"] = field("fast", description="How to pass.")
        limit: int = field(10, description="Upper limit.", ge=0, le=100)

    def process(self, msg: Message) -> Message:
        return msg


class Route(Transform):
    """Routes to one output per rule."""

    type = "route"

    class Config(NodeConfig):
        rules: list[str] = field(description="One output per rule.", min_length=1)

    @classmethod
    def output_count(cls, config: Any) -> int:
        return len(config.rules)

    def process(self, msg: Message) -> Message:
        return msg


class Wait(AsyncTransform):
    """Delays messages."""

    type = "wait"

    class Config(NodeConfig):
        seconds: float = field(1.0, description="How long.")


class Broker(Connection):
    """A message broker."""

    type = "broker"

    class Config(NodeConfig):
        url: str = field(description="Server URL.")
        password: str | None = field(None, description="Password.", secret=True)


class Database(Connection):
    """A database."""

    type = "database"

    class Config(NodeConfig):
        dsn: str = field(description="DSN.")


class Publish(Sink):
    """Publishes to a broker."""

    type = "publish"

    class Config(NodeConfig):
        connection: str = field(description="The broker.", connection="broker")
        topic: str = field("out", description="Topic.")


class LinkIn(Source):
    """Receives from link-out nodes."""

    type = "link-in"


class LinkOut(Sink):
    """Sends to link-in nodes."""

    type = "link-out"

    class Config(NodeConfig):
        links: list[str] = field(default_factory=list, description="Targets.", node_ref="link-in")


class Watch(Source):
    """Catches errors."""

    type = "watch"

    class Config(NodeConfig):
        scope: list[str] | None = field(None, description="Nodes watched.", node_ref="*")


PACK = [Tick, Pass, Route, Wait, Broker, Database, Publish, LinkIn, LinkOut, Watch]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry(spec_for(cls, "test") for cls in PACK)


@pytest.fixture
def run_check(registry: Registry) -> Any:
    def run(
        *texts: str, env: dict[str, str] | None = None, strict: bool = False
    ) -> list[Diagnostic]:
        docs = [load_text(t, f"flows/f{i}.yaml") for i, t in enumerate(texts)]
        return check(Project(documents=docs), registry, env=env or {}, strict=strict)

    return run
