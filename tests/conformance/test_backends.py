"""Every source and sink pack takes part in the conformance suite: a pack that lost its backend
would otherwise drop out of it silently."""

from __future__ import annotations

from tests.conformance.conformance_kit import SINKS, SOURCES


def test_every_source_pack_has_a_backend() -> None:
    assert {b.name for b in SOURCES} >= {"mqtt", "amqp"}


def test_every_sink_pack_has_a_backend() -> None:
    assert {b.name for b in SINKS} >= {"mqtt", "amqp", "postgres", "influx-v1", "influx-v2"}


def test_backends_name_the_servers_they_need() -> None:
    assert {b.server for b in SOURCES + SINKS} == {"mqtt", "amqp", "pg", "influx", "vm"}
