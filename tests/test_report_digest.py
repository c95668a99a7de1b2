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
    "demo": "20e1ce379d1680c5e3643bebec7128c5284d3a0adefbf760e150fe5d402baef9",
    "ok_euclidean": "1dcb83c28a4c73153408076ecd39e56274dc1022f4dd633cc52ec770977231b1",
    "ok_geodesic": "057583fbb7cc738161eead7fbd2fb870f5344b07d827e1e4f7d897aebddfce77",
    "sample_city": "a5fb801dc6c4df3f3280f6d5b86e65c82e19d5bd2f4bbe26613732a72d558ab7",
    "sample_tiles": "a5fb801dc6c4df3f3280f6d5b86e65c82e19d5bd2f4bbe26613732a72d558ab7",
    "river_network": "e1ff2b69c5211c1d5c427c95cc2b7ad333d7814bf98c5f17a104a5df9dc400e3",
    "residents": "8f38c1550bf7a3bac3723d3387ec63c3151ee2da532c11a20f1b007ae8109d7f",
    "district_plugin": "73b25ade46487503857ff7bbeedbccc5d1d587992a66a9d99d105b3c18473ad7",
    "skipped_and_repaired": "4a34a5dc2c7a6a3fe82794c8fe2f59d7bd2354a107e101444ab8b5fdbd0d1e18",
}

PRODUCT_SHA256 = {
    "city.svg": "d5707614b9d0c6c3085b51e522466aadf926eb5126111f193e9e5b16e2ac4b02",
    "community.svg": "9810eaaef6a7f972c4ac112838dd04ec257daaac7f9744259b45e5f4b0bbda1d",
    "community.html": "76adddce5d567754ee3a35832ba1f148a9b2756906f35e44c2794418a3cef3e6",
    "plan-city.svg": "35ac86f891fd0db9075ae5346f59c359e8980faa89c5a82148e30489a00ee343",
    "handbook-en.md": "486eeb015b24c5965ed90f6fc1a7aae89506eaf38baf5b0ecb981487103a01c1",
    "handbook-zh.html": "33b8663113953b9d47b898053c1941e823e198ecadae11b1aad6b798cd6f15ec",
    "handbook-subdistrict.md": "0a770c3b9df7ae72d8c348cac958990e847b47566ec71e5c33bc5f629cd605fe",
    "plan.geojson": "ec6b7b1d277f861ddc37c136f4148f1746910ba1ac1f173ddecfb0329b619946",
    "plan.txt": "5e351efcd7deee8d1e8d1774bd28274eb63f2fa9ddc1db6a10bf3728f0dfe30a",
    "summary.txt": "eb0b67e755484a4dd1f30604eb8ceaf5457e3ac8716140a3b8062e299b33b3bb",
    "csv/city.csv": "82db1ad3e02f6cabd547d4d7820284703508c5acc70b4897ef84bbde79ce6cd0",
    "csv/zone.csv": "ecc7d6b4e13d2cf05b81fa619e963219adfe343b09681ae2d7f1999cfc38c572",
    "csv/district.csv": "5213191f588419a9e50f361db71ae6fbe6ae6e740c5d7492ba7ede54d839c48b",
    "csv/subdistrict.csv": "9c02ebf1d390285d0bf079edec7f4cae65c04f7bf9dff17afc558103cfb44a6d",
    "csv/top_gaps.csv": "bbe0dd582b38bdb6e5a722e7409767b3af6cee7a5707ba3ed1ce6ad464aca621",
    "csv/closest.csv": "b0abe30dad2aa6e80c7ad71faadbed543cfa4e43cf02b936fcdbff796fc8856f",
    "csv/columns.csv": "9371df8e93d22bcf811014dbfc72c7e295f8c3dac0ddd7f68a9899d3be828b96",
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
