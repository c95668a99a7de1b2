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
    "demo": "f79f092305e9f6406a187c54d88430dca785a851630672ce733594adce4d7a05",
    "ok_euclidean": "b48e6e0e847d4e1612e6f8455ad87a91965944f17571ad7a703b2c4f4f7912a7",
    "ok_geodesic": "6de87055dde594ddc287e1e3230137b8269279b41d6314b8ef40939705b6d434",
    "sample_city": "1856e1d285904b4ecf01f44dc5f20e1c0ad4463cbc2ec7c63de985e0425eea3a",
    "sample_tiles": "1856e1d285904b4ecf01f44dc5f20e1c0ad4463cbc2ec7c63de985e0425eea3a",
    "river_network": "89562ac47588ba9f49b1d1f77ae051abd9c08012d7aca9d5f58dd98c75c81bb4",
    "residents": "f0116965362386a2607d69ea6e873b18b7370d316b6f5eb72aef4f6d723afc0c",
    "district_plugin": "eaac8a72a599c34c4bb103cbe521a2c4bab26d3b2e18f15b101737dcb16ec641",
    "skipped_and_repaired": "1ad75ab0bb9bd561f07ad0e1e89fa5dd180ffc49cb44d4565fc011b672b05afd",
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
