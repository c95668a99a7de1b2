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
    "demo": "32121f33b96c9552b947924464073c9c676ea4ed82996a8e2ec84c650bb832a5",
    "ok_euclidean": "20ff67cdab35ff12b21fc5371dc82d1630b228ddb3cb0cc63eb36ef4b98976d1",
    "ok_geodesic": "d14b74ab8ead8037fbbf624289738dea37bf4c3e7f7c7df582baf33f3c2b16e7",
    "sample_city": "811c2d49da5052b44c44215b5e706a5fd2991809b36b2563c767a1f2ed0c73cf",
    "sample_tiles": "811c2d49da5052b44c44215b5e706a5fd2991809b36b2563c767a1f2ed0c73cf",
    "river_network": "c1ec5c9b8fc0e23d815014ba63f8fc82aca9dddad2a8999f4e9446b3571ec3fc",
    "residents": "078a09838868687e761cde91ae315530c0dd843a12f7174bc140bb699373ec36",
    "district_plugin": "1e29ee55134e6464d61e1cb65b482a97bbae2e54cf86f9c70c6723928081589b",
    "skipped_and_repaired": "f0c33ea0ec98c9fada781a785bdb07a45328e5e357da93276774d743403e0c5d",
}

PRODUCT_SHA256 = {
    "city.svg": "60b2e7e6eedaf999ac74489802fbc694612ab33649cce6b5daa903b7c9d0e52f",
    "community.svg": "0f8062004757e5ab3de872977d6b848694c5016ca228d09fab4df03fa2b06825",
    "community.html": "cf648223a19ae06bc8f869b459f3c5c8e9f177e371eb943ca79723142de83cd2",
    "plan-city.svg": "07427829e2bc35d2f206429b99787f7d8980145ade0c519495e593fd87648bbc",
    "handbook-en.md": "0ecb073dd4846c5431febf59be284af45dff711e060e9aa5e8c24bca27236dfe",
    "handbook-zh.html": "19c00fbb81ded36d41ae20c8a894b8a99947e6562ce08986d6f617ece8e32288",
    "handbook-subdistrict.md": "d841ead024b000995de283f98cc02ce1aaba6a8d4f42be89bec1a8769a3b505c",
    "plan.geojson": "ec6b7b1d277f861ddc37c136f4148f1746910ba1ac1f173ddecfb0329b619946",
    "plan.txt": "5e351efcd7deee8d1e8d1774bd28274eb63f2fa9ddc1db6a10bf3728f0dfe30a",
    "summary.txt": "c61e565d528e16febcf965dc869729647dc2978dfc947f1af7dbc9d07370bfb6",
    "csv/city.csv": "301c679098fbb27db196c196bda2d7ff72f50094e5f84f97e43503e8a98a0812",
    "csv/zone.csv": "34f1a79822583028eda9aff12e33302f55e7c4118f3580edc19abdfd4476fc37",
    "csv/district.csv": "bb02aa174f1c82aa8043acc64cfd154b3bee71139775c176f40fbb3da6a3b411",
    "csv/subdistrict.csv": "ac1fcb1ef48f66e0f7bb671324477c87153070095119a396d98a73b023b151ba",
    "csv/top_gaps.csv": "e50b443a9da642c5892ccdb01bef4e6c237883f52eba63539090ab2aeaafa02c",
    "csv/closest.csv": "6704711607d75ac31b40c41664b8b2353a7ca625c25f450e4fce2c1b98ad4097",
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
