"""``/openapi.json`` and ``/openapi`` of the flows' HTTP server: the OpenAPI document of the
http-in endpoints serving now (:mod:`flowrt.run.openapi_doc`) and a plain page listing them
(:mod:`flowrt.run.openapi_page`).

The :class:`~flowrt.run.http.RouteTable` answers these two paths when no http-in node serves
them (a flow's own route wins) and at least one http-in route is served; WebSocket paths alone
do not make an API. They pass through whatever is in front of the table: under ``flowrt serve``
the server's Host checks (``--allowed-host``, ``--public-url``), as every flow endpoint does.

They are on by default: the document holds nothing a caller could not learn by calling the
endpoints (methods, paths, which kind of credential each takes, its limits), never a
credential, and it is served only where the endpoints themselves are. ``--no-openapi`` (or
``FLOWRT_OPENAPI=0``) of ``flowrt run`` and ``flowrt serve`` turns them off, for endpoints
whose very paths are not to be listed.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol

from flowrt.compile.plan import Plan

if TYPE_CHECKING:  # Starlette is imported with the first answer: `flowrt run --openapi` of a
    # flow with no http-in node, which only sets the option, loads none of it
    from starlette.responses import Response
    from starlette.types import Scope

DOCUMENT_PATH, PAGE_PATH = "/openapi.json", "/openapi"
_settings = {"enabled": True}


def configure(enabled: bool) -> None:
    """Serve the document and its page in this process (the default), or not."""
    _settings["enabled"] = enabled


def enabled() -> bool:
    return _settings["enabled"]


class PlanHolder(Protocol):
    """What runs a plan whose http-in nodes add routes (a Runtime); its ``plan`` is read on
    every request, so a node-level deploy that changes it is described at once."""

    plan: Plan


class ApiDocs:
    """The plans of the runtimes whose nodes serve on one route table, newest first, and the
    answers of :data:`DOCUMENT_PATH` and :data:`PAGE_PATH` made from them."""

    def __init__(self) -> None:
        self._holders: list[PlanHolder] = []
        self._made: tuple[tuple[Plan, ...], frozenset[str], dict[str, Any]] | None = None
        """The last document, with the plans and nodes it describes: made again only when
        they change (a deploy), so asking for it often costs the flows' event loop nothing."""

    def attach(self, holder: PlanHolder) -> None:
        if not any(h is holder for h in self._holders):
            self._holders.insert(0, holder)

    def detach(self, holder: PlanHolder) -> None:
        self._holders = [h for h in self._holders if h is not holder]

    def response(self, scope: Scope, served: Collection[str]) -> Response | None:
        """The answer to a request for the document or its page, describing the nodes in
        ``served`` (the ids of the http-in nodes with a route now); None for any other
        request, or when turned off or nothing is served."""
        if (scope["path"] not in (DOCUMENT_PATH, PAGE_PATH) or not served
                or scope["method"] not in ("GET", "HEAD") or not enabled()):
            return None
        from starlette.responses import Response

        doc = self._document(served)
        if scope["path"] == DOCUMENT_PATH:
            return Response(doc["json"], media_type="application/json", headers=_HEADERS)
        return Response(doc["page"], media_type="text/html", headers={
            **_HEADERS,
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                       "frame-ancestors 'none'; base-uri 'none'",
        })


    def _document(self, served: Collection[str]) -> dict[str, Any]:
        plans, nodes = tuple(h.plan for h in self._holders), frozenset(served)
        made = self._made
        if (made is None or made[1] != nodes or len(made[0]) != len(plans)
                or any(a is not b for a, b in zip(made[0], plans, strict=True))):
            # imported with the first answer, as Starlette is: `flowrt run`, which sets the
            # option, loads neither for a flow with no http-in node
            from flowrt.run.openapi_doc import document
            from flowrt.run.openapi_page import page

            doc = document(plans, only=nodes)
            made = self._made = (plans, nodes, {
                "json": json.dumps(doc, separators=(",", ":")), "page": page(doc)})
        return made[2]


_HEADERS: dict[str, Any] = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
