"""`POST /api/import/nodered` never replaces a secret the store already holds: a credential
whose name is taken by another value is stored under a new name, the imported flows use that
name, and the import report says so."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.secrets.store import KEY_ENV, new_key, read_store, write_store

HEADERS = {"X-Flowrt-Request": "1"}
BROKER = "b7a1c2d3e4f50617"


def export(label: str) -> list[dict[str, Any]]:
    return [
        {"id": f"t-{label}", "type": "tab", "label": label},
        {"id": BROKER, "type": "mqtt-broker", "name": "plant broker", "broker": "127.0.0.1",
         "port": "1883"},
        {"id": f"in-{label}", "type": "mqtt in", "z": f"t-{label}", "broker": BROKER,
         "topic": "plant/#", "qos": "1", "datatype": "auto-detect", "wires": [[]]},
    ]


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from flowrt.server.app import ServerSettings, create_app

    monkeypatch.setenv(KEY_ENV, new_key())
    store = tmp_path / "secrets.enc"
    flows = tmp_path / "flows"
    flows.mkdir()
    settings = ServerSettings(flows=flows, env={}, close_timeout=5.0, secrets_file=store)
    with TestClient(create_app(settings), base_url="http://testserver") as client:

        def post(label: str, password: str) -> dict[str, Any]:
            response = client.post("/api/import/nodered", headers=HEADERS, json={
                "flows": export(label),
                "credentials": {BROKER: {"user": "ann", "password": password}}})
            assert response.status_code == 200, response.text
            result: dict[str, Any] = response.json()
            return result

        yield post, store


def test_a_second_import_does_not_replace_the_stored_secret(imported: Any) -> None:
    post, store = imported
    first = post("first", "first-password-1111")
    assert first["stored"] == ["PLANT_BROKER_PASSWORD"]
    second = post("second", "second-password-2222")
    assert read_store(store) == {"PLANT_BROKER_PASSWORD": "first-password-1111",
                                 "PLANT_BROKER_PASSWORD_2": "second-password-2222"}
    assert second["stored"] == ["PLANT_BROKER_PASSWORD_2"]
    (text,) = second["files"].values()
    assert "${PLANT_BROKER_PASSWORD_2}" in text and "${PLANT_BROKER_PASSWORD}" not in text
    notes = " ".join(p["message"] for p in second["report"]["problems"])
    assert "PLANT_BROKER_PASSWORD" in notes and "PLANT_BROKER_PASSWORD_2" in notes
    assert "second-password-2222" not in str(second) and "first-password-1111" not in str(second)


def test_the_same_value_imported_again_keeps_its_name(imported: Any) -> None:
    post, store = imported
    post("first", "same-password-3333")
    again = post("again", "same-password-3333")
    assert read_store(store) == {"PLANT_BROKER_PASSWORD": "same-password-3333"}
    assert again["stored"] == ["PLANT_BROKER_PASSWORD"]
    assert again["report"]["problems"] == []


def test_a_secret_set_by_the_operator_is_never_replaced(imported: Any) -> None:
    post, store = imported
    write_store(store, {"PLANT_BROKER_PASSWORD": "the-operators-own-4444"})
    post("imported", "from-node-red-5555")
    assert read_store(store)["PLANT_BROKER_PASSWORD"] == "the-operators-own-4444"


@pytest.mark.parametrize("encrypted", [True, False], ids=["store", "plain"])
def test_flowrt_import_nodered_does_not_replace_a_kept_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encrypted: bool
) -> None:
    """The command line's import into a directory that already has a secrets file (the
    encrypted store, or the plain secrets.yaml it writes without a key)."""
    import json

    from flowrt.nodered import import_nodered
    from flowrt.secrets.references import load_secrets

    if encrypted:
        monkeypatch.setenv(KEY_ENV, new_key())
    else:
        monkeypatch.delenv(KEY_ENV, raising=False)
    out = tmp_path / "out"

    def run(label: str, password: str) -> Any:
        source = tmp_path / f"{label}.json"
        source.write_text(json.dumps(export(label)))
        creds = tmp_path / f"{label}_cred.json"
        creds.write_text(json.dumps({BROKER: {"user": "ann", "password": password}}))
        return import_nodered(source, out, credentials=creds)

    run("first", "first-password-1111")
    second = run("second", "second-password-2222")
    kept = out / ("secrets.enc" if encrypted else "secrets.yaml")
    assert second.secrets_file == kept
    values = read_store(kept) if encrypted else load_secrets(kept)[0]
    assert values == {"PLANT_BROKER_PASSWORD": "first-password-1111",
                      "PLANT_BROKER_PASSWORD_2": "second-password-2222"}
    text = (out / "t-second.yaml").read_text()
    assert "${PLANT_BROKER_PASSWORD_2}" in text and "${PLANT_BROKER_PASSWORD}" not in text
    assert any("PLANT_BROKER_PASSWORD_2" in p.message
               for p in second.conversion.report.problems)
