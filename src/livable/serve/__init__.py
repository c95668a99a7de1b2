"""The HTTP service for a city's app and the interactive map (``P7``: one map, one network).

``livable serve`` runs :func:`create_app`, an ASGI application (Starlette, the ``serve``
extra), with uvicorn: it loads a report (or evaluates communities and facilities) once,
indexes the facilities once, then answers ``/api/near``, ``/api/communities``,
``/api/communities/{id}``, ``/api/summary``, ``/openapi.json``, ``/docs``, ``/healthz`` and
``/`` (the interactive map). The service itself (:class:`~livable.serve.service.Service`) and
the map page (:func:`~livable.serve.page.map_page`) need no web framework.

>>> from livable.serve import Service, map_page
>>> callable(map_page), Service.__name__
(True, 'Service')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from livable.serve.page import LEAFLET_VERSION, map_page, write_map_page
from livable.serve.service import NearAnswer, RequestError, Service

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette

__all__ = [
    "LEAFLET_VERSION",
    "NearAnswer",
    "RequestError",
    "Service",
    "create_app",
    "map_page",
    "write_map_page",
]


def create_app(*args: Any, **kwargs: Any) -> Starlette:
    """The ASGI application (:func:`livable.serve.app.create_app`; needs the ``serve`` extra).

    >>> from livable.testing import community, facility
    >>> app = create_app(communities=[community("c1", 108.94, 34.26)],
    ...                  facilities=[facility("k1", "kindergarten", 108.945, 34.26)])
    >>> type(app).__name__
    'Starlette'
    """
    from livable.serve.app import create_app as create

    return create(*args, **kwargs)
