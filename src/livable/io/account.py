"""One account of what a read could not use: per input, counted by kind, with examples.

Every reader lists the features it rejected (:class:`~livable.models.Rejection`, one per
feature); this module turns them into :class:`~livable.models.InputNote` counts by reason
(the reason without its values: ``unknown facility type``), adds the notes a reader made
itself (ids made from row numbers, columns mapped back, properties no rule reads), and
gives each input of a report its ``layer``, ``features``, ``used`` and ``notes``
(:func:`accounted`). :func:`note_lines` writes them as the short terminal lines
``livable evaluate`` prints on stderr, and :func:`strict_problem` is what ``--strict``
makes an error of.

>>> from livable.models import Rejection, SourceInfo
>>> rejected = [Rejection("f1", "f.geojson#0", "unknown facility type 'kindergarden' "
...     "(did you mean 'kindergarten'? `livable plugins` lists the known types)")]
>>> info = accounted(SourceInfo("f.geojson"), "facilities", 3, rejected)
>>> info.used, info.notes[0].what, info.notes[0].examples
(2, 'unknown facility type', ("'kindergarden' -> 'kindergarten'",))
>>> print(note_lines(info)[0])
livable: facilities f.geojson: 1 rejected: unknown facility type ('kindergarden' -> 'kindergarten')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import attrs

from livable._text import escape, show
from livable.models.results import NOTE_EXAMPLES, InputNote, Rejection, SourceInfo

__all__ = [
    "accounted",
    "ignored_note",
    "missing_types",
    "note_lines",
    "reason_kind",
    "rejection_notes",
    "strict_problem",
]

_CUT = re.compile(r"""['"(:,;]|\d|\bnot\b""")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_SUGGESTION = re.compile(r"did you mean '((?:[^'\\]|\\.)*)'")


def reason_kind(reason: str) -> str:
    """A rejection reason without its values: what rejections are counted by.

    >>> reason_kind("population must be >= 0, not -1")
    'population must be >='
    >>> reason_kind("missing id: every community needs a unique 'id' property")
    'missing id'
    >>> reason_kind("duplicate id 'a': 2 features share it")
    'duplicate id'
    """
    match = _CUT.search(reason)
    head = reason[: match.start()] if match else reason
    return " ".join(head.split()) or " ".join(reason.split())[:40]


def _example(rejection: Rejection) -> str:
    quoted = _QUOTED.search(rejection.reason)
    if quoted is None:
        return show(rejection.id) if rejection.id is not None else escape(rejection.source)
    text = f"'{quoted.group(1)}'"
    suggestion = _SUGGESTION.search(rejection.reason)
    if suggestion is not None:
        text += f" -> '{suggestion.group(1)}'"
    return text


def rejection_notes(rejected: Iterable[Rejection]) -> tuple[InputNote, ...]:
    """The rejections counted by :func:`reason_kind`, most first, with the first few
    distinct examples of each (the value the reason quotes, and a suggestion if any).

    >>> rejection_notes([Rejection("a", "f#0", "feature has no geometry (null)")])
    (InputNote(kind='rejected', count=1, what='feature has no geometry', examples=("'a'",)),)
    """
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for rejection in rejected:
        kind = reason_kind(rejection.reason)
        counts[kind] += 1
        shown = examples.setdefault(kind, [])
        if len(shown) < NOTE_EXAMPLES:
            example = _example(rejection)
            if example not in shown:
                shown.append(example)
    return tuple(
        InputNote("rejected", n, kind, tuple(examples[kind]))
        for kind, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def accounted(
    info: SourceInfo,
    layer: str,
    features: int,
    rejected: Sequence[Rejection],
    notes: Sequence[InputNote] = (),
) -> SourceInfo:
    """``info`` with its layer, feature count, features used and every note: the reader's
    own (kept first), ``notes``, then the rejections by reason."""
    return attrs.evolve(
        info,
        layer=layer,
        features=features,
        used=features - len(rejected),
        notes=(*info.notes, *notes, *rejection_notes(rejected)),
    )


def ignored_note(present: Iterable[object], names: Iterable[str]) -> InputNote | None:
    """The ``ignored`` note for the property names ``present`` in an input that are not
    among the ``names`` the run reads (``what`` lists them all, sorted), or ``None``.

    >>> ignored_note(["id", "grn", "address"], {"id", "green_ratio"})
    InputNote(kind='ignored', count=2, what="'address', 'grn'", examples=())
    """
    ignored = sorted({k for k in present if isinstance(k, str)} - set(names))
    if not ignored:
        return None
    return InputNote("ignored", len(ignored), ", ".join(show(k) for k in ignored))


def missing_types(
    types: Iterable[str], required: Mapping[str, Mapping[str, int]]
) -> tuple[InputNote, ...]:
    """A note per type the profile requires (``required``: type -> size class -> count)
    of which ``types`` (every facility's) holds none at all.

    >>> missing_types(["clinic"], {"clinic": {"small": 1}, "kindergarten": {"small": 1}})
    (InputNote(kind='missing_type', count=0, what='kindergarten', examples=()),)
    """
    present = set(types)
    return tuple(
        InputNote("missing_type", 0, type_id)
        for type_id in sorted(required)
        if type_id not in present and any(n > 0 for n in required[type_id].values())
    )


_WORDS = {  # kind -> (one, many)
    "ids_from_index": ("id made from the row index", "ids made from the row index"),
    "dropped_components": (
        "street component dropped (not connected to the largest)",
        "street components dropped (not connected to the largest)",
    ),
    "dropped_segments": ("street segment dropped with it", "street segments dropped with them"),
}
_UNREACHABLE = {"facilities": "facility", "community centres": "community centre"}


def _counted(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _line(note: InputNote) -> str:
    if note.kind == "rejected":
        text = f"{note.count:,} rejected: {note.what}"
    elif note.kind == "renamed":
        pairs = note.what.split(", ")
        more = f", ... ({note.count:,} in all; the report lists them)" if len(pairs) > 3 else ""
        text = f"column names mapped back: {', '.join(pairs[:3])}{more}"
    elif note.kind == "ignored":
        names = note.what.split(", ")
        more = ", ..." if len(names) > 5 else ""
        what = "property" if note.count == 1 else "properties"
        text = f"{note.count:,} {what} no rule reads, ignored: {', '.join(names[:5])}{more}"
    elif note.kind == "missing_type":
        text = f"no facility of type {note.what!r}, which the profile needs"
    elif note.kind == "unreachable":
        one = _UNREACHABLE.get(note.what, note.what)
        text = f"{_counted(note.count, one, note.what)} unreachable: on dropped street parts"
    else:
        one, many = _WORDS.get(note.kind, (note.kind, note.kind))
        text = _counted(note.count, one, many)
        if note.kind == "ids_from_index":
            text += " (give an 'id' column)"
        if note.what:
            text += f" ({note.what})"
    if note.examples:
        text += f" ({', '.join(note.examples)})"
    return escape(text)


def note_lines(info: SourceInfo) -> list[str]:
    """One short terminal line per note of an input (values sanitised)."""
    name = f"{info.layer} {escape(info.path)}" if info.layer else escape(info.path)
    lines = []
    for note in info.notes:
        if note.kind != "missing_type":
            lines.append(f"livable: {name}: {_line(note)}")
    missing = [show(n.what) for n in info.notes if n.kind == "missing_type"]
    if missing:  # one line for the kind, however many types
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        what = "type" if len(missing) == 1 else f"{len(missing)} types"
        lines.append(f"livable: warning: {name}: no facility of {what} the profile needs: {shown}")
    return lines


def strict_problem(info: SourceInfo) -> str | None:
    """What ``--strict`` stops for in an input's notes (rejections stop in the reader)."""
    for note in info.notes:
        if note.kind not in ("rejected", "missing_type", "renamed"):  # renames: in the reader
            return f"{info.path}: {_line(note)} (without --strict this is a note)"
    return None
