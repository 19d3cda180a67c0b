"""W108: values that look like a password, a token or a key written into a flow file.

E039 catches what a node type declares: a ``secret`` field written inline, a password inside a
server address. This check catches what no declaration can: free-form places where people paste
credentials, such as an http-request's ``headers``, an inject node's ``properties``, a flow's
``env``, or a script's code. Two rules, both warnings (a guess can be wrong):

- a string under a key named like a credential (``password``, ``token``, ``api_key``,
  ``Authorization``...; the last word of the key counts, so ``auth_token`` and ``X-Api-Key``
  do, and so do ``sslpassword`` and ``authtoken``; ``token_url`` and ``password_file`` do not),
  at any depth of a node's or connection's
  configuration, that is not a ``${NAME}`` reference (a reference with a default is the default
  written inline);
- a string anywhere, code included, containing a well-known credential shape: ``Bearer`` and
  ``Basic`` authorization values, JWTs, AWS access key ids, GitHub, Slack, Stripe and Google
  API tokens, PEM private keys.

Fields E039 covers (a node type's ``secret`` fields, an address with a password at the top of a
configuration) are left to it, so nothing is reported twice.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from flowrt.check.context import CheckContext, located
from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.load.document import Document
from flowrt.load.env import (
    CREDENTIAL_WORDS,
    REFERENCE,
    URL_PASSWORD,
    key_words,
    names_credential,
)

__all__ = ["CREDENTIAL_WORDS", "check_credentials", "find_shape", "key_words",
           "names_credential"]

SHAPES: list[tuple[str, re.Pattern[str]]] = [
    ("bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9\-._~+/]{16,}=*")),
    ("basic authorization", re.compile(r"\bBasic\s+([A-Za-z0-9+/]{8,}={0,2})")),
    ("JSON web token",
     re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("Stripe secret key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
]
"""Credential shapes, recognised anywhere in a string (names say what was found)."""

Path = tuple[str | int, ...]


def find_shape(text: str) -> tuple[str, int] | None:
    """The first credential shape in ``text`` (references left out), and its line from 1."""
    plain = REFERENCE.sub("", text) if "${" in text else text
    for name, pattern in SHAPES:
        for match in pattern.finditer(plain):
            if name == "basic authorization" and not _is_basic(match.group(1)):
                continue
            return name, plain.count("\n", 0, match.start()) + 1
    return None


def _is_basic(encoded: str) -> bool:
    """``Basic authentication`` is prose; ``Basic dXNlcjpwdw==`` decodes to ``user:pw``."""
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        return ":" in decoded.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False


def literal_part(value: str) -> bool:
    """True when a value under a credential key writes (part of) the credential inline: not
    empty, and not only references (a reference with a default writes the default inline)."""
    if not value.strip():
        return False
    if "${" not in value:
        return True
    if any(m.group(2) for m in REFERENCE.finditer(value)):
        return True
    return REFERENCE.sub("", value).strip() != "" and not _prefix_only(value)


def _prefix_only(value: str) -> bool:
    """``Bearer ${TOKEN}``, ``Basic ${AUTH}``: a scheme word before the reference is fine."""
    rest = REFERENCE.sub("", value).strip()
    return rest.lower() in ("bearer", "basic", "token")


def check_credentials(doc: Document, ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for name, value in doc.env.items():
        found.extend(_scan(doc, (), ("env", name), name, value, None, {}))
    owners: list[Any] = [*doc.all_nodes(), *doc.connections.values()]
    for owner in owners:
        spec = ctx.registry.get(owner.type)
        skip = spec.secret_fields if spec is not None else frozenset()
        where = {"node": owner.id, "node_type": owner.type}
        base = owner.path
        for key, value in owner.config.items():
            if key not in skip:
                found.extend(_scan(doc, base, (*base, key), key, value, owner.id, where, True))
        for key, value in getattr(owner, "env", {}).items():
            found.extend(_scan(doc, base, (*base, "env", key), key, value, owner.id, where))
    return found


def _scan(
    doc: Document, base: Path, path: Path, key: object, value: Any, owner: str | None,
    where: dict[str, str], top: bool = False,
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for at, sub_key, text, typed in _strings(path, key, value):
        if top and at == path and URL_PASSWORD.match(text):
            continue  # E039 reports it
        var = _variable(owner, sub_key)
        shown = _shown(at[len(base):])
        if names_credential(sub_key) and not typed and literal_part(text):
            found.append(_warning(doc, at, where, f"{shown} looks like a literal credential "
                                  "(its name says it is one)", var))
            continue
        shape = find_shape(text)
        if shape is not None:
            multiline = "\n" in text.strip()
            line = f" (line {shape[1]} of the value)" if multiline else ""
            found.append(_warning(doc, at, where, f"{shown} contains what looks like a "
                                  f"{shape[0]}{line}", var, code=multiline))
    return found


def _strings(path: Path, key: object, value: Any) -> Iterator[tuple[Path, object, str, bool]]:
    """Every string in ``value`` with its path, the nearest mapping key above it, and whether
    it is a typed value that is not a literal string (``{type: env, value: NAME}``)."""
    if isinstance(value, str):
        yield path, key, value, False
    elif isinstance(value, dict):
        kind = value.get("type")
        if isinstance(value.get("value"), str) and isinstance(kind, str) and set(value) <= {
            "type", "value"
        }:
            yield (*path, "value"), key, value["value"], kind not in ("str", "json")
            return
        for sub_key, item in value.items():
            if isinstance(sub_key, str | int):
                yield from _strings((*path, sub_key), sub_key, item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings((*path, i), key, item)


def _shown(rel: Path) -> str:
    """A field as a person names it: ``headers.Authorization``, ``rules[0].to``."""
    text = ""
    for part in rel:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "value"


def _variable(owner: str | None, key: object) -> str:
    words = [owner or "", key_words(str(key)) if isinstance(key, str) else "secret"]
    return re.sub(r"[^A-Za-z0-9]+", "_", "_".join(w for w in words if w)).strip("_").upper()


def _warning(
    doc: Document, at: Path, where: dict[str, str], message: str, var: str, code: bool = False
) -> Diagnostic:
    use = (f"read it from the environment in the code (`env.get(\"{var}\")`)" if code
           else f"write `${{{var}}}` instead")
    return diagnostic(
        "W108", message,
        f"{use} and store the value with `flowrt secrets set SECRETS_FILE {var}`",
        **located(doc, at), **where,
    )
