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
    "demo": "3f3359b143d116f4cc5e6341eeaa44e6536114a01cc6cf7788d22f3917456c6e",
    "ok_euclidean": "2b77656e634d33a02976520702bad7f3c7627e56e3e061d7ea2192c143583d13",
    "ok_geodesic": "3e5e7a7e4c60425a161d11607386e4bf1d0a044629dad8e696948ba19154f6cc",
    "sample_city": "413ac88bff9eb7bdbba6c12521cee7fee05cab40bf7d81bd5b37aa7a1767d775",
    "sample_tiles": "413ac88bff9eb7bdbba6c12521cee7fee05cab40bf7d81bd5b37aa7a1767d775",
    "river_network": "3659129ab78ce1480df02632b8b8625e6686d27cdb804e7219263b6fdb3f0435",
    "residents": "92841ec2878433f75f85ac2c68c336664077733dba9ccf9a7a286cb630a4e3b0",
    "district_plugin": "619201c0afa9550864d30cf7b45c197b5bf5f21f59a20ac43e67c46084135b42",
    "skipped_and_repaired": "422cc8669f09b3a90308aaa8d5aef623e986448a1204546b40e9a0aa25495577",
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
    "summary.txt": "75136ff6389c08b4251d5b10933a59a5b66d649da25ef128dbc159deb654880f",
    "csv/city.csv": "82db1ad3e02f6cabd547d4d7820284703508c5acc70b4897ef84bbde79ce6cd0",
    "csv/zone.csv": "ecc7d6b4e13d2cf05b81fa619e963219adfe343b09681ae2d7f1999cfc38c572",
    "csv/district.csv": "5213191f588419a9e50f361db71ae6fbe6ae6e740c5d7492ba7ede54d839c48b",
    "csv/subdistrict.csv": "9c02ebf1d390285d0bf079edec7f4cae65c04f7bf9dff17afc558103cfb44a6d",
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
