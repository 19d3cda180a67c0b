"""Parsing flow files under abuse: alias bombs are refused at load with their position, parsing
runs off the event loop (so /health answers while heavy files are read), and an unchanged file
is parsed once however often it is asked for."""

from __future__ import annotations

import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.errors import LoadError
from flowrt.load import load_text
from flowrt.server.app import ServerSettings, create_app
from tests.security.api_kit import big_flow, call, serving


def alias_bomb(width: int = 10, levels: int = 5) -> str:
    """About 300 bytes whose aliases expand to width**(levels+1) values (a million here)."""
    text = "flowrt: 1\nid: bomb\nnodes: {}\nenv:\n"
    text += f"  a: &a [{', '.join(['x'] * width)}]\n"
    previous = "a"
    for name in "bcdefghij"[:levels]:
        text += f"  {name}: &{name} [{', '.join(['*' + previous] * width)}]\n"
        previous = name
    return text


def test_an_alias_bomb_is_refused_at_load_with_its_position() -> None:
    text = alias_bomb()
    assert len(text) < 450
    with pytest.raises(LoadError) as caught:
        load_text(text, "bomb.yaml")
    found = caught.value.diagnostics[0]
    assert found.code == "E009"
    assert found.file == "bomb.yaml" and found.line > 4 and found.column > 0
    assert "alias" in found.message


def test_aliases_a_person_would_write_still_load() -> None:
    text = ("flowrt: 1\nid: shared\nnodes:\n"
            "  a: &node {type: debug, active: false}\n"
            + "".join(f"  n{i}: *node\n" for i in range(200)))
    doc = load_text(text, "shared.yaml")
    assert len(doc.nodes) == 201


def test_the_api_lists_an_alias_bomb_as_an_error_with_its_position(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "bomb.yaml").write_text(alias_bomb())
    app = create_app(ServerSettings(flows=flows, env={}, deploy_on_start=False))
    with TestClient(app) as client:
        [entry] = client.get("/api/flows").json()
        assert entry["file"] == "bomb.yaml"
        assert "E009" in entry["error"] and "bomb.yaml:" in entry["error"]
        got = client.get("/api/flows/bomb.yaml").json()
        assert got["document"] is None
        assert [d["code"] for d in got["diagnostics"]] == ["E009"]
        assert got["diagnostics"][0]["line"] > 4


def test_an_unchanged_file_is_parsed_once(tmp_path: Path, monkeypatch: Any) -> None:
    import flowrt.server.flow_cache as flow_cache

    parsed: list[str] = []
    real = flow_cache.load_flow_text

    def counting(text: str, file: str) -> Any:
        parsed.append(file)
        return real(text, file)

    monkeypatch.setattr(flow_cache, "load_flow_text", counting)
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "a.yaml").write_text(big_flow(20, "a"))
    app = create_app(ServerSettings(flows=flows, env={}, deploy_on_start=False))
    with TestClient(app) as client:
        for _ in range(3):
            assert client.get("/api/flows").json()[0]["nodes"] == 20
            assert client.get("/api/flows/a.yaml").json()["document"]["id"] == "a"
        assert parsed == ["a.yaml"]
        (flows / "a.yaml").write_text(big_flow(30, "a"))
        assert client.get("/api/flows").json()[0]["nodes"] == 30
        assert client.get("/api/flows/a.yaml").json()["document"]["id"] == "a"
        assert parsed == ["a.yaml", "a.yaml"]


def _in_flight(urls: list[str]) -> tuple[list[threading.Thread], list[str]]:
    finished: list[str] = []

    def fetch(url: str) -> None:
        try:
            call(url, timeout=300)
        except OSError:
            pass  # the server is stopped at the end of the test
        finished.append(url)

    threads = [threading.Thread(target=fetch, args=(u,), daemon=True) for u in urls]
    for t in threads:
        t.start()
    return threads, finished


def test_health_answers_while_heavy_files_are_parsed(tmp_path: Path) -> None:
    """Ten GETs of large flow files (each seconds of parsing) are in flight: /health answers
    before any of them, since parsing no longer runs on the event loop."""
    flows = tmp_path / "flows"
    flows.mkdir()
    with serving(flows) as served:
        names = [f"heavy{i}.yaml" for i in range(4)]
        for name in names:  # written after start-up, so the first deploy does not read them
            (flows / name).write_text(big_flow(4000, name.removesuffix(".yaml")))
        urls = [f"{served.url}/api/flows/{n}" for n in names * 2]
        urls += [f"{served.url}/api/flows", f"{served.url}/api/flows"]
        threads, finished = _in_flight(urls)
        time.sleep(1.0)  # the requests have reached the server
        status, body = call(served.url + "/health", timeout=120)
        time.sleep(1.0)  # a GET answered together with /health would be in by now
        assert status == 200 and body == {"status": "ok"}
        assert finished == [], "a heavy GET was answered before or with /health"
        assert all(t.is_alive() for t in threads)


def test_health_answers_while_a_large_flow_is_laid_out_and_deployed(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    with serving(flows) as served:
        (flows / "large.yaml").write_text(big_flow(10_000, "large"))
        for path, body in (("/api/layout", {"file": "large.yaml"}),
                           ("/api/deploy", {"mode": "full"})):
            threads, finished = _in_flight_post(served.url + path, body)
            time.sleep(1.0)
            status, _ = call(served.url + "/health", timeout=120)
            time.sleep(1.0)
            assert status == 200
            assert finished == [], f"POST {path} was answered before or with /health"
            for t in threads:
                t.join(timeout=600)
            assert finished and finished[0][1] == 200, finished


def _in_flight_post(url: str, body: dict[str, Any]) -> tuple[list[threading.Thread],
                                                           list[tuple[str, int]]]:
    finished: list[tuple[str, int]] = []

    def post() -> None:
        status, answer = call(url, "POST", body, timeout=600)
        finished.append((str(answer)[:300], status))

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return [thread], finished
