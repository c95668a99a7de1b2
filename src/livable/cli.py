"""The ``livable`` command line (DESIGN.md's command-line contract).

Exit status: 0 done (rejected features are listed in the report, not an error); 1 an error,
explained on stderr in one or two lines naming the file, with no traceback (``--debug``
shows it); 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from livable._version import __version__
from livable.errors import LivableError

__all__ = ["main"]

_GRADE_ZH = {"not_livable": "尚未宜居", "livable": "宜居", "happy": "幸福"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _l(text: object, width: int) -> str:
    """Left-align in terminal columns (CJK characters take two)."""
    s = str(text)
    return s + " " * max(0, width - _width(s))


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def format_summary(report: dict[str, Any]) -> str:
    """A readable terminal table of a report's summary (from ``report.json`` data)."""
    s = report["summary"]
    g = s["grades"]
    t = s["targets"]
    lines = [
        f"livable {report.get('livable_version', '')} | profile {report['profile']} | "
        f"distance {report['distance']} | working CRS {report['working_crs']}",
        f"Communities 社区: {s['communities']} in input, {s['evaluated']} evaluated, "
        f"{s['rejected']} rejected",
        "",
        f"{_l('grade 等级', 22)}{'count':>7}{'share':>9}",
        f"{_l('happy 幸福社区', 22)}{g['happy']:>7}{_pct(s['happy_share']):>9}",
        f"{_l('livable 宜居社区', 22)}{g['livable']:>7}",
        f"{_l('not livable 尚未宜居', 22)}{g['not_livable']:>7}",
        "",
        f"{_l('target 目标 (P6)', 38)}{'actual':>8}{'target':>8}  met",
        f"{_l('livable share 宜居占比', 38)}{_pct(s['livable_share']):>8}"
        f"{_pct(t['livable_share']):>8}"
        f"  {_met(s['livable_share'], t['livable_share'])}",
        f"{_l('happy share, central 中心城区幸福', 38)}{_pct(s['happy_share_central']):>8}"
        f"{_pct(t['happy_share_central']):>8}"
        f"  {_met(s['happy_share_central'], t['happy_share_central'])}",
        f"{_l('happy share, peripheral 周边城区幸福', 38)}{_pct(s['happy_share_peripheral']):>8}"
        f"{_pct(t['happy_share_peripheral']):>8}"
        f"  {_met(s['happy_share_peripheral'], t['happy_share_peripheral'])}",
    ]
    districts = [grp for grp in s.get("groups", []) if grp["level"] == "district"]
    if districts:
        lines += [
            "",
            f"{_l('district 区', 16)}{_l('zone', 12)}{'n':>4}{'happy':>7}{'livable':>9}"
            f"{'not':>5}{'livable%':>10}",
        ]
        for grp in districts:
            lines.append(
                f"{_l(grp['key'], 16)}{_l(grp['zone'] or '-', 12)}{grp['communities']:>4}"
                f"{grp['happy']:>7}{grp['livable']:>9}{grp['not_livable']:>5}"
                f"{_pct(grp['livable_share']):>10}"
            )
    if s.get("top_gaps"):
        lines += ["", "most common gaps 最常见短板:"]
        lines += [f"  {gap['communities']:>4}  {gap['gap']}" for gap in s["top_gaps"][:5]]
    if report.get("rejected"):
        lines += ["", f"rejected 未评估 ({len(report['rejected'])}):"]
        lines += [f"  {r['source']} {r['id'] or ''}: {r['reason']}" for r in report["rejected"]]
    return "\n".join(lines)


def _met(actual: float | None, target: float) -> str:
    if actual is None:
        return "-"
    return "yes" if actual >= target - 1e-12 else "no"


