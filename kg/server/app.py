"""The ASGI app of ``kg serve`` (Starlette): the live page and a read-only JSON API over a build folder's
lookup index.

    GET /                                   the page (?focus=NAME starts on that entity)
    GET /api/stats                          counts, the legend, the best-connected entities
    GET /api/search?q=&limit=               entities by any name or alias, either script
    GET /api/entity/{id}                    one entity
    GET /api/neighbourhood/{id}?offset=&limit=&type=&relation=&min_confidence=
                                            a page of its relations, filtered, with both ends
    GET /api/edge/{id}?offset=&limit=       one relation and a page of its evidence
    GET /api/path?a=&b=                     a shortest chain of relations between two names

Errors are ``{"error": "one line"}`` with 400 (bad parameter) or 404 (nothing by that id or name).
The index is read by one thread of its own (SQLite connections stay in the thread that opened them;
each answer takes milliseconds), so the event loop never waits on it. Only the hosts the server was
started for are answered (a page elsewhere cannot reach the API through DNS rebinding), every answer
says ``nosniff`` and ``no-referrer``, and the page carries the same Content-Security-Policy as
graph.html plus ``connect-src 'self'``.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from kg.graph.index import GraphIndex, UnknownName
from kg.graph.indexed import IndexedGraph, open_graph
from kg.server import page, records

#: The hosts a server on the loopback address answers (besides the address it listens on).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


class BadRequest(ValueError):
    """A parameter the API cannot take; the message is one line."""


class GraphService:
    """A build folder's graph, opened and read by one thread of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-index")
        try:
            self._graph: IndexedGraph = self._thread.submit(open_graph, folder).result()
            self.stats = self._thread.submit(records.stats, self._graph.index).result()
        except BaseException:
            self._thread.shutdown(wait=False)
            raise

    async def ask(self, question: Callable[..., Any], *args: Any) -> Any:
        """``question(index, *args)`` answered by the index's thread."""
        return await asyncio.wrap_future(self._thread.submit(question, self._graph.index, *args))

    def resolve(self, index: GraphIndex, name: str) -> int:
        return index.resolve(name)[0]

    def close(self) -> None:
        self._thread.submit(self._graph.close).result()
        self._thread.shutdown()


def _json(value: Any, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Response(body, status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def _int(request: Request, name: str, default: int, low: int = 0, high: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if value < low:
        raise BadRequest(f"{name} must be at least {low}")
    return min(value, high) if high is not None else value


def _confidence(request: Request) -> float:
    raw = request.query_params.get("min_confidence") or "0"
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"min_confidence must be a number, not {raw[:40]!r}") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise BadRequest("min_confidence must be between 0 and 1")
    return value


def _choices(request: Request, name: str, allowed: list[str]) -> list[str]:
    chosen = [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]
    for value in chosen:
        if value not in allowed:
            raise BadRequest(f"{name}: unknown value {value[:40]!r}; choose from {', '.join(allowed)}")
    return chosen


def _id(request: Request) -> int:
    raw = request.path_params["id"]
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"not an id: {raw[:40]!r}") from None


def create_app(service: GraphService, hosts: list[str] | None) -> Starlette:
    """The app over ``service``; ``hosts``: the Host headers answered (None: any)."""
    types = [t["name"] for t in service.stats["entityTypes"]]
    relation_types = [r["name"] for r in service.stats["relationTypes"]]

    def answering(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except BadRequest as exc:
                return _json({"error": str(exc)}, 400)
            except UnknownName as exc:
                return _json({"error": str(exc), "suggestions": exc.suggestions}, 404)
            except KeyError as exc:
                what = "relation" if handler is get_edge else "entity"
                return _json({"error": f"no {what} with id {exc.args[0]}"}, 404)
        return endpoint

    async def get_page(request: Request) -> Response:
        focus_name = request.query_params.get("focus")
        top = service.stats["top"]
        focus = top[0]["id"] if top else None  # the best-connected entity, unless asked for another
        if focus_name:
            try:
                focus = await service.ask(service.resolve, focus_name)
            except UnknownName:
                focus = None  # the page starts empty, with its search box
        title = f"kg · {service.folder}"
        html = page.render(service.stats, focus, title)
        # frame-ancestors works only as a header (a <meta> policy may not say it)
        return HTMLResponse(html, headers={"Content-Security-Policy": page.page_security_policy()
                                           + "; frame-ancestors 'none'", "Cache-Control": "no-store"})

    async def get_stats(request: Request) -> Response:
        return _json(service.stats)

    async def get_search(request: Request) -> Response:
        query = request.query_params.get("q", "")
        if len(query) > 200:
            raise BadRequest("q is longer than 200 characters")
        return _json(await service.ask(records.search, query, _int(request, "limit", 10, 1, records.MAX_HITS)))

    async def get_entity(request: Request) -> Response:
        return _json(records.plainly(await service.ask(records.entity, _id(request))))

    async def get_neighbourhood(request: Request) -> Response:
        return _json(await service.ask(
            records.neighbourhood, _id(request), _int(request, "offset", 0), _int(request, "limit", page.PAGE, 1,
                                                                                  records.MAX_PAGE),
            _choices(request, "type", types), _choices(request, "relation", relation_types), _confidence(request)))

    async def get_edge(request: Request) -> Response:
        return _json(await service.ask(records.edge, _id(request), _int(request, "offset", 0),
                                       _int(request, "limit", 50, 1, records.MAX_EVIDENCE_PAGE)))

    async def get_path(request: Request) -> Response:
        a, b = request.query_params.get("a", "").strip(), request.query_params.get("b", "").strip()
        if not a or not b:
            raise BadRequest("give both ends: ?a=NAME&b=NAME")
        return _json(await service.ask(records.path, a, b))

    routes = [
        Route("/", answering(get_page)),
        Route("/api/stats", answering(get_stats)),
        Route("/api/search", answering(get_search)),
        Route("/api/entity/{id}", answering(get_entity)),
        Route("/api/neighbourhood/{id}", answering(get_neighbourhood)),
        Route("/api/edge/{id}", answering(get_edge)),
        Route("/api/path", answering(get_path)),
    ]
    middleware = [Middleware(_SafeHeaders)]
    if hosts is not None:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=hosts))
    return Starlette(routes=routes, middleware=middleware)


class _SafeHeaders:
    """``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` on every answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-content-type-options", b"nosniff"),
                                      (b"referrer-policy", b"no-referrer")]
            await send(message)

        await self.app(scope, receive, sending)
