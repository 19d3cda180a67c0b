"""Odd flow file names and bodies through /api/flows: each is a 400 (never a 500), nothing is
written outside the flows directory, and no temporary file is left behind. Then hypothesis over
names and nested documents."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from tests.server.server_kit import COMMENTED, HEADERS

NEW = {"text": "flowrt: 1\nid: odd\nnodes: {}\n", "revision": None}


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """tmp_path holds flows/ (served) and outside/ (a directory a name must never reach)."""
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "alerts.yaml").write_text(COMMENTED)
    (tmp_path / "flows" / "dir.yaml").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("flowrt: 1\nid: secret\nnodes: {}\n")
    (tmp_path / "flows" / "out.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    (tmp_path / "flows" / "linked").symlink_to(tmp_path / "outside")
    return tmp_path


@pytest.fixture
def client(place: Path) -> Iterator[TestClient]:
    app = create_app(ServerSettings(flows=place / "flows", env={}, deploy_on_start=False))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def everything(root: Path) -> dict[str, bytes | None]:
    """Every entry under root (not following symlinks): path -> content (None: directory)."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirs, names in os.walk(root):
        for d in dirs:
            out[os.path.join(dirpath, d)] = None
        for n in names:
            p = Path(dirpath, n)
            out[str(p)] = None if p.is_symlink() else p.read_bytes()
    return out


def temp_files(root: Path) -> list[str]:
    return [n for n in everything(root) if n.endswith(".tmp")]


ODD = {
    "a 300-character part": "x" * 300 + ".yaml",
    "a directory named like a flow": "dir.yaml",
    "a NUL": "a\x00b.yaml",
    "dot-dot": "../outside/secret.yaml",
    "dot-dot inside": "sub/../../outside/x.yaml",
    "absolute": "/etc/passwd.yaml",
    "a backslash": "..\\outside\\x.yaml",
    "a symlink out": "out.yaml",
    "a symlinked directory out": "linked/secret.yaml",
    "a file as a directory": "alerts.yaml/x.yaml",
    "hidden": ".flowrt/revisions.yaml",
}


@pytest.mark.parametrize("name", list(ODD.values()), ids=list(ODD))
def test_an_odd_name_is_a_400_and_changes_nothing(client: TestClient, place: Path,
                                                  name: str) -> None:
    before = everything(place)
    url = "/api/flows/" + quote(name, safe="")
    for method, kwargs in (("GET", {}), ("PUT", {"json": NEW}),
                           ("DELETE", {"params": {"revision": "x"}})):
        res = client.request(method, url, headers=HEADERS, **kwargs)
        assert res.status_code == 400, (method, name, res.status_code, res.text[:300])
        assert "error" in res.json()
    assert everything(place) == before


def test_a_name_differing_only_in_case_from_a_file_is_refused(client: TestClient,
                                                              place: Path) -> None:
    res = client.put("/api/flows/ALERTS.yaml", json=NEW, headers=HEADERS)
    assert res.status_code == 400 and "alerts.yaml" in res.json()["error"]
    assert not (place / "flows" / "ALERTS.yaml").exists()
    # the file itself is saved as always
    current = client.get("/api/flows/alerts.yaml").json()["revision"]
    res = client.put("/api/flows/alerts.yaml", headers=HEADERS,
                     json={"text": COMMENTED + "# more\n", "revision": current})
    assert res.status_code == 200


def nested(depth: int) -> dict[str, Any]:
    value: Any = "deep"
    for _ in range(depth):
        value = {"x": value}
    return value  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", ["/api/flows/deep.yaml", "/api/validate"])
def test_a_document_nested_500_levels_is_a_400(client: TestClient, place: Path,
                                               path: str) -> None:
    body = {"file": "deep.yaml", "revision": None,
            "document": {"flowrt": 1, "id": "deep", "nodes": {}, "env": nested(500)}}
    method = "PUT" if path.startswith("/api/flows") else "POST"
    res = client.request(method, path, json=body, headers=HEADERS)
    assert res.status_code == 400, res.text[:300]
    assert "nested" in res.json()["error"]
    assert not (place / "flows" / "deep.yaml").exists()
    assert temp_files(place) == []


NAME_PARTS = st.sampled_from(["a", "B", "..", ".", "", "/", "\\", "\x00", "\n", "é", "~",
                              "x" * 120, ".yaml", ".json", ".test.yaml", "%2e", " ", "dir.yaml",
                              "alerts.yaml", "out.yaml", "linked", ":", "*", "\udcff"])
NAMES = st.lists(NAME_PARTS, min_size=1, max_size=8).map("".join)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=40)


def test_fuzz_names_and_bodies_never_answer_500_nor_escape(place: Path) -> None:
    outside = everything(place / "outside")
    app = create_app(ServerSettings(flows=place / "flows", env={}, deploy_on_start=False))
    failures: list[str] = []
    with TestClient(app, raise_server_exceptions=False) as client:

        @settings(max_examples=200, database=None)
        @given(name=NAMES, method=st.sampled_from(["GET", "PUT", "DELETE", "VALIDATE"]),
               doc=JSON, depth=st.integers(0, 120))
        def run(name: str, method: str, doc: Any, depth: int) -> None:
            url = "/api/flows/" + quote(name, safe="/", errors="surrogateescape")
            document = {"flowrt": 1, "id": "fuzz", "nodes": {},
                        "env": {"v": doc, "n": nested(depth)}}
            if method == "VALIDATE":  # the name in a JSON body: any text, lone surrogates too
                res = client.post("/api/validate", headers=HEADERS,
                                  content=json.dumps({"file": name, "document": document}))
            else:
                res = client.request(method, url, headers=HEADERS,
                                     json={"document": document, "revision": None}
                                     if method == "PUT" else None)
            if res.status_code >= 500:
                failures.append(f"{method} {name!r}: {res.text[:300]}")
            assert everything(place / "outside") == outside, (method, name)
            assert temp_files(place) == [], (method, name)

        run()
    assert failures == []


@pytest.mark.parametrize("name", [r"\udcff.yaml", r"\ud800/x.yaml", r"a\u0000.yaml",
                                  r"a\nb.yaml", "dir.yaml", "../x.yaml"])
def test_a_name_in_a_body_that_is_not_text_is_a_400(client: TestClient, name: str) -> None:
    raw = '{"file": "' + name + '", "text": "flowrt: 1"}'
    for path in ("/api/validate", "/api/layout"):
        res = client.post(path, content=raw.encode(),
                          headers={**HEADERS, "Content-Type": "application/json"})
        assert res.status_code == 400, (path, res.status_code, res.text[:300])
