"""The ASGI application (Starlette): the routes of ``livable serve`` over a :class:`Service`.

Every route is ``GET`` (the service is read-only); answers are JSON, errors too: 400 for a
malformed request (a parameter missing, not a number, unknown, too long), 404 for an unknown
route or community, 405 for another method, 422 for a well-formed but impossible question
(a latitude of 100, an unknown datum or facility type, a page too large), 500 without a
trace for a fault of the server. Each error body is ``{"error": {"status", "code",
"message_en", "message_zh"}}`` and names no file on the server. CORS is off unless origins
are given.

>>> from livable.testing import community, facility
>>> app = create_app(communities=[community("c1", 108.94, 34.26)],
...                  facilities=[facility("k1", "kindergarten", 108.945, 34.26)])
>>> sorted(r.path for r in app.routes)  # doctest: +NORMALIZE_WHITESPACE
['/', '/api/communities', '/api/communities/{id}', '/api/near', '/api/summary', '/docs',
 '/healthz', '/openapi.json']
"""

from __future__ import annotations

import gc
import json
import math
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from livable._version import __version__
from livable.serve.openapi import docs_page, openapi_document
from livable.serve.page import map_page
from livable.serve.service import MAX_QUERY_CHARS, RequestError, Service

__all__ = ["MAX_QUERY_STRING", "SETTINGS_ENV", "app_from_environment", "create_app"]

SETTINGS_ENV = "LIVABLE_SERVE_SETTINGS"
"""The environment variable through which ``livable serve --workers N`` hands its
settings (the keywords of :func:`create_app`, as JSON) to each worker process."""

MAX_QUERY_STRING = 2048
"""The longest query string accepted (bytes); a longer one is answered 400."""

_PARAMS = {
    "/api/near": {"lon", "lat", "datum", "types"},
    "/api/communities": {"district", "subdistrict", "grade", "q", "offset", "limit"},
}


class JSONResponse(Response):
    """A JSON response written with orjson (UTF-8, Chinese as it is)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """The body bytes."""
        return orjson.dumps(content)


def _error(exc: RequestError) -> JSONResponse:
    return JSONResponse(exc.to_dict(), status_code=exc.status)


def _bad(code: str, en: str, zh: str) -> RequestError:
    return RequestError(400, code, en, zh)


def _float(request: Request, name: str) -> float:
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        raise _bad("missing_parameter", f"give the parameter {name}", f"缺少参数 {name}")
    try:
        value = float(raw)
    except ValueError:
        raise _bad("not_a_number", f"{name} must be a number", f"{name} 必须是数字") from None
    if not math.isfinite(value):
        raise _bad("not_a_number", f"{name} must be a finite number", f"{name} 必须是有限数")
    return value


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise _bad(
            "not_an_integer", f"{name} must be a whole number", f"{name} 必须是整数"
        ) from None


def _text(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) > MAX_QUERY_CHARS:
        raise _bad(
            "parameter_too_long",
            f"{name} is at most {MAX_QUERY_CHARS} characters",
            f"{name} 最多 {MAX_QUERY_CHARS} 个字符",
        )
    return raw


def _check_params(request: Request, path: str) -> None:
    unknown = sorted(set(request.query_params.keys()) - _PARAMS[path])
    if unknown:
        shown = ", ".join(u[:40] for u in unknown[:5])
        raise _bad("unknown_parameter", f"unknown parameter: {shown}", f"未知参数：{shown}")


Handler = Callable[[Request], Awaitable[Response]]


def _answers_errors(handler: Callable[[Request], Response]) -> Handler:
    async def endpoint(request: Request) -> Response:
        try:
            return handler(request)
        except RequestError as exc:
            return _error(exc)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


class _QueryLimit:
    """ASGI middleware: a request whose query string is too long is answered 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
            response = _error(
                _bad(
                    "query_too_long",
                    f"the query string is over {MAX_QUERY_STRING} bytes",
                    f"查询字符串超过 {MAX_QUERY_STRING} 字节",
                )
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _routes(service: Service, page: bytes, openapi: dict[str, Any], docs: str) -> list[Route]:
    def near(request: Request) -> Response:
        _check_params(request, "/api/near")
        types = [t for v in request.query_params.getlist("types") for t in v.split(",")]
        if len(types) > 64:
            raise RequestError(422, "too_many_types", "at most 64 types", "最多 64 个类型")
        answer = service.near(
            _float(request, "lon"),
            _float(request, "lat"),
            datum=_text(request, "datum") or "wgs84",
            types=types or None,
        )
        return JSONResponse(answer.to_dict())

    def communities(request: Request) -> Response:
        _check_params(request, "/api/communities")
        page_ = service.communities(
            district=_text(request, "district"),
            subdistrict=_text(request, "subdistrict"),
            grade=_text(request, "grade"),
            q=_text(request, "q"),
            offset=_int(request, "offset", 0),
            limit=_int(request, "limit", 50),
        )
        return JSONResponse(page_.to_dict())

    def community(request: Request) -> Response:
        if request.query_params:
            raise _bad("unknown_parameter", "this route takes no parameters", "此接口不接受参数")
        return JSONResponse(service.community_dict(request.path_params["id"]))

    def summary(_request: Request) -> Response:
        return JSONResponse(service.summary())

    def healthz(_request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "livable_version": __version__,
                "communities": len(service.report.communities),
                "facilities": len(service.facilities),
            }
        )

    def openapi_json(_request: Request) -> Response:
        return JSONResponse(openapi)

    def docs_html(_request: Request) -> Response:
        return HTMLResponse(docs)

    def index(_request: Request) -> Response:
        return HTMLResponse(page)

    return [
        Route("/", _answers_errors(index)),
        Route("/api/near", _answers_errors(near)),
        Route("/api/communities", _answers_errors(communities)),
        Route("/api/communities/{id}", _answers_errors(community)),
        Route("/api/summary", _answers_errors(summary)),
        Route("/healthz", _answers_errors(healthz)),
        Route("/openapi.json", _answers_errors(openapi_json)),
        Route("/docs", _answers_errors(docs_html)),
    ]