def _add_evaluate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--communities", required=True, help="communities GeoJSON")
    p.add_argument("--facilities", required=True, help="facilities GeoJSON")
    p.add_argument("--streets", help="streets GeoJSON (network distance)")
    p.add_argument(
        "--residents",
        help="resident points GeoJSON (population, community): adds each community's "
        "resident_access, the share of residents reaching each category (beyond the plan)",
    )
    p.add_argument("--profile", default="xian-2020", help="profile id or TOML file")
    p.add_argument("--distance", default="euclidean", help="euclidean, geodesic, network, ...")
    for layer in ("communities", "facilities", "streets", "residents"):
        p.add_argument(f"--{layer}-crs", help=f"CRS of the {layer} file (e.g. EPSG:4547)")
        p.add_argument(
            f"--{layer}-datum",
            default="wgs84",
            choices=("wgs84", "gcj02", "bd09"),
            help=f"map datum of lon/lat {layer} (gcj02: Amap/Tencent, bd09: Baidu)",
        )
    p.add_argument("--working-crs", help="metric CRS to compute in (default: chosen from data)")
    p.add_argument("--workers", type=int, default=1, help="worker processes")
    p.add_argument("--strict", action="store_true", help="stop at the first bad feature")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--out", default="report.json", help="report file (default report.json)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livable",
        description="Grade communities against the 15-minute convenience service circle.",
    )
    parser.add_argument("--version", action="version", version=f"livable {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="evaluate the bundled synthetic sample city")
    demo.add_argument("--out", default="livable-demo", help="folder (default ./livable-demo)")
    demo.add_argument("--quiet", action="store_true")
    ev = sub.add_parser("evaluate", help="evaluate communities against a profile")
    _add_evaluate_args(ev)
    sm = sub.add_parser("summary", help="print the summary of a report.json")
    sm.add_argument("report", help="report.json")
    sub.add_parser("plugins", help="list loaded plugins, providers, indicators and types")
    return parser


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise LivableError(f"{path}: cannot write: {exc.strerror}") from exc


def _cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    from livable.engine import evaluate

    if args.workers < 1:
        raise LivableError("--workers must be at least 1")
    started = time.perf_counter()
    report = evaluate(
        args.communities,
        args.facilities,
        profile=args.profile,
        distance=args.distance,
        streets=args.streets,
        communities_crs=args.communities_crs,
        facilities_crs=args.facilities_crs,
        streets_crs=args.streets_crs,
        communities_datum=args.communities_datum,
        facilities_datum=args.facilities_datum,
        streets_datum=args.streets_datum,
        working_crs=args.working_crs,
        residents=getattr(args, "residents", None),
        residents_crs=getattr(args, "residents_crs", None),
        residents_datum=getattr(args, "residents_datum", "wgs84"),
        strict=args.strict,
    )
    data = report.to_dict()
    from livable._serialize import dumps

    _write(Path(args.out), dumps(data))
    if not args.quiet:
        print(format_summary(data), file=out)
        print(f"\nreport written to {args.out} in {time.perf_counter() - started:.2f} s", file=out)
    return 0


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from livable.sample import write_sample_city

    folder = Path(args.out)
    communities, facilities = write_sample_city(folder)
    report_path = folder / "report.json"
    ns = argparse.Namespace(
        communities=str(communities),
        facilities=str(facilities),
        streets=None,
        profile="xian-2020",
        distance="euclidean",
        communities_crs=None,
        facilities_crs=None,
        streets_crs=None,
        communities_datum="wgs84",
        facilities_datum="wgs84",
        streets_datum="wgs84",
        working_crs=None,
        workers=1,
        strict=False,
        quiet=args.quiet,
        out=str(report_path),
    )
    code = _cmd_evaluate(ns, out)
    if not args.quiet:
        print(
            "\nSynthetic sample city (not real places). Rerun it yourself with:\n"
            f"  livable evaluate --communities {communities} --facilities {facilities} "
            f"--out {report_path}",
            file=out,
        )
    return code


def _cmd_summary(args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.report)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LivableError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LivableError(f"{path}: not a readable report.json ({exc})") from None
    if not isinstance(data, dict) or "summary" not in data:
        raise LivableError(f"{path}: not a livable report (no 'summary')")
    print(format_summary(data), file=out)
    return 0


def _cmd_plugins(_args: argparse.Namespace, out: TextIO) -> int:
    from livable.plugins import PluginManager

    pm = PluginManager()
    print("plugins:", file=out)
    for info in pm.plugins():
        print(f"  {info.name} {info.version or ''}".rstrip(), file=out)
    print("distance providers: " + ", ".join(sorted(pm.distance_providers())), file=out)
    print("profiles: " + ", ".join(sorted(pm.profiles())), file=out)
    print("indicators:", file=out)
    for ind in pm.indicators():
        print(f"  {ind.id:<20} {ind.label_en} / {ind.label_zh} ({ind.clause})", file=out)
    print("facility types:", file=out)
    for ft in pm.facility_types().values():
        print(f"  {ft.id:<28} {ft.label_en} / {ft.label_zh} [{ft.category or '-'}]", file=out)
    for skipped in pm.skipped:
        print(f"skipped: {skipped}", file=out)
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "evaluate": _cmd_evaluate,
    "demo": _cmd_demo,
    "summary": _cmd_summary,
    "plugins": _cmd_plugins,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args, sys.stdout)
    except LivableError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"livable: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `livable summary r.json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("livable: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # an unexpected failure: still one line unless --debug
        if args.debug:
            traceback.print_exc()
        print(
            f"livable: internal error: {exc!r} (run with --debug for the traceback and "
            "please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
