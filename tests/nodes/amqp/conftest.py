"""The `rabbit` fixture: the test broker, checked to answer, its test queues deleted after."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pika
import pytest

from tests.nodes.amqp.rabbit import URL, Rabbit


@pytest.fixture
def rabbit() -> Iterator[Rabbit]:
    try:
        pika.BlockingConnection(pika.URLParameters(URL)).close()
    except pika.exceptions.AMQPError as exc:
        pytest.fail(f"no RabbitMQ at FLOWRT_TEST_AMQP={URL}: {exc!r}; start it with "
                    "`.ci/services.sh ensure`")
    broker = Rabbit(URL)
    yield broker
    asyncio.run(broker.cleanup())
