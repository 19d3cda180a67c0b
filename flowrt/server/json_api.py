"""The JSON the admin API's routes share: a request's body, an error answer, a diagnostic as the
API shows it, and the answers to the exceptions the middleware raises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from flowrt.diagnostics import Diagnostic
from flowrt.server.files import FlowFiles
from flowrt.server.throttle import Throttled


def error(status: int, text: str, **extra: Any) -> JSONResponse:
    """``{"error": text, ...extra}`` with that status."""
    return JSONResponse({"error": text, **extra}, status)


async def body_of(request: Request) -> dict[str, Any]:
    """The JSON object a request carries; ValueError when it is not one."""
    try:
        data = json.loads(await request.body() or b"null")
    except ClientDisconnect:
        raise ValueError("the client went away before its body arrived") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"the body is not JSON: {exc}") from exc
    except RecursionError:
        raise ValueError("the body's JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def public_diagnostic(d: Diagnostic, files: FlowFiles) -> dict[str, Any]:
    """A diagnostic as the API shows it: its file named as in the flows directory."""
    data = d.to_dict()
    if d.file:
        try:
            data["file"] = files.name(Path(d.file))
        except ValueError:
            pass
    return data


async def too_large(request: Request, exc: Exception) -> Response:
    """The answer to :class:`~flowrt.server.auth.BodyTooLarge`."""
    return JSONResponse({"error": str(exc)}, 413)


async def throttled(request: Request, exc: Exception) -> Response:
    """The answer to :class:`~flowrt.server.throttle.Throttled` (too many failed logins)."""
    seconds = exc.retry_after if isinstance(exc, Throttled) else 60
    return JSONResponse({"error": f"{exc}; wait, then check the user name and password"}, 429,
                        headers={"retry-after": str(seconds)})
