"""Context stores: memory by default; persisted values survive a restart."""

from __future__ import annotations

from pathlib import Path

from flowrt.run.stores import Stores


def test_memory_store_get_set_keys_and_delete() -> None:
    stores = Stores()
    flow = stores.scope("flow:f")
    flow.set("count", 3)
    flow.set("gone", 1)
    flow.set("gone", None)
    assert flow.get("count") == 3 and flow.get("gone", "x") == "x"
    assert flow.keys() == ["count"]
    assert stores.scope("flow:f") is flow and stores.scope("flow:g") is not flow


def test_persisted_context_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'context.db'}"
    first = Stores(url)
    first.scope("global").set("totals", {"a": [1, 2]})
    first.scope("node:n1").set("last", "x")
    first.scope("node:n1").set("dropped", 5)
    first.close()
    second = Stores(url)
    second.scope("node:n1").set("dropped", None)
    assert second.scope("global").get("totals") == {"a": [1, 2]}
    assert second.scope("node:n1").get("last") == "x"
    second.close()
    third = Stores(url)
    assert third.scope("node:n1").keys() == ["last"]
    third.close()


def test_a_value_that_is_not_json_stays_in_memory_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'context.db'}"
    stores = Stores(url)
    stores.scope("global").set("handle", object())
    stores.scope("global").set("fine", 1)
    assert stores.flush() == 1
    stores.close()
    assert Stores(url).scope("global").keys() == ["fine"]


def test_context_persists_in_postgresql_given_a_plain_postgresql_url() -> None:
    """`--context-store postgresql://...` works with the psycopg 3 driver flowrt installs."""
    import uuid

    from tests.support.servers import url

    scope = f"flow:ctx-{uuid.uuid4().hex[:8]}"
    first = Stores(url("pg"))
    assert url("pg").startswith("postgresql://")
    first.scope(scope).set("count", 7)
    first.close()
    second = Stores(url("pg"))
    assert second.scope(scope).get("count") == 7
    second.scope(scope).set("count", None)
    second.close()
