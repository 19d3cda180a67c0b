"""Revisions stored in PostgreSQL (`flowrt serve --db postgresql://...`), the real server."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg

from flowrt.server.revisions import Revisions, database_url

URL = os.environ.get("FLOWRT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def test_revisions_in_postgresql(tmp_path: Path) -> None:
    schema = f"flowrt_rev_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in URL else "?"
    url = f"{URL}{separator}options=-csearch_path%3D{schema}"
    try:
        revisions = Revisions(url, tmp_path)
        first = revisions.add("alice", {"a.yaml": "flowrt: 1\n"}, "first")
        second = revisions.add("bob", {"a.yaml": "flowrt: 1\nid: a\n"}, "second")
        assert [r.id for r in revisions.list()] == [second.id, first.id]
        got = revisions.get(int(first.id or 0))
        assert got is not None and got.author == "alice"
        assert got.snapshot() == {"a.yaml": "flowrt: 1\n"}
        revisions.close()
        with psycopg.connect(URL) as conn:
            rows = conn.execute(f'SELECT author FROM "{schema}".flowrt_revision ORDER BY id')
            assert [r[0] for r in rows] == ["alice", "bob"]
        assert not (tmp_path / ".flowrt").exists()
    finally:
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_postgres_urls_use_psycopg_3() -> None:
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_servers_starting_together_over_one_flows_directory_share_its_revisions(
    tmp_path: Path,
) -> None:
    """Workers of a group started at once over one flows directory each create the revisions
    table if missing: the one that loses the race finds it instead of failing to start."""
    import threading

    failures: list[BaseException] = []
    for attempt in range(15):
        folder = tmp_path / f"flows{attempt}"
        folder.mkdir()
        start = threading.Barrier(3)

        def open_revisions(where: Path = folder, barrier: threading.Barrier = start) -> None:
            barrier.wait()
            try:
                Revisions(None, where).close()
            except BaseException as exc:  # recorded: a thread's exception would be lost
                failures.append(exc)

        threads = [threading.Thread(target=open_revisions) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
