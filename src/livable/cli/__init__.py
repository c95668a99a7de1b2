"""The ``livable`` command line (DESIGN.md's command-line contract).

Exit status: 0 done (rejected features are listed in the report, not an error); 1 an error,
explained on stderr in one or two lines naming the file, with no traceback (``--debug``
shows it); 2 a usage error.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from livable._gc import paused_gc
from livable._text import escape, show
from livable._version import __version__
from livable.cli._outputs import check_outputs
from livable.cli.progress import terminal_progress
from livable.errors import InputError, LivableError
from livable.report.summary import format_summary

if TYPE_CHECKING:
    from livable.models.results import Report
    from livable.plugins import PluginManager

__all__ = ["main"]

_GRADE_ZH = {"not_livable": "尚未宜居", "livable": "宜居", "happy": "幸福"}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _add_evaluate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--communities", required=True, help="communities: GeoJSON, shapefile, GPKG, CSV, ..."
    )
    p.add_argument(
        "--facilities", required=True, help="facilities: GeoJSON, shapefile, GPKG, CSV, ..."
    )
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
    p.add_argument("--encoding", help="text encoding of shapefiles/CSV without one (e.g. gb18030)")
    p.add_argument(
        "--dedupe-m",
        type=_positive_float,
        metavar="N",
        help="merge facilities of one type within N metres with similar names",
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="worker processes; more than 1 evaluates tile by tile (same report)",
    )
    p.add_argument(
        "--tile-km",
        type=_positive_float,
        help="evaluate in square tiles of this size (km; default 20 with --workers)",
    )
    p.add_argument(
        "--max-file-mb",
        type=_positive_float,
        default=None,
        metavar="MB",
        help="refuse input files larger than this (default 256; peak memory is about 10x the file)",
    )
    p.add_argument(
        "--max-features",
        type=_positive_int,
        default=None,
        metavar="N",
        help="refuse input files with more features than this (default 5,000,000)",
    )
    p.add_argument("--strict", action="store_true", help="stop at the first bad feature")
    p.add_argument(
        "--rename",
        action="append",
        type=_rename,
        default=[],
        metavar="OLD=NEW",
        help="read property OLD as NEW in every layer (repeatable); a shapefile's truncated "
        "names of the properties livable reads are mapped back without it",
    )
    p.add_argument(
        "--isochrones",
        action="store_true",
        help="with --distance network, also draw every community's walking areas per tier "
        "(for the maps; grades do not depend on them, and they take time per community)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument(
        "-o",
        "--out",
        default="report.json",
        help="report file (default report.json); a .parquet suffix writes the columnar "
        "report (GeoParquet, one row a community; needs pyarrow)",
    )
    _add_plugin_args(p)


def _rename(text: str) -> tuple[str, str]:
    old, sep, new = text.partition("=")
    if not sep or not old.strip() or not new.strip():
        raise argparse.ArgumentTypeError(f"expected OLD=NEW, not {show(text)}")
    return old.strip(), new.strip()


def _add_plugin_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("plugins")
    g.add_argument(
        "--no-entry-points",
        action="store_true",
        help="load no installed plugins (entry-point group 'livable'), only the built-ins",
    )
    g.add_argument(
        "--allow-plugin",
        action="append",
        metavar="NAME",
        help="load only this installed plugin (repeatable)",
    )
    g.add_argument(
        "--block-plugin",
        action="append",
        metavar="NAME",
        help="never load this plugin, a built-in one such as livable.network included, or "
        "livable.builtin for all built-ins (repeatable)",
    )
    g.add_argument(
        "--plugin-faults",
        choices=("fail", "record"),
        default="fail",
        help="on a plugin fault: stop (fail, default) or skip it and list it in the report",
    )


def _plugin_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "load_entry_points": not getattr(args, "no_entry_points", False),
        "allow": getattr(args, "allow_plugin", None),
        "block": getattr(args, "block_plugin", None) or [],
        "fault_mode": getattr(args, "plugin_faults", "fail"),
    }


def _plugin_manager(args: argparse.Namespace) -> PluginManager:
    from livable.plugins import PluginManager

    return PluginManager(**_plugin_options(args))


def _positive_float(text: str) -> float:
    """``type=`` of a positive, finite number option (``--tile-km 0`` is a usage error)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {show(text)}") from None
    if not (value > 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {show(text)}")
    return value


def _whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """``type=`` of a whole-number option from ``minimum`` (to ``maximum``)."""

    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {show(text)}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {show(text)}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, not {show(text)}")
        return value

    check.__name__ = "whole number"  # argparse names the type in "invalid ... value"
    return check


_positive_int = _whole(1)


def _limits(args: argparse.Namespace) -> Any:
    from livable.io.readers import Limits

    defaults = Limits()
    mb = getattr(args, "max_file_mb", None)
    return Limits(
        max_file_bytes=defaults.max_file_bytes if mb is None else max(1, int(mb * 1024**2)),
        max_features=getattr(args, "max_features", None) or defaults.max_features,
    )


_MIN_DPI, _MAX_DPI = 50, 1200  # A4 at 1200 dpi is already 14,000 x 9,900 px


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
    sm.add_argument("--csv", metavar="DIR", help="also write the summary tables as CSV files")
    sm.add_argument("--xlsx", metavar="FILE", help="also write them as an XLSX workbook")
    pl = sub.add_parser("plugins", help="list loaded plugins, providers, indicators and types")
    pl.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_plugin_args(pl)
    pn = sub.add_parser("plan", help="propose sites for new facilities that close gaps (P6)")
    pn.add_argument("report", help="report.json")
    pn.add_argument(
        "--facility-type",
        action="append",
        required=True,
        dest="facility_types",
        metavar="T",
        help="facility type to plan (repeat for several)",
    )
    where = pn.add_mutually_exclusive_group(required=True)
    where.add_argument("--candidates", help="candidate sites GeoJSON")
    where.add_argument(
        "--grid", type=_positive_float, metavar="METRES", help="grid spacing in metres"
    )
    pn.add_argument("--candidates-crs", help="CRS of the candidates file")
    pn.add_argument("--budget", type=_positive_int, help="how many sites at most")
    pn.add_argument(
        "--target",
        action="store_true",
        help="fewest sites closing every closable gap of the types (100%% livable)",
    )
    pn.add_argument("--exact", action="store_true", help="solve exactly (integer programme)")
    pn.add_argument(
        "--no-verify",
        action="store_true",
        help="skip re-evaluating the report's inputs with the planned sites",
    )
    pn.add_argument("--out", default="plan.geojson", help="plan GeoJSON (default plan.geojson)")
    imp = sub.add_parser("import", help="turn OpenStreetMap or Amap data into facilities")
    kinds = imp.add_subparsers(dest="source", required=True, metavar="SOURCE")
    osm = kinds.add_parser("osm", help="an OpenStreetMap extract (.osm.pbf, .osm)")
    osm.add_argument("file", help="FILE.osm.pbf or FILE.osm")
    osm.add_argument("--tags", help="tag mapping TOML (extends or replaces the built-in one)")
    osm.add_argument(
        "--keep-areas", action="store_true", help="keep parks, schools, ... as polygons"
    )
    osm.add_argument("--no-streets", action="store_true", help="do not write streets.geojson")
    amap = kinds.add_parser("amap", help="an Amap (高德) POI export (.json, .jsonl, .csv)")
    amap.add_argument("file", help="FILE.json or FILE.csv")
    amap.add_argument("--typecodes", help="type-code table TOML (extends or replaces)")
    amap.add_argument("--encoding", help="CSV text encoding (default UTF-8; e.g. gb18030)")
    amap.add_argument(
        "--datum", default="gcj02", choices=("gcj02", "wgs84", "bd09"), help="default gcj02"
    )
    for kind in (osm, amap):
        kind.add_argument("--out", required=True, help="folder for facilities.geojson")
        kind.add_argument("--dedupe-m", type=_positive_float, metavar="N", help="merge duplicates")
        kind.add_argument("--top", type=_whole(0), default=20, help="list length (default 20)")
    mp = sub.add_parser("map", help="draw the convenience-service map (P7) of a report")
    mp.add_argument("report", help="report.json")
    mp.add_argument("--community", help="community id (default: the whole city)")
    mp.add_argument(
        "--out",
        required=True,
        type=_suffix(".png", ".svg", ".html"),
        help="FILE.png, FILE.svg or FILE.html",
    )
    mp.add_argument(
        "--dpi",
        type=_whole(_MIN_DPI, _MAX_DPI),
        default=200,
        help=f"PNG resolution, {_MIN_DPI} to {_MAX_DPI} (default 200: A4)",
    )
    mp.add_argument("--profile", help="profile id or TOML file (default: the report's)")
    mp.add_argument("--font", help="a .ttf/.otf font file with Chinese glyphs to use")
    mp.add_argument("--plan", help="plan.geojson of `livable plan`: draw its sites (city map)")
    hb = sub.add_parser("handbook", help="write the residents' handbook (P7) of a report")
    hb.add_argument("report", help="report.json")
    which = hb.add_mutually_exclusive_group(required=True)
    which.add_argument("--community", help="community id")
    which.add_argument("--subdistrict", help="subdistrict name: a book of its communities")
    hb.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    hb.add_argument(
        "--out", required=True, type=_suffix(".md", ".html"), help="FILE.md or FILE.html"
    )
    hb.add_argument("--profile", help="profile id or TOML file (default: the report's)")
    for command in sub.choices.values():
        command.set_defaults(usage_parser=command)
    return parser


class _UsageError(Exception):
    """A usage error only found after parsing (an unknown distance provider): exit 2."""


def _suffix(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if Path(value).suffix.lower() not in allowed:
            raise argparse.ArgumentTypeError(
                f"{show(value)}: use a file ending in {', '.join(allowed)}"
            )
        return value

    return check


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise LivableError(f"{path}: cannot write: {exc.strerror}") from exc


def _cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    from livable.engine import evaluate

    tile_km = getattr(args, "tile_km", None)
    pm = _plugin_manager(args)
    providers = sorted(pm.distance_providers())
    if args.distance not in providers:
        blocked = pm.blocked_provider(args.distance)
        problem = f"unknown distance provider {show(args.distance)}"
        if blocked is not None:
            problem = (
                f"distance provider {show(args.distance)} is not available: its plugin "
                f"{show(blocked)} is blocked"
            )
        raise _UsageError(f"argument --distance: {problem} (available: {', '.join(providers)})")
    started = time.perf_counter()
    if args.workers > 1 or tile_km is not None:
        from livable.scale.tiles import DEFAULT_TILE_M, evaluate_partitioned

        evaluate = functools.partial(
            evaluate_partitioned,
            workers=args.workers,
            tile_m=DEFAULT_TILE_M if tile_km is None else tile_km * 1000.0,
            plugin_options=_plugin_options(args),
        )
    bar = terminal_progress(quiet=args.quiet)
    try:
        with paused_gc():  # a run's objects are acyclic: collections would only rescan them
            report, notes = _evaluate_and_write(args, evaluate, bar, out, pm)
    finally:
        bar.close()
    if not args.quiet:
        print(format_summary(report), file=out)
    for line in [] if args.quiet else notes:  # --quiet: errors only (the report keeps them)
        print(line, file=sys.stderr)
    if report.skipped:
        from livable.models.serialize import dump_with

        for skip in report.skipped:
            print(f"livable: warning: skipped {_skipped_line(dump_with(skip))}", file=sys.stderr)
    if not args.quiet:
        print(
            f"\nreport written to {escape(args.out)} in {time.perf_counter() - started:.2f} s",
            file=out,
        )
    return 0


def _evaluate_and_write(
    args: argparse.Namespace,
    evaluate: Callable[..., Any],
    bar: Callable[[str, float], None],
    out: TextIO,
    pm: PluginManager,
) -> tuple[Report, list[str]]:
    """Evaluate, write the report (streamed); it and the input notes' terminal lines."""
    facilities: Any = args.facilities
    if getattr(args, "dedupe_m", None) is not None:
        from livable.cli._importers import dedupe_for_evaluate

        facilities = dedupe_for_evaluate(args, out)
    from livable.engine import LayerSpec

    streets = None
    if args.streets is not None:
        streets = LayerSpec(args.streets, crs=args.streets_crs, datum=args.streets_datum)
    report = evaluate(
        LayerSpec(args.communities, crs=args.communities_crs, datum=args.communities_datum),
        LayerSpec(facilities, crs=args.facilities_crs, datum=args.facilities_datum),
        streets=streets,
        **_residents(args),
        profile=args.profile,
        distance=args.distance,
        working_crs=args.working_crs,
        strict=args.strict,
        limits=_limits(args),
        plugins=pm,
        encoding=getattr(args, "encoding", None),
        progress=bar,
        **({"rename": dict(args.rename)} if getattr(args, "rename", None) else {}),
        **({"isochrones": True} if getattr(args, "isochrones", False) else {}),
    )
    from livable.io.account import note_lines, strict_problem

    if args.strict:
        for info in report.inputs:
            problem = strict_problem(info)
            if problem is not None:
                raise InputError(problem)
    bar("writing", 0.0)
    target = Path(args.out)
    try:
        if target.suffix.lower() in (".parquet", ".geoparquet"):
            report.to_parquet(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            report.write_json(target)
    except OSError as exc:
        raise LivableError(f"{target}: cannot write: {exc.strerror}") from exc
    bar("writing", 1.0)
    return report, [line for info in report.inputs for line in note_lines(info)]


def _residents(args: argparse.Namespace) -> dict[str, Any]:
    """The resident-point options of ``evaluate``, only when ``--residents`` was given."""
    from livable.engine import LayerSpec

    if getattr(args, "residents", None) is None:
        return {}
    spec = LayerSpec(args.residents, crs=args.residents_crs, datum=args.residents_datum)
    return {"residents": spec}


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from livable.io.sample import write_sample_city

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
    lines, products = _demo_products(folder, report_path)
    if not args.quiet:
        print(
            "\nSynthetic sample city (not real places). Rerun it yourself with:\n"
            f"  livable evaluate --communities {communities} --facilities {facilities} "
            f"--out {report_path}",
            file=out,
        )
        for line in lines:
            print(line, file=out)
        written = [communities, facilities, report_path, *products]
        print(f"\nwritten: {', '.join(str(p) for p in written)}", file=out)
    return code


def _demo_products(folder: Path, report_path: Path) -> tuple[list[str], list[Path]]:
    """The demo's map and handbook (P7): the city map, one community's map and handbook."""
    import importlib.util

    from livable.models import read_report
    from livable.report.handbook import write_handbook

    data = read_report(report_path)
    short = [c for c in data.communities if c.grade == "not_livable"]
    pick = next(iter(short or data.communities), None)
    lines = ["\nOne map, one handbook (P7):"]
    products: list[Path] = []
    if pick is not None:
        hb = write_handbook(data, folder / "handbook-zh.html", community=pick.id, lang="zh")
        lines.append(f"  handbook of {pick.id}: {hb}")
        products.append(Path(hb))
    if importlib.util.find_spec("matplotlib") is None:
        lines.append(
            "  maps need the optional 'maps' extra: pip install 'livable[maps]', then\n"
            f"  livable map {report_path} --out {folder / 'city.png'}"
        )
        return lines, products
    from livable.report.maps import render_map

    city = render_map(data, folder / "city.png")
    lines.append(f"  city map: {city}")
    products.append(Path(city))
    if pick is not None:
        one = render_map(data, folder / f"map-{pick.id}.png", community=pick.id)
        lines.append(f"  map of {pick.id}: {one}")
        products.append(Path(one))
    return lines, products


def _cmd_map(args: argparse.Namespace, out: TextIO) -> int:
    from livable.report.maps import render_map

    path = render_map(
        args.report,
        args.out,
        community=args.community,
        profile=args.profile,
        dpi=args.dpi,
        font=args.font,
        plan=args.plan,
    )
    print(f"map written to {path}", file=out)
    hint = _isochrone_hint(args.report)
    if hint:
        print(f"livable: {hint}", file=sys.stderr)
    return 0


def _isochrone_hint(report: str) -> str | None:
    """How to get the walking areas a network report's map would draw, when it has none."""
    data = _read_report(Path(report))
    communities = data.get("communities") or []
    if data.get("distance") != "network" or any(
        isinstance(c, dict) and c.get("isochrones") for c in communities
    ):
        return None
    return (
        "the map shows the tier circles: the report holds no network isochrones; rerun "
        "livable evaluate with --isochrones to draw the walking areas"
    )


def _cmd_handbook(args: argparse.Namespace, out: TextIO) -> int:
    from livable.report.handbook import write_handbook

    path = write_handbook(
        args.report,
        args.out,
        community=args.community,
        subdistrict=args.subdistrict,
        lang=args.lang,
        profile=args.profile,
    )
    print(f"handbook written to {path}", file=out)
    return 0


def _cmd_summary(args: argparse.Namespace, out: TextIO) -> int:
    data = _read_report(Path(args.report))
    print(format_summary(data), file=out)
    if args.csv or args.xlsx:
        from livable.report.export import write_csv, write_xlsx

        if args.csv:
            written = write_csv(data, args.csv)
            print(f"\nCSV tables written to {args.csv} ({len(written)} files)", file=out)
        if args.xlsx:
            print(f"workbook written to {write_xlsx(data, args.xlsx)}", file=out)
    return 0


def _skipped_line(skip: dict[str, Any]) -> str:
    text = f"plugin {show(skip['plugin'])}"
    if skip["hook"]:
        text += f", hook {skip['hook']}"
    if skip["community"]:
        text += f", community {show(skip['community'])}"
    return f"{text}: {escape(str(skip['reason']))}"


def _cmd_plugins(args: argparse.Namespace, out: TextIO) -> int:
    pm = _plugin_manager(args)
    types, indicators = pm.facility_types(), {i.id: i for i in pm.indicators()}
    profiles = pm.profiles()
    contributions = pm.contributions()
    skipped = [
        {"plugin": s.plugin, "hook": s.hook, "community": s.community, "reason": s.reason}
        for s in pm.skipped
    ]
    if getattr(args, "json", False):
        data = {
            "plugins": [
                {
                    "name": c.name,
                    "version": c.version,
                    "facility_types": list(c.facility_types),
                    "indicators": list(c.indicators),
                    "distance_providers": list(c.distance_providers),
                    "profiles": list(c.profiles),
                    "classify": c.classify,
                }
                for c in contributions
            ],
            "skipped": skipped,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return 0
    print("plugins:", file=out)
    for c in contributions:
        print(f"  {c.name} {c.version or '(no version)'}", file=out)
        if c.distance_providers:
            print("    distance providers: " + ", ".join(c.distance_providers), file=out)
        for pid in c.profiles:
            p = profiles[pid]
            parent = f", extends {p.parent}" if p.parent else ""
            print(f"    profile {pid}: {p.label_en} / {p.label_zh}{parent}", file=out)
        for iid in c.indicators:
            ind = indicators[iid]
            print(f"    indicator {iid}: {ind.label_en} / {ind.label_zh} ({ind.clause})", file=out)
        for tid in c.facility_types:
            ft = types[tid]
            print(
                f"    facility type {tid}: {ft.label_en} / {ft.label_zh} "
                f"[{ft.category or ft.key_content}]",
                file=out,
            )
        if c.classify:
            print("    grades: livable_classify", file=out)
    for skip in skipped:
        print(f"skipped: {_skipped_line(skip)}", file=out)
    return 0


def _cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    from livable.models.serialize import dumps
    from livable.report.planner import plan, read_candidates, verify_plan

    report = _read_report(Path(args.report))
    if not args.target and args.budget is None:
        raise LivableError("give --budget N, or --target for the fewest sites")
    candidates = None
    if args.candidates:
        candidates = read_candidates(args.candidates, crs=args.candidates_crs)
    result = plan(
        report,
        args.facility_types,
        candidates=candidates,
        grid_m=args.grid,
        budget=args.budget,
        mode="target" if args.target else "budget",
        method="exact" if args.exact else "greedy",
    )
    data = result.to_geojson()
    inputs = [i["path"] for i in report.get("inputs", [])]
    check_outputs([args.out], inputs)  # the layers the report was made from are inputs too
    if not args.no_verify and len(inputs) == 2 and all(Path(p).is_file() for p in inputs):
        changes = verify_plan(
            result,
            inputs[0],
            inputs[1],
            profile=report["profile"],
            distance=report.get("distance", "euclidean"),
        )
        claimed = dict(result.grade_changes)
        confirmed = sorted(c for c in claimed if changes.get(c) == claimed[c])
        data["plan"]["verified"] = {
            "confirmed": confirmed,
            "not_confirmed": sorted(set(claimed) - set(confirmed)),
            "other_changes": {
                k: {"before": b, "after": a}
                for k, (b, a) in sorted(changes.items())
                if k not in claimed
            },
        }
    _write(Path(args.out), dumps(data))
    p = data["plan"]
    print(
        f"{len(result.sites)} sites for {', '.join(result.facility_types)} ({p['method']}, "
        f"{p['mode']}): livable {p['livable_before']} -> {p['livable_after']} of "
        f"{p['communities']} ({_pct(p['livable_share_before'])} -> "
        f"{_pct(p['livable_share_after'])})",
        file=out,
    )
    if "verified" in p:
        v = p["verified"]
        print(
            f"re-evaluated with the sites added: {len(v['confirmed'])} of "
            f"{len(result.grade_changes)} grade changes confirmed",
            file=out,
        )
    if result.unreachable:
        print(f"no candidate serves: {', '.join(result.unreachable)}", file=out)
    print(f"plan written to {args.out}", file=out)
    return 0


def _read_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LivableError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LivableError(f"{path}: not a readable report.json ({exc})") from None
    if not isinstance(data, dict) or "summary" not in data or "communities" not in data:
        raise LivableError(f"{path}: not a livable report (no 'summary' or 'communities')")
    return data


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "evaluate": _cmd_evaluate,
    "demo": _cmd_demo,
    "summary": _cmd_summary,
    "plugins": _cmd_plugins,
    "plan": _cmd_plan,
    "import": lambda args, out: _import(args, out),
    "map": _cmd_map,
    "handbook": _cmd_handbook,
}


_Writes = tuple[list[Any], list[Any], list[Any]]
"""What a command writes: its output files, its input files and its output folders."""


def _writes_evaluate(args: argparse.Namespace) -> _Writes:
    layers = (args.communities, args.facilities, args.streets, args.residents)
    return [args.out], [*layers, args.profile], []


def _writes_demo(args: argparse.Namespace) -> _Writes:
    folder = Path(args.out)
    names = (
        "communities.geojson",
        "facilities.geojson",
        "report.json",
        "handbook-zh.html",
        "city.png",
    )
    return [folder / name for name in names], [], [folder]


def _writes_summary(args: argparse.Namespace) -> _Writes:
    from livable.report.export import TABLES

    csv = [] if args.csv is None else [Path(args.csv) / f"{t}.csv" for t in TABLES]
    xlsx = [] if args.xlsx is None else [args.xlsx]
    return [*csv, *xlsx], [args.report], [] if args.csv is None else [args.csv]


def _writes_plan(args: argparse.Namespace) -> _Writes:
    return [args.out], [args.report, args.candidates], []


def _writes_import(args: argparse.Namespace) -> _Writes:
    folder = Path(args.out)
    names = ["facilities.geojson"]
    if args.source == "osm" and not args.no_streets:
        names.append("streets.geojson")
    mapping = getattr(args, "tags", None) or getattr(args, "typecodes", None)
    return [folder / n for n in names], [args.file, mapping], [folder]


def _writes_map(args: argparse.Namespace) -> _Writes:
    return [args.out], [args.report, args.profile, args.font, args.plan], []


def _writes_handbook(args: argparse.Namespace) -> _Writes:
    return [args.out], [args.report, args.profile], []


WRITERS: dict[str, Callable[[argparse.Namespace], _Writes]] = {
    "evaluate": _writes_evaluate,
    "demo": _writes_demo,
    "summary": _writes_summary,
    "plan": _writes_plan,
    "import": _writes_import,
    "map": _writes_map,
    "handbook": _writes_handbook,
}
"""Every command that writes a file, and what it reads and writes (for :func:`_check_writes`)."""


def _check_writes(args: argparse.Namespace) -> None:
    """The output-path guard, run before every command that writes: never overwrite an input."""
    writes = WRITERS.get(args.command)
    if writes is not None:
        outputs, inputs, folders = writes(args)
        check_outputs(outputs, inputs, folders=folders)


def _import(args: argparse.Namespace, out: TextIO) -> int:
    from livable.cli._importers import run_import

    return run_import(args, out)


def _one_line(message: str, limit: int = 1000) -> str:
    """An error message on one line, cut to ``limit`` characters (inputs can be huge)."""
    text = escape(" ".join(message.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        _check_writes(args)
        return _COMMANDS[args.command](args, sys.stdout)
    except _UsageError as exc:
        args.usage_parser.error(str(exc))  # prints the usage and exits with status 2
        raise  # pragma: no cover (error() does not return)
    except LivableError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"livable: error: {_one_line(str(exc))}", file=sys.stderr)
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
            f"livable: internal error: {_one_line(repr(exc))} (run with --debug for the "
            "traceback and please report it)",
            file=sys.stderr,
        )
        return 1
