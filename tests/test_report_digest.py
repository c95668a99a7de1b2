"""Byte-identity guard: the reports (and the products made from them) keep their bytes.

The SHA-256 digests below were computed on main at c616eba, the code before the "One spine"
work (issue 15) began; every later change of that work must leave them as they are. Nothing
is masked: every case runs in an empty temporary working directory and names its inputs by
relative paths (``report_cases``), so ``inputs[].path`` is the same wherever the tests run,
and everything else in a report is deterministic (``docs/explanation/determinism.md``).

The digests depend on the versions of GEOS, PROJ, numpy and matplotlib, as the determinism
page says; when one of those changes on purpose, regenerate them with
``python tests/test_report_digest.py`` on the unchanged code and say so in the commit.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import report_cases
from livable.cli import main

REPORT_SHA256 = {
    "demo": "9f0344bc9ad9993930a01dd572730a197fde3c0112cd8ef06045d3173d6ede4c",
    "ok_euclidean": "7ee71dea38f6fb6fc2f89e6fc2259a2390b639b3c37c09819fa4c2a8396eb18f",
    "ok_geodesic": "f5554150b9c168b1779cd27686f5ff9898a3bd3e7473f75d50b85fe7f03609c4",
    "sample_city": "aba757a31cd06e82ebdf3b2fd62158628896305477ecd5f00ea46aeac2f1425c",
    "sample_tiles": "aba757a31cd06e82ebdf3b2fd62158628896305477ecd5f00ea46aeac2f1425c",
    "river_network": "0da75ae4416b9be6e3c08acac349dccced3c48006319667e38ad4d5ac54e7168",
    "residents": "8b168bf4360c633dce2f72024f89ec7708389c39a3d6b1f2b18f972020c032fd",
    "district_plugin": "8278fd7433d44e0332ef61bd8b31e85f9609f57dc7907ec05394070fe43518e3",
    "skipped_and_repaired": "1992c45e34f3e43a3a58e5214f4b954aa3e55ae3fb0a95f7c6ff230adf829cd0",
}

PRODUCT_SHA256 = {
    "city.svg": "1dea6bed901d18a5d4be58e20f8a40432a810bc991c6c742368c9885f61cc287",
    "community.svg": "4fb2b21a45915cace5a06c44b42dd05f34eecb7861ac0c46ba6e1b5b93af46c0",
    "community.html": "42f838f059b8cf324db1a3915acda4a0e928c4bce19569bd5e73d8eea4d3c32d",
    "plan-city.svg": "fccdef8cf04c55ad15113c31d74e364c4c77a5d412ea0f30aa1138307c229012",
    "handbook-en.md": "9ddcb6c6c0f0d9290dfeb3004c1c70b84b14ea746063fc762840d6e6df101f1c",
    "handbook-zh.html": "865f4877663f91b525701a0929adbb2bc774b74d5a884779d6f3029f90282043",
    "handbook-subdistrict.md": "2fef7e6c9fe6c72de1d2df03a544f40902dd9403f42a731daa16650d288d6c9d",
    "plan.geojson": "ec6b7b1d277f861ddc37c136f4148f1746910ba1ac1f173ddecfb0329b619946",
    "plan.txt": "5e351efcd7deee8d1e8d1774bd28274eb63f2fa9ddc1db6a10bf3728f0dfe30a",
    "summary.txt": "1e76e0a1d4626d9e91cfba8b412d058af8714cf3c1b8ea759ec2c9701f06885d",
    "csv/city.csv": "222164b31c514207e5c65f4308040fc0d30ebbaac6078b31f789e0c524150947",
    "csv/zone.csv": "db97085cd845c9d6c0ee17a43ebbd4a9aebc01cff3a7f93ce803138bda50216d",
    "csv/district.csv": "f3695ab8810db2c21764e26428ce8cda617fca616ee9a4de4d5d90b70d8a9eff",
    "csv/subdistrict.csv": "8efe977444c67cbc0d3191d7b85b2a639644261bd7b2d07b2112f09fe9e6a48c",
    "csv/top_gaps.csv": "e377bf9a8052a2af58174fab5c551644c4ef2696e73bf6e45e5a58bdd187020f",
    "csv/closest.csv": "a07e38e03baeeb2526422a2f4f6f738dbd056122c2019be8df84a50c23ef6d36",
    "csv/columns.csv": "af00cf014d225189ea9d00233bdb59d87b92c459603c3c5ed32073d1ac2a1cd8",
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _products(report: str) -> dict[str, bytes]:
    """What the command line makes from one report: maps, handbooks, a plan, the summary."""

    def run(*args: str) -> str:
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(list(args)) == 0, args
        return buf.getvalue()

    run("map", report, "--out", "city.svg")
    run("map", report, "--community", "BL-004", "--out", "community.svg")
    run("map", report, "--community", "BL-004", "--out", "community.html")
    run("handbook", report, "--community", "BL-004", "--lang", "en", "--out", "handbook-en.md")
    run("handbook", report, "--community", "BL-004", "--out", "handbook-zh.html")
    sub = report_cases.first_subdistrict(report)
    run(
        "handbook", report, "--subdistrict", sub, "--lang", "en", "--out", "handbook-subdistrict.md"
    )
    plan_text = run(
        "plan", report, "--facility-type", "clinic", "--grid", "500", "--budget", "3",
        "--out", "plan.geojson",
    )  # fmt: skip
    Path("plan.txt").write_text(plan_text, encoding="utf-8")
    run("map", report, "--plan", "plan.geojson", "--out", "plan-city.svg")
    Path("summary.txt").write_text(run("summary", report), encoding="utf-8")
    run("summary", report, "--csv", "csv")
    return {name: Path(name).read_bytes() for name in PRODUCT_SHA256}


@pytest.fixture(scope="module")
def outputs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict[str, str], dict[str, bytes]]]:
    cwd = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("digest"))
    try:
        reports = report_cases.build()
        yield reports, _products("livable-demo/report.json")
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("case", sorted(REPORT_SHA256))
def test_report_json_bytes_are_unchanged(
    outputs: tuple[dict[str, str], dict[str, bytes]], case: str
) -> None:
    assert _sha(outputs[0][case].encode("utf-8")) == REPORT_SHA256[case]


@pytest.mark.parametrize("name", sorted(PRODUCT_SHA256))
def test_products_of_the_demo_report_are_unchanged(
    outputs: tuple[dict[str, str], dict[str, bytes]], name: str
) -> None:
    assert _sha(outputs[1][name]) == PRODUCT_SHA256[name]


if __name__ == "__main__":  # print the digests of the current code
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        reports = report_cases.build()
        products = _products("livable-demo/report.json")
    print("REPORT_SHA256 = {")
    for k, v in reports.items():
        print(f'    "{k}": "{_sha(v.encode("utf-8"))}",')
    print("}\n\nPRODUCT_SHA256 = {")
    for k, b in products.items():
        print(f'    "{k}": "{_sha(b)}",')
    print("}")
