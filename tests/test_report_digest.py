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
    "demo": "7f78bfb6aa907727372276fb26c5a4fdff89949ffdee148f36ed2f16540873e3",
    "ok_euclidean": "2efaeddaeaeb41db6053918509831ad617e31a8ffa138c935fa7258490386d90",
    "ok_geodesic": "c7169e28e08e8c5a3fd607c64896368a293c4f2f9c8ef014d4294e7b5080b4ac",
    "sample_city": "03e59bf908d84853702add21bbf598a6fbf64fc778d1640d57541af3755fbee2",
    "sample_tiles": "03e59bf908d84853702add21bbf598a6fbf64fc778d1640d57541af3755fbee2",
    "river_network": "7747415bd83efe607091e94c77c5a809492363a6601afe9a26bc91a1eaebf4a0",
    "residents": "9aca0ffa2a15619852379a6e93782766991b856a99b7ca34b8448b85a02449b3",
    "district_plugin": "330691ab7b56fc2ab2e55803f0c615334675eeb05c1da30c70b25f1b62d456c8",
    "skipped_and_repaired": "3c7d582c10f8c4244c77c0304ed46584f488fcf29418aa87001b4e45ab9d0d30",
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
    "summary.txt": "12eed6eae8e0ba04edd1198aec199861af4c94f512bec82e080b1ba3da68a4a4",
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
