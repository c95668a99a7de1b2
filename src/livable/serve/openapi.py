"""The OpenAPI 3.1 description of ``livable serve`` and its documentation page (``/docs``).

The page is plain HTML made from the same document (no script, nothing fetched), so the
docs work offline too.

>>> doc = openapi_document()
>>> sorted(doc["paths"])  # doctest: +NORMALIZE_WHITESPACE
['/', '/api/communities', '/api/communities/{id}', '/api/near', '/api/summary', '/healthz',
 '/openapi.json']
>>> "/api/near" in docs_page(doc)
True
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from livable._version import __version__
from livable.io.datums import Datum

if TYPE_CHECKING:  # pragma: no cover
    from livable.serve.service import Service

__all__ = ["docs_page", "openapi_document"]

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message_en", "message_zh"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message_en": {"type": "string"},
                "message_zh": {"type": "string"},
            },
        }
    },
}

_NEARBY = {
    "type": "object",
    "required": ["id", "name", "lon", "lat", "distance_m"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": ["string", "null"]},
        "lon": {"type": "number"},
        "lat": {"type": "number"},
        "distance_m": {"type": "number"},
        "brand": {"type": "string"},
        "quality": {"type": "number"},
    },
}

_ACCESS = {
    "type": "object",
    "description": "Per facility type, as a community's `access` in report.json.",
    "additionalProperties": {
        "type": "object",
        "required": ["category", "nearest_m", "count_within", "count_in_circle", "nearest"],
        "properties": {
            "category": {"type": ["string", "null"]},
            "nearest_m": {"type": ["number", "null"]},
            "count_within": {"type": "object", "additionalProperties": {"type": "integer"}},
            "count_in_circle": {"type": "integer"},
            "nearest": {"type": "array", "items": {"$ref": "#/components/schemas/Nearby"}},
        },
    },
}


def _param(
    name: str,
    description: str,
    schema: dict[str, Any],
    *,
    required: bool = False,
    where: str = "query",
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema,
    }


def _errors(*statuses: int) -> dict[str, Any]:
    meaning = {400: "malformed request", 404: "not found", 422: "impossible question"}
    return {
        str(s): {
            "description": f"{meaning[s]} (message in en and zh)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for s in statuses
    }


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document(service: Service | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service's routes (``GET /openapi.json``)."""
    count = "" if service is None else f" Serving {len(service.report.communities)} communities."
    datums = [d.value for d in Datum]
    paths: dict[str, Any] = {
        "/api/near": {
            "get": {
                "summary": "What is near a point: access per facility type, live",
                "description": (
                    "Per facility type the nearest facilities (positions in the caller's "
                    "datum) and the counts within each walk tier and within the circle, "
                    "computed on the index as report.json computes a community's access, "
                    "plus the community that contains the point. `walk_min` gives the "
                    "walking minutes of each listed facility."
                ),
                "parameters": [
                    _param("lon", "longitude", {"type": "number"}, required=True),
                    _param("lat", "latitude", {"type": "number"}, required=True),
                    _param(
                        "datum",
                        "datum of lon/lat and of the answer",
                        {"type": "string", "enum": datums, "default": "wgs84"},
                    ),
                    _param(
                        "types",
                        "comma-separated facility types or service categories",
                        {"type": "string"},
                    ),
                ],
                "responses": {
                    "200": _json(
                        "the access from the point",
                        {
                            "type": "object",
                            "required": ["point", "datum", "community", "access"],
                            "properties": {
                                "point": {"type": "array", "items": {"type": "number"}},
                                "datum": {"type": "string", "enum": datums},
                                "community": {"type": ["string", "null"]},
                                "access": {"$ref": "#/components/schemas/Access"},
                                "walk_min": {"type": "object"},
                            },
                        },
                    ),
                    **_errors(400, 422),
                },
            }
        },
        "/api/communities": {
            "get": {
                "summary": "Communities by district, subdistrict, grade or name, paged",
                "parameters": [
                    _param("district", "district name", {"type": "string"}),
                    _param("subdistrict", "subdistrict name", {"type": "string"}),
                    _param(
                        "grade",
                        "grade",
                        {"type": "string", "enum": ["not_livable", "livable", "happy"]},
                    ),
                    _param(
                        "q",
                        "part of the id, name, district or subdistrict (zh or en)",
                        {"type": "string", "maxLength": 100},
                    ),
                    _param("offset", "first item", {"type": "integer", "minimum": 0}),
                    _param(
                        "limit",
                        "page size",
                        {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                    ),
                ],
                "responses": {"200": _json("one page", {"type": "object"}), **_errors(400, 422)},
            }
        },
        "/api/communities/{id}": {
            "get": {
                "summary": "A community's entry in report.json (grade, gaps, access, ...)",
                "parameters": [
                    _param("id", "community id", {"type": "string"}, required=True, where="path")
                ],
                "responses": {"200": _json("the entry", {"type": "object"}), **_errors(404)},
            }
        },
        "/api/summary": {
            "get": {
                "summary": "The city summary and the plan's targets",
                "responses": {"200": _json("report.json's summary", {"type": "object"})},
            }
        },
        "/healthz": {
            "get": {"summary": "Liveness", "responses": {"200": _json("ok", {"type": "object"})}}
        },
        "/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": _json("OpenAPI", {})}}
        },
        "/": {
            "get": {
                "summary": "The interactive map (HTML)",
                "responses": {"200": {"description": "the page", "content": {"text/html": {}}}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "livable",
            "version": __version__,
            "description": (
                "The 15-minute convenience service circle of a report: communities, their "
                "grades and gaps, and what is near any point. Read-only." + count
            ),
        },
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR, "Nearby": _NEARBY, "Access": _ACCESS}},
    }


def docs_page(document: dict[str, Any]) -> str:
    """The routes of an OpenAPI document as one HTML page (``GET /docs``)."""
    e = html.escape
    rows = []
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            params = "".join(
                f"<li><code>{e(p['name'])}</code> ({e(p['in'])}"
                f"{', required' if p.get('required') else ''}): {e(p['description'])}</li>"
                for p in op.get("parameters", [])
            )
            statuses = ", ".join(e(s) for s in op["responses"])
            rows.append(
                f"<h2><code>{e(method.upper())} {e(path)}</code></h2><p>{e(op['summary'])}</p>"
                + (f"<p>{e(op['description'])}</p>" if "description" in op else "")
                + (f"<ul>{params}</ul>" if params else "")
                + f"<p>responses: {statuses}</p>"
            )
    info = document["info"]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>livable API</title>'
        "<style>body{font-family:sans-serif;max-width:50em;margin:1em auto;padding:0 1em}"
        "code{background:#f3f3f3}</style></head><body>"
        f"<h1>{e(info['title'])} {e(info['version'])} API</h1><p>{e(info['description'])}</p>"
        '<p>Machine-readable: <a href="openapi.json">openapi.json</a>. Errors are '
        '<code>{"error": {"status", "code", "message_en", "message_zh"}}</code>.</p>'
        + "".join(rows)
        + "</body></html>"
    )
