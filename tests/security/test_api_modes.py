"""File modes through the API: a save keeps the flow file's mode (a 600 file stays 600), a new
file gets the usual mode for the umask, and the revisions database is created for the owner
alone."""

from __future__ import annotations

import os
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from flowrt.server.revisions import Revisions
from tests.server.server_kit import COMMENTED, HEADERS


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def client(tmp_path: Path, umask_022: None) -> Iterator[TestClient]:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "alerts.yaml").write_text(COMMENTED)
    app = create_app(ServerSettings(flows=flows, env={}, deploy_on_start=False))
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("kept", [0o600, 0o640, 0o604])
@pytest.mark.parametrize("how", ["document", "text"])
def test_a_save_keeps_the_files_mode(client: TestClient, tmp_path: Path, kept: int,
                                     how: str) -> None:
    path = tmp_path / "flows" / "alerts.yaml"
    path.chmod(kept)
    got = client.get("/api/flows/alerts.yaml").json()
    document = dict(got["document"])
    document["label"] = "Saved from the editor"
    body = ({"document": document} if how == "document"
            else {"text": got["text"].replace('"Alerts"', '"Saved"')})
    res = client.put("/api/flows/alerts.yaml", headers=HEADERS,
                     json={**body, "revision": got["revision"]})
    assert res.status_code == 200, res.text
    assert "Saved" in path.read_text()
    assert mode(path) == kept
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_new_file_gets_the_mode_of_the_umask(client: TestClient, tmp_path: Path) -> None:
    res = client.put("/api/flows/sub/new.yaml", headers=HEADERS,
                     json={"text": "flowrt: 1\nid: new\nnodes: {}\n", "revision": None})
    assert res.status_code == 200, res.text
    assert mode(tmp_path / "flows" / "sub" / "new.yaml") == 0o644


def test_a_rollback_keeps_the_files_mode(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "flows" / "alerts.yaml"
    path.chmod(0o600)
    assert client.post("/api/deploy", headers=HEADERS, json={}).status_code == 200
    first = client.get("/api/revisions").json()[0]["id"]
    got = client.get("/api/flows/alerts.yaml").json()
    client.put("/api/flows/alerts.yaml", headers=HEADERS,
               json={"text": got["text"] + "# changed\n", "revision": got["revision"]})
    res = client.post(f"/api/revisions/{first}/rollback", headers=HEADERS)
    assert res.status_code == 200, res.text
    assert "# changed" not in path.read_text()
    assert mode(path) == 0o600


def test_the_revisions_database_is_created_for_the_owner_alone(tmp_path: Path,
                                                               umask_022: None) -> None:
    Revisions(None, tmp_path / ".flowrt").close()
    assert mode(tmp_path / ".flowrt" / "revisions.db") == 0o600
    assert mode(tmp_path / ".flowrt") == 0o700
