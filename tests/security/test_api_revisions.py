"""Revision retention: deploys in a loop no longer grow the store without end. The newest N are
kept (and, when set, those newer than D days), never the current revision or the one before,
on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlmodel import Session, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from flowrt.server.revisions import Revision, Revisions
from tests.server.server_kit import HEADERS, flow

PG = os.environ.get("FLOWRT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """None (SQLite in the flows directory) or a PostgreSQL URL in a fresh schema."""
    if request.param == "sqlite":
        yield None
        return
    schema = f"flowrt_keep_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG else "?"
    try:
        yield f"{PG}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def age(revisions: Revisions, rev_id: int | None, days: float) -> None:
    """Make a stored revision ``days`` old."""
    with Session(revisions.engine) as session:
        rev = session.exec(select(Revision).where(Revision.id == rev_id)).one()
        rev.time = time.time() - days * 86400
        session.add(rev)
        session.commit()


def test_only_the_newest_revisions_are_kept(url: str | None, tmp_path: Path) -> None:
    revisions = Revisions(url, tmp_path, keep=3)
    try:
        added = [revisions.add("alice", {"a.yaml": f"flowrt: 1\n# {i}\n"}, f"deploy {i}").id
                 for i in range(8)]
        assert [r.id for r in revisions.list()] == added[::-1][:3]
        assert revisions.get(int(added[0] or 0)) is None
    finally:
        revisions.close()


def test_old_revisions_go_but_never_the_current_one_or_the_one_before(
    url: str | None, tmp_path: Path
) -> None:
    revisions = Revisions(url, tmp_path, keep=50, keep_days=7)
    try:
        ids = [revisions.add("bob", {"a.yaml": f"# {i}\n"}, f"deploy {i}").id for i in range(5)]
        for rev_id in ids:  # every one is a month old, the newest two as well
            age(revisions, rev_id, 30)
        age(revisions, ids[2], 1)  # one is recent
        assert revisions.prune() == 2
        assert [r.id for r in revisions.list()] == [ids[4], ids[3], ids[2]]
    finally:
        revisions.close()


def test_opening_the_store_applies_the_policy(url: str | None, tmp_path: Path) -> None:
    revisions = Revisions(url, tmp_path, keep=100)
    for i in range(6):
        revisions.add("carol", {"a.yaml": f"# {i}\n"}, f"deploy {i}")
    revisions.close()
    revisions = Revisions(url, tmp_path, keep=2)
    try:
        assert len(revisions.list()) == 2
    finally:
        revisions.close()


def test_a_policy_that_would_delete_the_previous_revision_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        Revisions(None, tmp_path, keep=1)


def test_deploying_in_a_loop_keeps_the_store_bounded(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "a.yaml").write_text(flow("a"))
    app = create_app(ServerSettings(flows=flows, env={}, keep_revisions=4, close_timeout=2.0))
    with TestClient(app) as client:
        for i in range(10):
            got = client.get("/api/flows/a.yaml").json()
            client.put("/api/flows/a.yaml", headers=HEADERS,
                       json={"text": flow("a", str(i)), "revision": got["revision"]})
            assert client.post("/api/deploy", headers=HEADERS, json={}).status_code == 200
        listed = client.get("/api/revisions").json()
        assert len(listed) == 4
        assert listed[0]["id"] > listed[-1]["id"]
        rollback = client.post(f"/api/revisions/{listed[1]['id']}/rollback", headers=HEADERS)
        assert rollback.status_code == 200, rollback.text


def test_serve_refuses_to_keep_fewer_than_two_revisions(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "flowrt", "serve", "--flows", str(tmp_path),
                             "--keep-revisions", "1"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "--keep-revisions" in result.stderr and "not in the range" in result.stderr
