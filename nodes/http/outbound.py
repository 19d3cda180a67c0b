"""What http-request sends (url, headers, body) and what it makes of the answer, as Node-RED's
http request node does."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flowrt.api import MISSING, Message, NodeError, get_property

from .outgoing import STALE_HEADERS, text_of

TEMPLATE = re.compile(r"\{\{\{\s*([^{}]+?)\s*\}\}\}|\{\{\s*&?\s*([^{}]+?)\s*\}\}")
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
NO_BODY = frozenset({"GET", "HEAD"})


def render_url(template: str, msg: Message) -> str:
    """``{{payload.id}}`` (or ``{{{...}}}``) replaced by that message property, as text; a
    missing property gives an empty string. Values are inserted as they are, not escaped."""

    def value(match: re.Match[str]) -> str:
        path = match.group(1) or match.group(2)
        try:
            found = get_property(msg, path)
        except ValueError as exc:
            raise NodeError(f"url template {{{{{path}}}}}: {exc}") from exc
        return "" if found is MISSING or found is None else text_of(found)

    return TEMPLATE.sub(value, template)


def full_url(url: str) -> str:
    """The url with ``http://`` added when it has no scheme; only http and https are taken."""
    url = url.strip()
    if not url:
        raise NodeError("no url: set the node's `url`, or `msg.url`")
    found = SCHEME.match(url)
    if found is None:
        return "http://" + url
    if found.group(1).lower() not in ("http", "https"):
        raise NodeError(f"{shown(url)}: only http:// and https:// urls can be requested")
    return url


def shown(url: str) -> str:
    """The url for messages and errors: any password in it replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def request_headers(given: Any, configured: Mapping[str, str]) -> dict[str, str]:
    """``msg.headers`` (without ones describing another body) overridden by the node's."""
    if given is not None and not isinstance(given, dict):
        raise NodeError(f"msg.headers must be an object of header names; got {given!r}")
    merged: dict[str, tuple[str, str]] = {}
    for name, value in (given or {}).items():
        key = str(name).lower()
        if key not in STALE_HEADERS and key != "host" and value is not None:
            text = ", ".join(map(text_of, value)) if isinstance(value, list) else text_of(value)
            merged[key] = (str(name), text)
    for name, value in configured.items():
        merged[name.lower()] = (name, value)
    return dict(merged.values())


def request_body(
    method: str, payload: Any, headers: dict[str, str], to_query: bool
) -> tuple[bytes | None, dict[str, Any] | None]:
    """``(body, query parameters)`` for a payload. GET and HEAD send no body; with
    ``to_query`` an object payload becomes their query. Other methods send bytes and text as
    they are, numbers as text, and objects as JSON (adding ``content-type: application/json``
    when none is set) or as a form when the content type says so."""
    if payload is MISSING or payload is None:
        return None, None
    if method in NO_BODY:
        if to_query and isinstance(payload, dict):
            return None, {str(k): _query_value(v) for k, v in payload.items()}
        return None, None
    if isinstance(payload, bytes | bytearray):
        return bytes(payload), None
    if isinstance(payload, str) or (isinstance(payload, int | float)
                                    and not isinstance(payload, bool)):
        return text_of(payload).encode(), None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if content_type is None:
        headers["content-type"] = "application/json"
    elif content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        if not isinstance(payload, dict):
            raise NodeError("a form (application/x-www-form-urlencoded) payload must be an object")
        pairs = {str(k): _query_value(v) for k, v in payload.items()}
        return urlencode(pairs, doseq=True).encode(), None
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), None


def _query_value(value: Any) -> Any:
    return [text_of(v) for v in value] if isinstance(value, list) else text_of(value)


def response_headers(response: Any) -> dict[str, Any]:
    """Headers with lower-case names; a header sent several times is joined with ``, ``, except
    ``set-cookie``, which is a list."""
    out: dict[str, Any] = {}
    for key, value in response.headers.multi_items():
        if key == "set-cookie":
            out.setdefault(key, []).append(value)
        elif key in out:
            out[key] = f"{out[key]}, {value}"
        else:
            out[key] = value
    return out


def response_cookies(response: Any) -> dict[str, Any]:
    """``responseCookies`` as Node-RED gives it: name -> ``{"value": ...}``."""
    from http.cookies import CookieError, SimpleCookie

    cookies: dict[str, Any] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            continue
        for name, morsel in jar.items():
            cookies[name] = {"value": morsel.value}
    return cookies


def redirect_list(response: Any) -> list[dict[str, Any]]:
    """Each redirect followed: the ``location`` it went to and the cookies it set."""
    return [
        {"location": str(hop.url.join(hop.headers.get("location", ""))),
         "cookies": response_cookies(hop)}
        for hop in response.history
    ]


def payload_of(response: Any, ret: str) -> tuple[Any, str]:
    """The payload for ``ret`` (txt, bin, obj) and a warning ("" when none)."""
    if ret == "bin":
        return response.content, ""
    text = response.text
    if ret == "obj" and response.content:
        try:
            return json.loads(text), ""
        except ValueError as exc:
            return text, f"the response is not JSON ({exc}); payload is its text"
    return text, ""
