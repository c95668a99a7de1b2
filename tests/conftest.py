from __future__ import annotations

import os
import re
from collections.abc import Generator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# -- every dependency the suite needs comes with the `dev` extra ----------------------------
# The README's test command installs `.[dev]` into a fresh virtual environment and runs the
# whole suite. A test that skips because an import failed would hide a gap in that extra,
# so such a skip is reported as a failure, and a missing requirement of the extra stops the
# session before any test runs.


def _missing_dev_requirements() -> list[str]:
    """Requirements of livable's `dev` extra (followed through livable[...]) not installed."""
    from importlib import metadata

    from packaging.requirements import Requirement

    try:
        declared = metadata.requires("livable") or []
    except metadata.PackageNotFoundError:
        return ["livable itself (pip install -e '.[dev]')"]
    wanted, seen, missing = ["dev"], set(), []
    while wanted:
        extra = wanted.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in declared:
            req = Requirement(text)
            if req.marker is None or not req.marker.evaluate({"extra": extra}):
                continue
            if req.name == "livable":
                wanted.extend(req.extras)
                continue
            try:
                version = metadata.version(req.name)
            except metadata.PackageNotFoundError:
                missing.append(f"{req} (extra {extra!r})")
                continue
            if not req.specifier.contains(version, prereleases=True):
                missing.append(f"{req} (extra {extra!r}; {version} installed)")
    return sorted(set(missing))


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = _missing_dev_requirements()
    if missing:
        raise pytest.UsageError(
            "the test suite needs livable's dev extra, and these are missing: "
            + "; ".join(missing)
            + ". Install with: .venv/bin/pip install -e '.[dev]'"
        )


_MISSING_IMPORT = re.compile(r"could not import|No module named|not installed", re.IGNORECASE)


def _fail_missing_import(report: pytest.TestReport | pytest.CollectReport, where: str) -> None:
    """Turn a skip caused by a failed import (pytest.importorskip and the like) into a failure."""
    if not (report.skipped and isinstance(report.longrepr, tuple)):
        return
    reason = str(report.longrepr[2])
    if _MISSING_IMPORT.search(reason):
        report.outcome = "failed"
        report.longrepr = (
            f"{where} skipped for a missing dependency ({reason}); the dev extra "
            "must provide everything the suite imports"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _fail_missing_import(report, item.nodeid)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _fail_missing_import(report, collector.nodeid)
    return report
