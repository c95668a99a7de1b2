"""Property names mapped back: DBF-truncated or GDAL-laundered columns, and ``rename``.

A shapefile's DBF keeps 10 characters of a column name (``green_ratio`` is saved as
``green_rati``); GDAL's laundering lowercases a name and writes ``_`` for anything but
letters, digits and ``_``. A column that is the one such form of a name the reader or a
plugin reads is mapped back to it (:func:`name_map`); a form that fits several names is an
error naming them, and an explicit ``rename`` (``--rename OLD=NEW``) covers anything else.

>>> name_map(["id", "green_rati", "subdistric"], {"id", "green_ratio", "subdistrict"}, {})
{'green_rati': 'green_ratio', 'subdistric': 'subdistrict'}
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from livable._text import show
from livable.errors import InputError

__all__ = ["DBF_WIDTH", "launder", "name_map"]

DBF_WIDTH = 10
"""The most characters a DBF (shapefile) column name keeps."""

_NOT_WORD = re.compile(r"[^a-z0-9_]")


def launder(name: str) -> str:
    """GDAL's laundered form of a column name (lower case, ``_`` for other characters).

    >>> launder("Green-Ratio")
    'green_ratio'
    """
    return _NOT_WORD.sub("_", name.lower())


def _forms(name: str) -> set[str]:
    forms = {name[:DBF_WIDTH], launder(name), launder(name)[:DBF_WIDTH]}
    forms.discard(name)
    return forms


def name_map(
    columns: Collection[str],
    names: Collection[str],
    rename: Mapping[str, str],
    *,
    source: str = "<memory>",
) -> dict[str, str]:
    """Old column -> name read, for the ``columns`` of a table.

    ``rename`` first (its columns present in the table); then each column that is not a
    name read and is a truncated or laundered form of exactly one name read that the
    table lacks. A column that fits several raises :class:`~livable.errors.InputError`
    naming them, as do two columns that map to one name.

    >>> name_map(["community_"], {"community_workers", "community_wifi_x"}, {})
    Traceback (most recent call last):
    ...
    livable.errors.InputError: <memory>: column 'community_' may be any of 'community_wifi_x', ...
    """
    present = set(columns)
    mapping = {old: new for old, new in rename.items() if old in present and old != new}
    wanted = set(names) - present
    for column in columns:
        if column in mapping or column in names:
            continue
        candidates = sorted(n for n in wanted if column in _forms(n))
        if len(candidates) > 1:
            shown = ", ".join(show(c) for c in candidates)
            raise InputError(
                f"column {show(column)} may be any of {shown} (a shapefile keeps 10 "
                f"characters of a name): name it with --rename {column}=NAME (rename= in "
                "Python)",
                source=source,
            )
        if candidates:
            mapping[column] = candidates[0]
    targets: dict[str, str] = {}
    for old, new in mapping.items():
        if new in targets or (new in present and new not in mapping):
            other = targets.get(new, new)
            raise InputError(
                f"columns {show(other)} and {show(old)} would both be read as {show(new)}: "
                "drop one, or name them with --rename",
                source=source,
            )
        targets[new] = old
    return mapping