async def _http_error(_request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    if status == 404:
        err = RequestError(404, "not_found", "no such route; see /docs", "没有此接口；见 /docs")
    elif status == 405:
        err = RequestError(
            405, "method_not_allowed", "the service is read-only: GET only", "服务只读：仅支持 GET"
        )
    else:
        err = RequestError(status, "http_error", "bad request", "请求无效")
    return _error(err)


async def _server_error(_request: Request, _exc: Exception) -> Response:
    return _error(
        RequestError(500, "internal_error", "internal error of the service", "服务内部错误")
    )


def create_app(
    service: Service | None = None,
    *,
    report: Any = None,
    communities: Any = None,
    facilities: Any = None,
    streets: Any = None,
    profile: Any = None,
    cors_origins: Sequence[str] = (),
    tiles: str | None = None,
    tiles_datum: str = "wgs84",
) -> Starlette:
    """The ASGI application of ``livable serve``, loaded and indexed once.

    Give a :class:`Service`, or ``report`` (a ``report.json`` path or a
    :class:`~livable.report.Report`, with ``facilities`` unless the report's own facilities
    file is at hand), or ``communities`` and ``facilities`` (evaluated once; ``streets``
    for the street network). ``cors_origins`` lists the origins allowed to call the API from
    a browser (none by default); ``tiles`` is the base map's tile URL of ``GET /``
    (``tiles_datum="gcj02"`` for Amap's tiles). Run it with uvicorn (``livable serve``).
    """
    if service is None:
        if report is not None:
            service = Service.from_report(report, facilities, streets=streets, profile=profile)
        elif communities is not None and facilities is not None:
            service = Service.evaluate(
                communities, facilities, streets=streets, profile=profile or "xian-2020"
            )
        else:
            raise TypeError("give a service, a report, or communities and facilities")
    page = map_page(
        service.report,
        streets=service.streets_geojson(),
        tiles=tiles,
        tiles_datum=tiles_datum,
        api=True,
    ).encode("utf-8")
    openapi = openapi_document(service)
    middleware = [Middleware(_QueryLimit)]
    if cors_origins:
        middleware.append(
            Middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET"])
        )
    return Starlette(
        routes=_routes(service, page, openapi, docs_page(openapi)),
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )


def app_from_environment() -> Starlette:
    """The application of one worker of ``livable serve --workers N`` (uvicorn's factory):
    :func:`create_app` of the settings in :data:`SETTINGS_ENV`, its objects then frozen out
    of the garbage collector's reach (they live as long as the process).

    >>> import os
    >>> from livable.testing import community, facility
    >>> from livable.io.sample import write_sample_city
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> c, f = write_sample_city(folder)
    >>> os.environ[SETTINGS_ENV] = json.dumps({"communities": str(c), "facilities": str(f)})
    >>> type(app_from_environment()).__name__
    'Starlette'
    >>> del os.environ[SETTINGS_ENV]; gc.unfreeze()
    """
    settings = json.loads(os.environ[SETTINGS_ENV])
    app = create_app(**settings)
    gc.collect()
    gc.freeze()
    return app
