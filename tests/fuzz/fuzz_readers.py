"""An atheris (libFuzzer) target for the GeoJSON readers: any bytes, never a traceback.

Optional and not run by pytest or CI (atheris needs a clang-built wheel). Run it with the
bad-input corpus as seeds:

    pip install atheris
    python tests/fuzz/fuzz_readers.py tests/data/bad -max_total_time=300

Every input must either read (each feature in the layer or in ``rejected``) or raise a
:class:`~livable.errors.LivableError`; anything else is a crash libFuzzer reports with the
input that caused it.
"""

from __future__ import annotations

import sys


def check(data: bytes) -> None:
    """Read ``data`` as communities and as facilities; only LivableError may escape."""
    from livable import LivableError, read_communities, read_facilities

    try:
        layer = read_communities(data)
    except LivableError:
        pass
    else:
        assert len(layer.communities) + len(layer.rejected) == layer.count
    try:
        facilities = read_facilities(data)
    except LivableError:
        pass
    else:
        assert len(facilities) + len(facilities.rejected) == facilities.count


def main() -> None:
    import atheris

    with atheris.instrument_imports():
        import livable.io  # noqa: F401

    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
