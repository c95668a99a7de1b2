"""Sphinx configuration of the livable documentation site.

Build: ``sphinx-build -n -W --keep-going -b html docs docs/_build/html``; doctests:
``sphinx-build -b doctest docs docs/_build/doctest``. Reference pages (CLI, glossary,
profile fields, traceability, schema tables, example outputs) are generated from the code
at build time into ``docs/_generated/`` by ``docs/_ext/livable_docs.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import livable  # noqa: E402

project = "livable"
author = "The livable developers"
copyright = "2020-2026, The livable developers"
release = livable.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "livable_docs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_generated", "_intersphinx", "_ext", "**/README.md"]
language = "en"

# -- MyST ------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

# -- HTML ------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"livable {release}"
html_static_path: list[str] = []
html_theme_options = {"navigation_with_keys": True}

# -- autodoc ---------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "description"
autodoc_class_signature = "separated"
autodoc_typehints_format = "short"

# -- doctest ---------------------------------------------------------------------------
# Docstrings are doctested by pytest (--doctest-modules); the doctest builder runs the
# examples written in the pages ({doctest} and {testcode} blocks).
doctest_test_doctest_blocks = ""
doctest_global_setup = f"""
import pathlib
import livable
ROOT = pathlib.Path({str(DOCS.parent)!r})
"""

# -- intersphinx (offline) -------------------------------------------------------------
# No web access while building: the inventories are shipped in docs/_intersphinx/ (see
# its README.md for their source). Python and attrs have one; shapely and pyproj do not
# (no package ships theirs), so no links are made to them. A mapping whose inventory is
# missing is left out rather than fetched.
_INVENTORIES = {
    "python": ("https://docs.python.org/3.11/", "python.inv"),
    "attrs": ("https://www.attrs.org/en/22.2.0/", "attrs.inv"),
}
intersphinx_mapping = {
    name: (url, str(DOCS / "_intersphinx" / inv))
    for name, (url, inv) in _INVENTORIES.items()
    if (DOCS / "_intersphinx" / inv).exists()
}
intersphinx_timeout = 1

# -- nitpicky --------------------------------------------------------------------------
# Objects of libraries without a shipped inventory, and private helpers, stay plain text.
nitpick_ignore_regex = [
    (r"py:.*", r"(shapely|pyproj|numpy|npt|pluggy|cattrs|orjson|scipy)(\..*)?"),
    (r"py:.*", r"(matplotlib|pandas|geopandas|openpyxl|pyarrow|pyogrio|osmium)(\..*)?"),
    (r"py:class", r"(Figure|Axes|Path|re\.Pattern)"),  # no inventory entry or a bare name
    (r"py:class", r"ReportSource"),  # a report or its parsed JSON (livable.models.results)
    (r"py:.*", r"(BaseGeometry|NDArray|ArrayLike|FloatArray|IntArray|Coords|ProviderFactory)"),
    (r"py:class", r"(FeatureSource|Client|Progress)"),  # aliases, and dask's Client
    (r"py:.*", r"livable\..*\._.*"),
    (r"py:class", r"_[A-Za-z]\w*"),  # private TypeVars in signatures (pluggy's _F)
    (r"py:attr", r"skipped"),  # PluginManager.skipped, an instance attribute
    (r"py:data", r"INPUT_KINDS"),  # documented as livable.indicators.base.INPUT_KINDS
]
