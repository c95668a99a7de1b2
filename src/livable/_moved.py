"""The module paths of livable 0.1 that moved in 0.2, kept for one release as aliases.

Importing an old path works and raises a :class:`DeprecationWarning` naming the new one;
the old paths go in 0.3. Nothing in ``livable`` imports them.

>>> MOVED["livable.maps"]
'livable.report.maps'
"""

from __future__ import annotations

import warnings

__all__ = ["MOVED", "moved", "moved_name"]

MOVED = {
    "livable.dask": "livable.scale.dask",
    "livable.export": "livable.report.export",
    "livable.geometry.datums": "livable.io.datums",
    "livable.geopandas": "livable.report.geodataframe",
    "livable.geoparquet": "livable.io.geoparquet",
    "livable.handbook": "livable.report.handbook",
    "livable.importers": "livable.io",
    "livable.importers.amap": "livable.io.amap",
    "livable.importers.dedupe": "livable.io.dedupe",
    "livable.importers.gis": "livable.io.gis",
    "livable.importers.osm": "livable.io.osm",
    "livable.maps": "livable.report.maps",
    "livable.partition": "livable.scale.tiles",
    "livable.planner": "livable.report.planner",
    "livable.progress": "livable.cli.progress",
    "livable.residents": "livable.indicators.residents",
    "livable.rollup": "livable.grading",
    "livable.sample": "livable.io.sample",
    "livable.synthetic": "livable.io.synthetic",
}
"""Old module path -> new module path."""


def _message(old: str, new: str) -> str:
    return (
        f"{old} moved to {new} in livable 0.2; import it from there "
        "(the old path is removed in 0.3)"
    )


def moved(old: str) -> None:
    """Warn that module ``old`` moved (called by the alias module at ``old`` itself)."""
    warnings.warn(_message(old, MOVED[old]), DeprecationWarning, stacklevel=3)


def moved_name(module: str, name: str, new_module: str) -> None:
    """Warn that ``module.name`` moved to ``new_module.name`` (called by the module-level
    ``__getattr__`` of ``module``, so the warning points at the line that asked for it)."""
    warnings.warn(
        _message(f"{module}.{name}", f"{new_module}.{name}"), DeprecationWarning, stacklevel=3
    )
