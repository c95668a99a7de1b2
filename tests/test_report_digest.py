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
    "demo": "44f1047abd118273de5bb1c895f139d5403ac1191587d7ddabda5b95526eaff8",
    "ok_euclidean": "e98b9d74ef25f465054d648506a10aba7d4d10505a61639048b9f899e4768d8e",
    "ok_geodesic": "8c3bec758a998108a7ece347129ef60e08c00d1bb43a137f2ebe043e1f9d9fda",
    "sample_city": "4c759d91d21a4c48b133ec9d9aaf9b3fac3543d63b188680706ef5b582f0088d",
    "sample_tiles": "4c759d91d21a4c48b133ec9d9aaf9b3fac3543d63b188680706ef5b582f0088d",
    "river_network": "de63dac17b474464aecbb9c5a8a4062b22fb6960553155cfb70e9118fe336123",
    "residents": "7e22f4222850f076bc9fa6a68e2fe933f2c64c4a5ed271c77187d8edf3666f9e",
    "district_plugin": "4f2c78f27df07749cb98c42a4690b73821364739102feb53f1d4b67c73e2e35e",
    "skipped_and_repaired": "6d3ace6115e222a5d0cffa7f2f78bcfaf8cfdc63de3823e444a5cbcc8afb9eb1",
}

PRODUCT_SHA256 = {
    "city.svg": "662417dd7df851304346a1bef8fc21b151c8e16171cbafab6ada58b22df2edcb",
    "community.svg": "f07d8c8438f831f6d3ff15065f95a95e8e00d1c371977b96e57d1559067a8af9",
    "community.html": "1d6eb416a32439691d8e69a0a028df5a2e8f851d096974ca5a12e4c735e245ac",
    "plan-city.svg": "600fcf5b3ac2e551a948116d7b84e58e7ca66174dab67b4b219ddc8eeecf501e",
    "handbook-en.md": "486eeb015b24c5965ed90f6fc1a7aae89506eaf38baf5b0ecb981487103a01c1",
    "handbook-zh.html": "2b509ceb721c85446dce29210ad4d6b6f3770acfc5c24cf89dacb3809244a6b7",
    "handbook-subdistrict.md": "0a770c3b9df7ae72d8c348cac958990e847b47566ec71e5c33bc5f629cd605fe",
    "plan.geojson": "ec6b7b1d277f861ddc37c136f4148f1746910ba1ac1f173ddecfb0329b619946",
    "plan.txt": "ecb824ea3eab3c5f20ad5d3632b5c7f25a51a7a08fadd2b7b22578b1adcc5702",
    "summary.txt": "8f7d379e48b0092a0fdd6702b229c0af962c3eba76efdc36eecc54327a7e9937",
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
