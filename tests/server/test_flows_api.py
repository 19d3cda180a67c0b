"""Flow files over the API: list, get, put (round trip), 409, delete, names, limits, CSRF."""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.server.server_kit import COMMENTED, HEADERS, flow


def get(client: TestClient, name: str) -> dict[str, Any]:
    response = client.get(f"/api/flows/{name}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_list_and_get(client: TestClient) -> None:
    listed = client.get("/api/flows").json()
    assert [(f["file"], f["id"], f["label"], f["nodes"]) for f in listed] == [
        ("alerts.yaml", "alerts", "Alerts", 2)]
    got = get(client, "alerts.yaml")
    assert got["text"] == COMMENTED
    assert got["document"]["nodes"]["tick"] == {"type": "inject", "payload": 5, "to": "show"}
    assert got["revision"] == listed[0]["revision"]


def test_saving_the_unchanged_document_leaves_the_file_byte_identical(
        client: TestClient, flows_dir: Path) -> None:
    got = get(client, "alerts.yaml")
    before = (flows_dir / "alerts.yaml").read_bytes()
    response = client.put("/api/flows/alerts.yaml", headers=HEADERS,
                          json={"revision": got["revision"], "document": got["document"]})
    assert response.status_code == 200, response.text
    assert response.json()["revision"] == got["revision"]
    assert (flows_dir / "alerts.yaml").read_bytes() == before


def test_changing_one_property_changes_only_that_line(client: TestClient,
                                                      flows_dir: Path) -> None:
    got = get(client, "alerts.yaml")
    document = got["document"]
    document["nodes"]["tick"]["payload"] = 7
    response = client.put("/api/flows/alerts.yaml", headers=HEADERS,
                          json={"revision": got["revision"], "document": document})
    assert response.status_code == 200, response.text
    after = (flows_dir / "alerts.yaml").read_text(encoding="utf-8")
    changed = [line for line in difflib.ndiff(COMMENTED.splitlines(), after.splitlines())
               if line[:1] in "+-"]
    assert changed == ["-     payload: 5   # degrees", "+     payload: 7   # degrees"]


def test_renaming_a_node_changes_only_the_lines_naming_it(client: TestClient,
                                                          flows_dir: Path) -> None:
    """A renamed node stays where it was, with its style and comments; only its key, the
    wire to it and its layout key change (the editor sends the renamed key in place)."""
    got = get(client, "alerts.yaml")
    document = got["document"]
    document["nodes"] = {("ticker" if k == "tick" else k): v
                         for k, v in document["nodes"].items()}
    document["layout"] = {"ticker": document["layout"]["tick"]}
    response = client.put("/api/flows/alerts.yaml", headers=HEADERS,
                          json={"revision": got["revision"], "document": document})
    assert response.status_code == 200, response.text
    after = (flows_dir / "alerts.yaml").read_text(encoding="utf-8")
    changed = [line for line in difflib.ndiff(COMMENTED.splitlines(), after.splitlines())
               if line[:1] in "+-"]
    assert changed == ["-   tick:", "+   ticker:", "-   tick: [80, 120]", "+   ticker: [80, 120]"]
    # and the other way round, a wire target renamed
    got = get(client, "alerts.yaml")
    document = got["document"]
    document["nodes"] = {("shown" if k == "show" else k): v
                         for k, v in document["nodes"].items()}
    document["nodes"]["ticker"]["to"] = "shown"
    client.put("/api/flows/alerts.yaml", headers=HEADERS,
               json={"revision": got["revision"], "document": document})
    final = (flows_dir / "alerts.yaml").read_text(encoding="utf-8")
    changed = [re.sub(r" +# .*", " #", line)  # the spaces before a comment may change
               for line in difflib.ndiff(after.splitlines(), final.splitlines())
               if line[:1] in "+-"]
    assert changed == [
        "-     to: show", "+     to: shown",
        "-   show: {type: debug, status: count} #", "+   shown: {type: debug, status: count} #",
    ]


def test_a_new_layout_entry_adds_one_line(client: TestClient, flows_dir: Path) -> None:
    got = get(client, "alerts.yaml")
    got["document"]["layout"]["show"] = [280, 120]
    client.put("/api/flows/alerts.yaml", headers=HEADERS,
               json={"revision": got["revision"], "document": got["document"]})
    after = (flows_dir / "alerts.yaml").read_text(encoding="utf-8")
    assert after == COMMENTED + "  show: [280, 120]\n"


def test_a_stale_revision_gets_409_and_the_file_is_kept(client: TestClient,
                                                        flows_dir: Path) -> None:
    got = get(client, "alerts.yaml")
    first = client.put("/api/flows/alerts.yaml", headers=HEADERS,
                       json={"revision": got["revision"], "text": flow("alerts", "one")})
    assert first.status_code == 200
    second = client.put("/api/flows/alerts.yaml", headers=HEADERS,
                        json={"revision": got["revision"], "text": flow("alerts", "two")})
    assert second.status_code == 409
    assert second.json()["current"] == first.json()["revision"]
    assert "one" in (flows_dir / "alerts.yaml").read_text()


def test_new_file_needs_a_null_revision_and_delete_needs_the_current(
        client: TestClient, flows_dir: Path) -> None:
    created = client.put("/api/flows/sub/new.yaml", headers=HEADERS,
                         json={"revision": None, "document": {"flowrt": 1, "id": "new",
                                                              "nodes": {}}})
    assert created.status_code == 200, created.text
    assert (flows_dir / "sub" / "new.yaml").read_text().startswith("flowrt: 1\nid: new\n")
    again = client.put("/api/flows/sub/new.yaml", headers=HEADERS,
                       json={"revision": None, "text": flow("new")})
    assert again.status_code == 409
    stale = client.delete("/api/flows/sub/new.yaml?revision=nope", headers=HEADERS)
    assert stale.status_code == 409
    rev = created.json()["revision"]
    assert client.delete(f"/api/flows/sub/new.yaml?revision={rev}",
                         headers=HEADERS).status_code == 200
    assert not (flows_dir / "sub" / "new.yaml").exists()
    assert client.delete(f"/api/flows/sub/new.yaml?revision={rev}",
                         headers=HEADERS).status_code == 404


@pytest.mark.parametrize("name", [
    "%2e%2e/outside.yaml", "sub/%2e%2e/%2e%2e/outside.yaml", "%2Fetc%2Fpasswd.yaml",
    ".flowrt/revisions.yaml", "notes.txt", "a%5C..%5Cb.yaml", "link/escape.yaml",
])
def test_names_that_leave_the_directory_are_refused(client: TestClient, flows_dir: Path,
                                                    tmp_path: Path, name: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir(exist_ok=True)
    (outside / "escape.yaml").write_text(flow("x"))
    if not (flows_dir / "link").exists():
        os.symlink(outside, flows_dir / "link")
    assert client.get(f"/api/flows/{name}").status_code in (400, 404)
    response = client.put(f"/api/flows/{name}", headers=HEADERS,
                          json={"revision": None, "text": flow("x")})
    assert response.status_code == 400, (name, response.text)
    assert not (tmp_path / "outside.yaml").exists()
    assert (outside / "escape.yaml").read_text() == flow("x")


def test_oversized_bodies_get_413(make_client: Any) -> None:
    client = make_client(max_body=10_000)
    big = {"revision": None, "text": "# " + "x" * 20_000 + "\n"}
    assert client.put("/api/flows/big.yaml", headers=HEADERS, json=big).status_code == 413

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        for _ in range(30):
            yield b"x" * 1000

    response = client.put("/api/flows/big.yaml", headers=HEADERS, content=chunks())
    assert response.status_code == 413


def test_state_changes_need_the_header_and_our_origin(client: TestClient,
                                                      flows_dir: Path) -> None:
    body = {"revision": None, "text": flow("csrf")}
    assert client.put("/api/flows/csrf.yaml", json=body).status_code == 403
    foreign = {**HEADERS, "Origin": "http://evil.example"}
    assert client.put("/api/flows/csrf.yaml", json=body, headers=foreign).status_code == 403
    assert client.post("/api/deploy", json={}, headers=foreign).status_code == 403
    assert not (flows_dir / "csrf.yaml").exists()
    own = {**HEADERS, "Origin": "http://testserver"}
    assert client.put("/api/flows/csrf.yaml", json=body, headers=own).status_code == 200


def test_validate_reports_diagnostics_with_positions(client: TestClient) -> None:
    text = "flowrt: 1\nid: v\nnodes:\n  a: {type: inject, to: nowhere}\n  b: {type: nope}\n"
    response = client.post("/api/validate", headers=HEADERS,
                           json={"file": "v.yaml", "text": text})
    assert response.status_code == 200, response.text
    found = {(d["code"], d["node"], d["file"], d["line"])
             for d in response.json()["diagnostics"]}
    assert ("E030", "b", "v.yaml", 5) in found
    assert any(node == "a" and line == 4 for _, node, _, line in found)
    clean = client.post("/api/validate", headers=HEADERS,
                        json={"file": "v.yaml", "document": {"flowrt": 1, "id": "v",
                                                             "nodes": {}}})
    assert [d for d in clean.json()["diagnostics"] if d["severity"] == "error"] == []


JSON_FLOW = json.dumps({"flowrt": 1, "id": "j", "nodes": {
    "tick": {"type": "inject", "payload": 5, "to": "show"}, "show": {"type": "debug"}}},
    indent=4) + "\n"


def test_json_files_round_trip_too(client: TestClient, flows_dir: Path) -> None:
    (flows_dir / "j.json").write_text(JSON_FLOW)
    got = get(client, "j.json")
    same = client.put("/api/flows/j.json", headers=HEADERS,
                      json={"revision": got["revision"], "document": got["document"]})
    assert same.status_code == 200
    assert (flows_dir / "j.json").read_text() == JSON_FLOW
    got["document"]["nodes"]["tick"]["payload"] = 6
    client.put("/api/flows/j.json", headers=HEADERS,
               json={"revision": got["revision"], "document": got["document"]})
    after = (flows_dir / "j.json").read_text()
    assert after == JSON_FLOW.replace('"payload": 5,', '"payload": 6,')


def test_validating_a_document_gives_the_lines_the_saved_file_would_have(
        client: TestClient) -> None:
    document = get(client, "alerts.yaml")["document"]
    document["nodes"]["tick"]["to"] = "nowhere"
    response = client.post("/api/validate", headers=HEADERS,
                           json={"file": "alerts.yaml", "document": document})
    found = [d for d in response.json()["diagnostics"] if d["severity"] == "error"]
    assert [(d["node"], d["line"]) for d in found] == [("tick", 10)]
