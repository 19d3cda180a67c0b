"""flows_cred.json: decrypted with the credential secret, turned into secret references."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from flowrt.nodered import import_nodered
from flowrt.nodered.credentials import CredentialsError, decrypt, encrypt, read_credentials
from tests.nodered.helpers import entry, errors, node, nodered_home, nr_import, tab

HERE = Path(__file__).parent
BROKER_ID = "b7a1c2d3e4f50617"
CREDS = {BROKER_ID: {"user": "ann", "password": "pässwörd ${not a ref}"}}


def documented_vector(credentials: dict[str, object], secret: str) -> dict[str, str]:
    """Node-RED's scheme, written out here independently of flowrt's code: key = sha256(secret),
    then hex IV (16 bytes) followed by the base64 AES-256-CTR ciphertext of the JSON text."""
    key = hashlib.sha256(secret.encode()).digest()
    iv = bytes(range(16))
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    body = encryptor.update(json.dumps(credentials).encode()) + encryptor.finalize()
    return {"$": iv.hex() + base64.b64encode(body).decode()}


def test_a_documented_vector_decrypts() -> None:
    assert decrypt(documented_vector(CREDS, "s3cret"), "s3cret") == CREDS


def test_encrypt_and_decrypt_agree() -> None:
    assert decrypt(encrypt(CREDS, "k"), "k") == CREDS


def test_a_wrong_secret_says_which_secret_to_give() -> None:
    with pytest.raises(CredentialsError, match="credentialSecret"):
        decrypt(documented_vector(CREDS, "right"), "wrong")


def test_an_encrypted_file_without_a_secret_asks_for_it(tmp_path: Path) -> None:
    path = tmp_path / "flows_cred.json"
    path.write_text(json.dumps(documented_vector(CREDS, "x")))
    with pytest.raises(CredentialsError, match="--credential-secret"):
        read_credentials(path, None)


def test_a_plain_file_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "flows_cred.json"
    path.write_text(json.dumps(CREDS))
    assert read_credentials(path, None) == CREDS


def test_a_file_written_by_node_red_itself_decrypts(tmp_path: Path) -> None:
    home = nodered_home()
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js) is needed to run Node-RED's credentials code")
    done = subprocess.run(
        [node, str(HERE / "nodered_credentials.js"), str(home), "a secret ☃", json.dumps(CREDS)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    path = tmp_path / "flows_cred.json"
    path.write_text(done.stdout)
    assert set(json.loads(done.stdout)) == {"$"}
    assert read_credentials(path, "a secret ☃") == CREDS


BROKER_FLOW = [
    tab(),
    {"id": BROKER_ID, "type": "mqtt-broker", "name": "plant broker", "broker": "127.0.0.1",
     "port": "1883"},
    {"id": "in1", "type": "mqtt in", "z": "t1", "broker": BROKER_ID, "topic": "a/#", "qos": "1",
     "datatype": "auto-detect", "wires": [[]]},
]


def test_credentials_become_references_and_a_secrets_file(tmp_path: Path) -> None:
    source = tmp_path / "flows.json"
    source.write_text(json.dumps(BROKER_FLOW))
    creds = tmp_path / "flows_cred.json"
    creds.write_text(json.dumps(documented_vector(CREDS, "k")))
    out = tmp_path / "out"
    result = import_nodered(source, out, credentials=creds, credential_secret="k")
    text = (out / "t1.yaml").read_text()
    assert "pässwörd" not in text
    assert "password: ${PLANT_BROKER_PASSWORD}" in text
    assert "username: ann" in text
    secrets = out / "secrets.yaml"
    assert result.secrets_file == secrets
    assert stat.S_IMODE(os.stat(secrets).st_mode) == 0o600
    from flowrt.secrets.references import load_secrets

    values, warnings = load_secrets(secrets)
    assert values == {"PLANT_BROKER_PASSWORD": "pässwörd ${not a ref}"}
    assert warnings == []
    assert not errors(result.conversion)


def test_without_credentials_no_secret_is_invented() -> None:
    conversion = nr_import(BROKER_FLOW)
    broker = conversion.flows[0].connections["plant-broker"].data()
    assert "password" not in broker and "username" not in broker
    assert conversion.secrets == {}
    note = entry(conversion, BROKER_ID).notes[0]
    assert "password: ${PLANT_BROKER_PASSWORD}" in note and "--credentials" in note


def test_credentials_inside_the_export_are_used_too() -> None:
    nodes = json.loads(json.dumps(BROKER_FLOW))
    nodes[1]["credentials"] = {"user": "bob", "password": "pw", "has_password": True}
    conversion = nr_import(nodes)
    broker = conversion.flows[0].connections["plant-broker"].data()
    assert broker["username"] == "bob"
    assert broker["password"] == "${PLANT_BROKER_PASSWORD}"
    assert conversion.secrets == {"PLANT_BROKER_PASSWORD": "pw"}


def test_http_request_basic_auth_is_a_secret_reference() -> None:
    conversion = nr_import(
        [tab(), {"id": "r1", "type": "http request", "z": "t1", "name": "fetch",
                 "method": "GET", "url": "http://127.0.0.1:1/x", "authType": "basic",
                 "wires": [[]]}],
        credentials={"r1": {"user": "u", "password": "p"}},
    )
    data = node(conversion, "r1")
    assert data["auth"] == "basic" and data["username"] == "u"
    assert data["password"] == "${R1_PASSWORD}"
    assert conversion.secrets == {"R1_PASSWORD": "p"}
    assert not errors(conversion)
