"""The script node's context scopes on their short ways: a plain key is found with one set
lookup, and a scope kept in memory only sets a value with its dict's own ``__setitem__``, not
recording the change for a backend. Paths, lists of keys and deletes work as before, and a
persistent scope still writes every key set."""

from __future__ import annotations

from pathlib import Path

from flowrt_nodes.core.context_store import ContextStore

from flowrt.run.stores import Stores


def test_plain_keys_remembered_do_not_change_paths_lists_or_deletes() -> None:
    store = ContextStore(Stores().scope("node:n"))
    store.set("a", {"b": 1})
    assert store.get("a") == {"b": 1} and store.get("a.b") == 1
    store.set("a.b", 2)
    assert store.get("a") == {"b": 2}
    store.set(["k1", "k2"], [1, 2])
    assert store.get(["k1", "k2", "k3"], 0) == [1, 2, 0]
    store.set("k1", None)
    assert store.get("k1", "gone") == "gone"
    assert sorted(store.keys()) == ["a", "k2"]
    store.set("a.c", None)  # a path to a key that is not there: nothing to delete
    assert store.get("a") == {"b": 2}


def test_a_persistent_scope_still_writes_keys_set_the_short_way(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'context.db'}"
    stores = Stores(url)
    store = ContextStore(stores.scope("node:n"))
    for count in range(3):
        store.set("count", count + 1)  # plain: remembered after the first
    store.set("gone", 1)
    store.set("gone", None)
    changes = stores.take_changes()
    assert sorted(changes) == [("node:n", "count", "3"), ("node:n", "gone", None)]
    stores.write(changes)
    stores.close()
    assert Stores(url).scope("node:n").get("count") == 3


def test_a_memory_scope_keeps_no_changes_for_a_backend() -> None:
    stores = Stores()
    store = ContextStore(stores.scope("global"))
    store.set("count", 1)
    store.set("other", 2)
    assert stores.take_changes() == []
    assert store.get("count") == 1 and stores.scope("global").values == {"count": 1, "other": 2}
