"""Every pack whose tests need a server takes part in the conformance suite, with a backend for
each of its sources and sinks: a pack that lost its backend would otherwise drop out of it
silently. The packs and their servers come from their manifests (nodes/*/pack.toml).

The suite checks what a server pack promises about delivery: sinks commit, and sources that
acknowledge leave what a run did not finish for the next one. A server pack with neither (the
mysql pack's query node, a transform; Home Assistant's event subscriptions, which no server
acknowledges) has nothing for it to check; its own tests cover it."""

from __future__ import annotations

import subprocess

import pytest

from flowrt.api import Source
from flowrt.registry import discover
from flowrt.registry.packs import PackManifest, manifests
from tests.conformance.conformance_kit import BACKENDS_BY_PACK
from tests.support.servers import SCRIPT

SERVER_PACKS = [m for m in manifests() if m.test_servers]


def delivery_categories(pack: str) -> set[str]:
    """Of the pack's nodes, the categories the suite checks: sinks, and sources that can
    acknowledge (they declare ``acknowledges``)."""
    found = set()
    for spec in discover(include_entry_points=False):
        if spec.pack != pack:
            continue
        if spec.category == "sink":
            found.add("sink")
        elif spec.category == "source" and issubclass(spec.cls, Source) and (
                spec.cls.acknowledges.__func__ is not Source.acknowledges.__func__):  # type: ignore[attr-defined]
            found.add("source")
    return found


SUITE_PACKS = [m for m in SERVER_PACKS if delivery_categories(m.name)]


def server_names() -> dict[str, str]:
    """Server kind (tests/support/servers.py) -> the name manifests give it (.ci/services.sh)."""
    listed = subprocess.run(["bash", str(SCRIPT), "servers"], capture_output=True, text=True,
                            check=True, timeout=30).stdout
    return dict(line.split() for line in listed.splitlines())


def test_some_pack_needs_a_server() -> None:
    assert {m.name for m in SERVER_PACKS} >= {"mqtt", "amqp"}
    assert {m.name for m in SUITE_PACKS} >= {"mqtt", "amqp", "postgres", "influx"}


@pytest.mark.parametrize("manifest", SUITE_PACKS, ids=lambda m: m.name)
def test_the_pack_has_a_backend_for_each_source_and_sink(manifest: PackManifest) -> None:
    backends = BACKENDS_BY_PACK.get(manifest.name)
    assert backends, f"tests/nodes/{manifest.name}/conformance.py defines no BACKENDS"
    categories = delivery_categories(manifest.name)
    if "source" in categories:
        assert any(b.source_type for b in backends), f"{manifest.name}: no source backend"
    if "sink" in categories:
        assert any(b.sink_type for b in backends), f"{manifest.name}: no sink backend"
    names = server_names()
    for backend in backends:
        assert names.get(backend.server) in manifest.test_servers, (
            f"backend {backend.name} runs against {backend.server!r}, which is not a server "
            f"of nodes/{manifest.name}/pack.toml's test-servers {list(manifest.test_servers)}"
        )
