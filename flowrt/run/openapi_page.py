"""A readable page of the flows' OpenAPI document (``/openapi``): plain HTML made on the server
from the document itself, every value escaped, no script and nothing loaded from elsewhere."""

from __future__ import annotations

from html import escape
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left;vertical-align:top}code{font-size:14px}.m{font-weight:600;text-transform:uppercase}
"""


def page(doc: dict[str, Any]) -> str:
    """The HTML page listing the operations of ``doc`` (an OpenAPI document of
    :func:`flowrt.run.openapi_doc.document`)."""
    rows = []
    for path, item in doc.get("paths", {}).items():
        for method in (m for m in METHODS if m in item):
            rows.append(_row(path, method, item[method]))
    title = escape(str(doc.get("info", {}).get("title", "API")))
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}</h1><p>The OpenAPI 3.1 document: <a href=openapi.json>openapi.json"
        "</a>.</p><table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Who may call"
        "</th><th>Limits</th><th>Answers</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table></body></html>\n"
    )


def _row(path: str, method: str, op: dict[str, Any]) -> str:
    cells = [
        f"<td class=m>{escape(method)}</td>",
        f"<td><code>{escape(path)}</code></td>",
        f"<td>{escape(str(op.get('summary', '')))}</td>",
        f"<td>{escape(_who(op))}</td>",
        f"<td>{escape(_limits(op))}</td>",
        f"<td>{escape(', '.join(op.get('responses', {})))}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _who(op: dict[str, Any]) -> str:
    security = op.get("security")
    if not security:
        who = "anyone who reaches it"
    else:
        who = " or ".join(name for requirement in security for name in requirement)
        scopes = sorted({s for requirement in security for v in requirement.values()
                         for s in v})
        if scopes:
            who += f" (scopes: {', '.join(scopes)})"
    cors = op.get("x-cors")
    if cors:
        who += f"; pages of {', '.join(cors['origins'])}"
    return who


def _limits(op: dict[str, Any]) -> str:
    limit = op.get("x-rate-limit")
    if not limit:
        return ""
    parts = []
    if "rate" in limit:
        parts.append(f"{limit['rate']:g}/s, burst {limit['burst']}")
    if "quota" in limit:
        parts.append(f"{limit['quota']} a day")
    return f"per {limit['per']}: " + "; ".join(parts)
