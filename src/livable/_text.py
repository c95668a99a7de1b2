"""The one sanitiser for every input value echoed to a terminal or put into a message.

Input files are hostile (SECURITY.md): an id or a name may hold NUL, an escape sequence
that clears the screen or sets the window title, CR/LF that fake report lines, bidi
overrides that reorder a line, or 5,000 characters. Every value a message quotes goes
through :func:`show` (quoted, escaped, cut to 40 characters); every text a terminal prints
that may carry input goes through :func:`escape` (control characters written as visible
backslash escapes). The readers, the errors and the command line all use these two, so the
same id reads the same in a rejection reason, a ``--strict`` error and the summary.

This module imports nothing from :mod:`livable`: it is below :mod:`livable.errors`.

>>> show("c1")
"'c1'"
>>> show("\\x1b]0;owned\\x07\\r\\n")
"'\\\\x1b]0;owned\\\\x07\\\\r\\\\n'"
>>> show("x" * 5000)
"'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
>>> escape("a\\x00b\\u202ec")
'a\\\\x00b\\\\u202ec'
>>> where("c.geojson#3", "c3")
"c.geojson#3 (id 'c3')"
"""

from __future__ import annotations

import math
import re
import reprlib

__all__ = ["CONTROL", "SHOW_WIDTH", "escape", "show", "where"]

SHOW_WIDTH = 40
"""How many characters a quoted input value takes at most in a message."""

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal acts on rather than shows: C0 (NUL, ESC, CR, LF, TAB, ...), DEL,
C1, the line and paragraph separators and the bidi marks, embeddings and overrides."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 2 * SHOW_WIDTH
_REPR.maxother = 2 * SHOW_WIDTH
_REPR.maxlong = 2 * SHOW_WIDTH


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every character of :data:`CONTROL` written as a backslash escape.

    For whole messages and file names, which are not quoted or cut (the command line cuts
    its error line to 1,000 characters).
    """
    return CONTROL.sub(_escaped, text)


def show(value: object, width: int = SHOW_WIDTH, *, quote: bool = True) -> str:
    """A value as a message quotes it: its repr, escaped, cut to ``width`` with ``...``.

    Text is quoted (``'c1'``; with ``quote=False`` as it is, for a table cell); numbers,
    lists and objects are shown as Python writes them, nested ones abbreviated. Nothing a
    terminal would act on survives.

    >>> show("雁塔区\\n小寨", quote=False)
    '雁塔区\\\\n小寨'
    >>> show(10**400), show(2**70)
    ('a number of about 401 digits', '1180591620717411303424')
    """
    if isinstance(value, str):
        return _cut(escape(repr(value) if quote else value), width)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * width:
        # more digits than fit: say how many (str() of it may even be refused)
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        return f"a {'negative ' if value < 0 else ''}number of about {digits:,} digits"
    try:
        text = _REPR.repr(value)
    except (ValueError, RecursionError):  # an int beyond str()'s digit limit, deep nesting
        text = f"<a {type(value).__name__} too large to show>"
    return _cut(escape(text), width)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def where(source: str, feature_id: str | None) -> str:
    """How a message names a feature: its source (``file#index``) and its id, if any."""
    shown = escape(source)
    return shown if feature_id is None else f"{shown} (id {show(feature_id)})"
