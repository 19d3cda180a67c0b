"""Fixtures of the MQTT pack's tests: the test broker (checked to answer) and private brokers."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest

from tests.nodes.mqtt.mqtt_kit import URL, PrivateMosquitto, require_broker


@pytest.fixture
def broker() -> str:
    """The shared test broker's URL; the test fails if nothing answers there."""
    require_broker(URL)
    return URL


@pytest.fixture
def private_broker() -> Iterator[Callable[..., PrivateMosquitto]]:
    """Make (not start) a private Mosquitto with extra configuration lines; removed after."""
    made: list[PrivateMosquitto] = []

    def make(*lines: str) -> PrivateMosquitto:
        server = PrivateMosquitto(*lines)
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)
