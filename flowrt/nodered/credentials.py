"""Node-RED's credentials file (``flows_cred.json``): read, decrypt, and (for tests) encrypt.

Node-RED keeps node credentials (passwords, tokens, user names) apart from the flows, in a JSON
object of node id -> credentials. Unless ``credentialSecret: false`` is set, it is encrypted:
``{"$": "<iv><ciphertext>"}`` where the key is the SHA-256 digest of the credential secret
(``credentialSecret`` in settings.js, else the generated ``_credentialSecret`` in
``.config.runtime.json``), the first 32 characters are the 16-byte IV in hex and the rest is the
base64 AES-256-CTR ciphertext of the JSON text (Node-RED's runtime/lib/nodes/credentials.js).

Credentials never reach a flow file: the importer turns them into ``${NAME}`` references and
writes the values to a secrets file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import Any

Credentials = dict[str, dict[str, Any]]
"""Node id -> that node's credentials (field name -> value)."""


class CredentialsError(ValueError):
    """The credentials could not be read or decrypted; the message says what to do."""


def _cipher(secret: str, iv: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = hashlib.sha256(secret.encode("utf-8")).digest()
    return Cipher(algorithms.AES(key), modes.CTR(iv))


def decrypt(data: dict[str, Any], secret: str) -> Credentials:
    """Decrypt ``{"$": ...}`` with the credential secret."""
    blob = data.get("$")
    if not isinstance(blob, str) or len(blob) < 32:
        raise CredentialsError("the credentials file has no encrypted `$` value")
    try:
        iv = bytes.fromhex(blob[:32])
        ciphertext = base64.b64decode(blob[32:], validate=True)
    except (ValueError, binascii.Error) as exc:
        raise CredentialsError(f"the encrypted credentials are malformed: {exc}") from exc
    decryptor = _cipher(secret, iv).decryptor()
    plain = decryptor.update(ciphertext) + decryptor.finalize()
    try:
        result = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CredentialsError(
            "the credential secret does not decrypt this file: give the `credentialSecret` of "
            "settings.js, or `_credentialSecret` from .config.runtime.json when settings.js sets "
            "none"
        ) from exc
    return plain_credentials(result)


def encrypt(credentials: Credentials, secret: str) -> dict[str, str]:
    """Encrypt as Node-RED does (used to make test vectors, and by nothing at run time)."""
    iv = os.urandom(16)
    encryptor = _cipher(secret, iv).encryptor()
    text = json.dumps(credentials, separators=(",", ":")).encode("utf-8")
    ciphertext = encryptor.update(text) + encryptor.finalize()
    return {"$": iv.hex() + base64.b64encode(ciphertext).decode("ascii")}


def read_credentials(path: str | Path, secret: str | None) -> Credentials:
    """The credentials in ``path``: plain (``credentialSecret: false``) or decrypted."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CredentialsError(f"{path}: cannot read the credentials file: {exc}") from exc
    if not isinstance(data, dict):
        raise CredentialsError(f"{path}: a credentials file is a JSON object")
    if "$" in data:
        if not secret:
            raise CredentialsError(
                f"{path} is encrypted: give --credential-secret (settings.js `credentialSecret`, "
                "or `_credentialSecret` from .config.runtime.json)"
            )
        return decrypt(data, secret)
    return plain_credentials(data)


def plain_credentials(data: Any) -> Credentials:
    """Credentials given as plain JSON data (not encrypted): node id -> that node's values,
    entries that are not objects left out; CredentialsError when ``data`` is not an object."""
    if not isinstance(data, dict):
        raise CredentialsError("the credentials are not a JSON object of node id -> values")
    return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}
