"""JSON Schemas of livable's documents, shipped in the package.

>>> from livable.schemas import load_schema
>>> load_schema("report")["title"]
'livable report'
"""

from __future__ import annotations

import importlib.resources
import json
from typing import Any

__all__ = ["SCHEMAS", "load_schema"]

SCHEMAS = ("report", "communities", "facilities", "residents", "diff")
"""The names of the shipped schemas (``<name>.schema.json``)."""


def load_schema(name: str = "report") -> dict[str, Any]:
    """The JSON Schema ``<name>.schema.json`` as a mapping."""
    resource = importlib.resources.files(__name__).joinpath(f"{name}.schema.json")
    if not resource.is_file():
        raise KeyError(f"no schema named {name!r}")
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data
