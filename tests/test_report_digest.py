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
    "demo": "a40b5023703d449118df442375b735900f3ec665eda298cfaf0fb7d00b66241c",
    "ok_euclidean": "33c7752627ce3169c5e7f2fbdd468924d5cb47d2f30d310e9c10574ff02f93c6",
    "ok_geodesic": "1b03d15ef69850cad62c663a3a90509b74669e0c3dfad3e7f9e44307bcbb5363",
    "sample_city": "00789aeba168b292fd9de5ed85e09de51ab4457e618c74b50127dd7a5799cd33",
    "sample_tiles": "00789aeba168b292fd9de5ed85e09de51ab4457e618c74b50127dd7a5799cd33",
    "river_network": "c3a8edec4b34dfa43660cabc139c73682e1f246c61e7ff7fd3d23b59e7aee33c",
    "residents": "7542a088bcfd33586febc490c8b2ea66c9495b8f994529ac39f6e615b138a5b5",
    "district_plugin": "82aeead12c88467d0410ce1a3ed4a6eebc3fe7706f5d85fa956b51fc3cb73cfd",
    "skipped_and_repaired": "e26c819b4555728d950373998a6ce7a4d9b822f0ffc0b7426dfea1fce0189f19",
}

PRODUCT_SHA256 = {
    "city.svg": "1dd89b25185266e1118722358ffdf36f73ea2db52d3e07f5a7aedede564e7b78",
    "community.svg": "6978c84b7de7ccc71de11cf23ea9db68bfa2509f565cb342a20c40426baa5b26",
    "community.html": "1d6eb416a32439691d8e69a0a028df5a2e8f851d096974ca5a12e4c735e245ac",
    "plan-city.svg": "fc22075fd876dcaec4e99e70892e1d543deea3c4fa5f05d587e013582b476444",
    "handbook-en.md": "486eeb015b24c5965ed90f6fc1a7aae89506eaf38baf5b0ecb981487103a01c1",
    "handbook-zh.html": "2b509ceb721c85446dce29210ad4d6b6f3770acfc5c24cf89dacb3809244a6b7",
    "handbook-subdistrict.md": "0a770c3b9df7ae72d8c348cac958990e847b47566ec71e5c33bc5f629cd605fe",
    "plan.geojson": "ec6b7b1d277f861ddc37c136f4148f1746910ba1ac1f173ddecfb0329b619946",
    "plan.txt": "ecb824ea3eab3c5f20ad5d3632b5c7f25a51a7a08fadd2b7b22578b1adcc5702",
    "summary.txt": "7b3b17e58e93307555c015e7ab85bfd6ac560e229b9daec703d836ab3920dfa7",
    "csv/city.csv": "b508f53654aaf2fddaeff53cf8c98c3957fbb84d251a0b9d2ec654e29b5dfce2",
    "csv/zone.csv": "6dbf036ad3cca4db8a769ed8e2d535abd5b28194e912dd9cf7e7edb451255ec3",
    "csv/district.csv": "35f0d915581cd94b9554c2cc0bd5db965ccd89d4f7d9a16bc7366e76e42ce925",
    "csv/subdistrict.csv": "e240d91775d9050cd537e6eb9d9cb3566850e78093b250066b6bb52fe8bf1d69",
    "csv/top_gaps.csv": "44f0c350a1b3c071b1472cdc3d6b3cf0ff1b2c920235903dc6c8fb18c37e6d18",
    "csv/closest.csv": "b0abe30dad2aa6e80c7ad71faadbed543cfa4e43cf02b936fcdbff796fc8856f",
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
