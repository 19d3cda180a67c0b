"""Redaction: what counts as a secret value, how it is hidden (plain and in its common
encodings), what cannot be hidden (values too short), and the log formats."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest


def fresh(prefix: str = "v") -> str:
    return f"{prefix}-{secrets.token_urlsafe(12)}"


@pytest.fixture
def registry() -> object:
    from flowrt.secrets.redact import Secrets

    return Secrets()


def test_with_no_secret_text_passes_through_untouched(registry: object) -> None:
    from flowrt.secrets.redact import Secrets

    assert isinstance(registry, Secrets)
    text = "nothing secret here " * 10
    assert registry.text(text) is text
    data = {"a": [text, 1, None]}
    assert registry.data(data) is data


def test_a_value_is_shown_as_its_reference(registry: object) -> None:
    from flowrt.secrets.redact import Secrets

    assert isinstance(registry, Secrets)
    value = fresh()
    registry.add("API_KEY", value)
    assert registry.text(f"GET https://x/?key={value} failed") == (
        "GET https://x/?key=${API_KEY} failed")


@pytest.mark.parametrize("form", [
    lambda v: quote(v, safe=""),
    lambda v: quote_plus(v),
    lambda v: quote(v, safe="/:@"),
    lambda v: json.dumps(v)[1:-1],
    lambda v: json.dumps(v, ensure_ascii=False)[1:-1],
    lambda v: repr(v)[1:-1],
])
def test_encoded_forms_are_hidden_too(registry: object, form: object) -> None:
    from flowrt.secrets.redact import Secrets

    assert isinstance(registry, Secrets) and callable(form)
    value = "pä ss/wörd:@\"'&+%=" + secrets.token_hex(4)
    registry.add("PASSWORD", value)
    shown = registry.text(f"before {form(value)} after")
    assert shown == "before ${PASSWORD} after", shown


def test_base64_and_a_basic_header_are_hidden(registry: object) -> None:
    from flowrt.secrets.redact import Secrets

    assert isinstance(registry, Secrets)
    value = fresh()
    registry.add("PASSWORD", value)
    basic = base64.b64encode(f"user:{value}".encode()).decode()
    alone = base64.b64encode(value.encode()).decode()
    for text in (f"Authorization: Basic {basic}", f"{{'authorization': 'basic {basic}'}}",
                 f"payload {alone} end", base64.urlsafe_b64encode(value.encode()).decode()):
        shown = registry.text(text)
        assert value not in shown and basic not in shown and alone.rstrip("=") not in shown
        assert "***" in shown, shown


def test_the_longer_of_two_overlapping_secrets_wins(registry: object) -> None:
    from flowrt.secrets.redact import Secrets

    assert isinstance(registry, Secrets)
    short = fresh()
    registry.add("SHORT", short)
    registry.add("LONG", short + "-tail")
    assert registry.text(f"[{short}-tail] [{short}]") == "[${LONG}] [${SHORT}]"


def test_too_short_values_are_not_redacted_but_reported(registry: object) -> None:
    from flowrt.secrets.redact import MIN_LENGTH, Secrets

    assert isinstance(registry, Secrets)
    registry.add("PIN", "123")
    registry.add("EMPTY", "")
    assert MIN_LENGTH == 4
    assert registry.text("room 123 of 1234") == "room 123 of 1234"
    assert registry.too_short() == ["PIN"]
    assert registry.value("123") == "${PIN}"  # where a whole value is shown, it still goes


def test_structures_are_redacted_without_breaking_them(registry: object) -> None:
    from flowrt.secrets.redact import Secrets

    assert isinstance(registry, Secrets)
    registry.add("PIN", "1234")
    registry.add("FLAG", "true")  # a switch word: never taken for a secret
    value = fresh()
    registry.add("TOKEN", value)
    data = {"ok": True, value: [f"x{value}y", 1234, {"b": value.encode()}], "t": "true",
            "p": "1234"}
    shown = registry.data(data)
    assert shown == {"ok": True, "${TOKEN}": ["x${TOKEN}y", 1234, {"b": b"${TOKEN}"}],
                     "t": "true", "p": "${PIN}"}
    assert shown["ok"] is True and data[value][0] == f"x{value}y"  # the original is untouched


def test_credential_named_variables_count_as_secrets() -> None:
    from flowrt.secrets.redact import credential_values

    env = {"PG_PASSWORD": "pw-1234", "GITHUB_TOKEN": "ghp-xyz1", "X_API_KEY": "k-1234",
           "HOME": "/home/x", "TOKEN_URL": "https://a/b", "USE_TOKEN": "true",
           "PASSWORD_FILE": "/run/pw"}
    assert credential_values(env) == {"PG_PASSWORD": "pw-1234", "GITHUB_TOKEN": "ghp-xyz1",
                                      "X_API_KEY": "k-1234"}


def test_the_secrets_file_and_the_processs_own_secrets_are_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowrt.secrets import redact
    from flowrt.secrets import store as secrets_store
    from flowrt.secrets.references import load_secrets, withhold_own_secrets

    value, token, password = fresh(), fresh("tok") + "-0123456789", fresh("pw")
    file = tmp_path / "s.yaml"
    file.write_text(f"SOME_NAME: {value}\n")
    file.chmod(0o600)
    load_secrets(file)
    monkeypatch.setenv("FLOWRT_TOKENS", f"ops:{token}")
    monkeypatch.setenv("FLOWRT_GROUP_DB", f"postgresql://u:{password}@h/db")
    try:
        withhold_own_secrets()
    finally:
        secrets_store.forget_key()
    shown = redact.redact(f"{value} {token} {password}")
    assert value not in shown and token not in shown and password not in shown


@pytest.fixture
def logged(capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_log_records_of_every_logger_are_redacted(
    fmt: str, logged: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from flowrt.cli.logs import setup_logging
    from flowrt.secrets.redact import register

    value = fresh() + "\"\\é"
    register("LOGGED_SECRET", value)
    setup_logging(fmt, "info")
    logging.getLogger("flowrt.node").error("node says %s", value)
    logging.getLogger("some.library").warning(f"library says {value}")
    try:
        raise RuntimeError(f"boom {value}")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("failed with %r", {"k": value})
    sys.stderr.flush()
    err = capsys.readouterr().err
    assert err.count("${LOGGED_SECRET}") >= 4, err
    assert value not in err and json.dumps(value)[1:-1] not in err
    assert fresh_part(value) not in err
    if fmt == "json":
        assert all(json.loads(line) for line in err.strip().splitlines() if line.startswith("{"))


def fresh_part(value: str) -> str:
    """The random middle of a value made by :func:`fresh` (found in any escaping of it)."""
    return value.split("-", 1)[1][:12]


def test_uvicorn_of_flowrt_run_http_logs_through_the_redacting_handler(
    logged: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """`flowrt run --http` starts uvicorn after logging is set up: uvicorn must not give its
    loggers handlers of their own (its default log configuration), which wrote past
    redaction and past the JSON format."""
    from flowrt.cli.logs import setup_logging
    from flowrt.run.http import HttpServer
    from flowrt.secrets.redact import register

    value = fresh()
    register("UVICORN_SECRET", value)
    setup_logging("json", "info")
    HttpServer(object(), "127.0.0.1", 0)
    logging.getLogger("uvicorn.error").error("uvicorn says %s", value)
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if "uvicorn says" in x]
    assert json.loads(line)["message"] == "uvicorn says ${UVICORN_SECRET}"
