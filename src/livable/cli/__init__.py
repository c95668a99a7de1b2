"""The ``livable`` command line (DESIGN.md's command-line contract).

Exit status: 0 done (rejected features are listed in the report, not an error); 1 an error,
explained on stderr in one or two lines naming the file, with no traceback (``--debug``
shows it); 2 a usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import json
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from livable._gc import paused_gc
from livable._text import escape, show
from livable._version import __version__
from livable.cli._common import IMPORT_FORMATS, STDIO
from livable.cli._common import UsageError as _UsageError
from livable.cli._common import read_stdin as _read_stdin
from livable.cli._common import write_stdout as _write_stdout
from livable.cli._outputs import check_outputs
from livable.cli.progress import terminal_progress
from livable.errors import InputError, LivableError
from livable.report.summary import format_summary

if TYPE_CHECKING:
    from livable.models.results import Report
    from livable.plugins import PluginManager

__all__ = ["main"]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _add_evaluate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--communities",
        required=True,
        metavar="FILE",
        help="community areas: GeoJSON, shapefile, GPKG, CSV, ... (- reads GeoJSON from "
        "standard input)",
    )
    p.add_argument(
        "--facilities",
        required=True,
        metavar="FILE",
        help="facility points or areas: GeoJSON, shapefile, GPKG, CSV, ... (- reads GeoJSON "
        "from standard input)",
    )
    p.add_argument(
        "--streets",
        metavar="FILE",
        help="walkable streets GeoJSON, for --distance network (- for standard input)",
    )
    p.add_argument(
        "--residents",
        metavar="FILE",
        help="resident points GeoJSON (population, community): adds each community's "
        "resident_access, the share of residents reaching each category (beyond the plan; "
        "- for standard input)",
    )
    p.add_argument(
        "--profile",
        default="xian-2020",
        help="profile id or TOML file (default xian-2020; - reads the TOML from standard input)",
    )
    p.add_argument(
        "--distance",
        default="euclidean",
        metavar="NAME",
        help="how distance is measured: euclidean (default), geodesic, network (along "
        "--streets) or a plugin's provider (see livable plugins)",
    )
    for layer in ("communities", "facilities", "streets", "residents"):
        p.add_argument(
            f"--{layer}-crs",
            metavar="CRS",
            help=f"CRS of the {layer} file when it does not say (e.g. EPSG:4547)",
        )
        p.add_argument(
            f"--{layer}-datum",
            default="wgs84",
            choices=("wgs84", "gcj02", "bd09"),
            help=f"map datum of lon/lat {layer} (gcj02: Amap/Tencent, bd09: Baidu)",
        )
    p.add_argument(
        "--working-crs",
        metavar="CRS",
        help="metric CRS to compute in (default: the UTM zone of the data)",
    )
    p.add_argument(
        "--encoding",
        help="text encoding of shapefiles and CSV files that do not say (e.g. gb18030)",
    )
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
        metavar="N",
        help="worker processes (default 1); more than 1 evaluates tile by tile (same report)",
    )
    p.add_argument(
        "--tile-km",
        type=_positive_float,
        metavar="KM",
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
        "--as-of",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the report describes (default today): the summary names the plan's "
        "stage of that date (P6) and how far its targets are",
    )
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
    p.add_argument(
        "-o",
        "--out",
        default="report.json",
        help="report file (default report.json; - writes the report JSON to standard output); "
        "a .parquet suffix writes the columnar report (GeoParquet, one row a community; "
        "needs pyarrow)",
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


def _global_options(*, suppress: bool) -> argparse.ArgumentParser:
    """The options accepted before and after the command (``livable map --debug ...``).

    After the command their default is suppressed, so that ``livable --debug map ...`` is not
    undone by the command's own default.
    """
    default: Any = argparse.SUPPRESS if suppress else False
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("global options")
    g.add_argument(
        "--debug", action="store_true", default=default, help="show tracebacks on errors"
    )
    g.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="print nothing but errors (and the products asked for on standard output)",
    )
    return common


def _command(
    sub: Any, name: str, help: str, description: str | None = None
) -> argparse.ArgumentParser:
    """A subcommand with a description (its ``--help`` says what it does) and the globals."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description or help[0].upper() + help[1:] + ".",
        parents=[_global_options(suppress=True)],
    )
    return parser


def _out_arg(p: argparse.ArgumentParser, help: str, **kwargs: Any) -> None:
    p.add_argument("-o", "--out", help=help, **kwargs)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livable",
        description="Grade communities against the 15-minute convenience service circle.",
        epilog="Global options may also follow the command. '-' is standard input or output "
        "wherever a file is read or written; status lines go to standard error.",
        parents=[_global_options(suppress=False)],
    )
    parser.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"livable {__version__}",
        help="print the version and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = _command(
        sub,
        "demo",
        "evaluate the bundled synthetic sample city",
        "Write a synthetic sample city (not real places), evaluate it and draw its map and "
        "one handbook, to try livable without data of your own.",
    )
    _out_arg(
        demo,
        "the folder to write the sample city, report.json, the maps and the handbook in "
        "(default ./livable-demo)",
        default="livable-demo",
    )
    demo.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the report describes (default 2021-06-30, in the plan's stage 2, so "
        "the demo's report is the same whatever the day)",
    )
    ev = _command(
        sub,
        "evaluate",
        "evaluate communities against a profile",
        "Evaluate communities against a profile (default xian-2020) and write report.json; "
        "the summary table is printed.",
    )
    _add_evaluate_args(ev)
    sm = _command(
        sub,
        "summary",
        "print the summary of a report.json",
        "Print the summary table of a report.json (- reads it from standard input).",
    )
    sm.add_argument("report", help="report.json (- for standard input)")
    sm.add_argument("--json", action="store_true", help="print the summary as JSON instead")
    sm.add_argument(
        "--csv", metavar="DIR", help="also write the summary tables as CSV files into DIR"
    )
    sm.add_argument(
        "--xlsx",
        metavar="FILE",
        help="also write them as an XLSX workbook (- writes it to standard output; the "
        "table then goes to standard error)",
    )
    sm.add_argument(
        "--coverage",
        action="store_true",
        help="also print the population-weighted coverage: shares of residents, not "
        "communities, by grade and by service category within its tier",
    )
    sm.add_argument(
        "--assessment",
        action="store_true",
        help="with --xlsx: write the 考核 workbook (P8), one sheet per district and "
        "subdistrict, instead of the summary tables",
    )
    sm.add_argument(
        "--baseline", metavar="BEFORE.json", help="with --assessment: add the change since it"
    )
    sm.add_argument(
        "--date",
        type=_iso_date,
        help="with --assessment: the report's date, YYYY-MM-DD, for its P6 stage "
        "(default: the report's as_of; for a report without one, the day the report file "
        "was last written)",
    )
    sm.add_argument(
        "--allow-different-profile",
        action="store_true",
        help="with --baseline: compare reports made with different profiles or providers",
    )
    sm.add_argument(
        "--equity",
        action="store_true",
        help="also print equity: per district the Gini of residents' distance to each of "
        "the twelve ones, the share beyond each tier, and the least served subdistricts",
    )
    sm.add_argument(
        "--residents",
        help="with --coverage, --equity or --assessment: resident points GeoJSON "
        "(population, community) counting each community's residents; a community "
        "without a point keeps its population",
    )
    sm.add_argument("--residents-crs", help="CRS of the residents file (e.g. EPSG:4547)")
    sm.add_argument(
        "--residents-datum",
        default="wgs84",
        choices=("wgs84", "gcj02", "bd09"),
        help="map datum of lon/lat residents (gcj02: Amap/Tencent, bd09: Baidu)",
    )
    pl = _command(
        sub,
        "plugins",
        "list loaded plugins, providers, indicators and types",
        "List the plugins that load (built-in and installed) and what each brings: distance "
        "providers, profiles, indicators, facility types and grading; and any plugin "
        "skipped for a fault.",
    )
    pl.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_plugin_args(pl)
    pn = _command(
        sub,
        "plan",
        "propose sites for new facilities that close gaps (P6)",
        "Propose sites for new facilities of the given types that close the report's gaps "
        "(P6), within a budget or for the fewest sites, and write them as GeoJSON.",
    )
    pn.add_argument("report", help="report.json (- for standard input)")
    pn.add_argument(
        "--facility-type",
        action="append",
        required=True,
        dest="facility_types",
        metavar="T",
        help="facility type to plan (repeat for several)",
    )
    where = pn.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--candidates",
        metavar="FILE",
        help="candidate sites: GeoJSON, shapefile, GPKG, CSV, ... with a unique id each "
        "(- reads GeoJSON from standard input)",
    )
    where.add_argument(
        "--grid",
        type=_positive_float,
        metavar="METRES",
        help="candidate sites on a square grid this many metres apart over the communities",
    )
    pn.add_argument(
        "--candidates-crs", metavar="CRS", help="CRS of the candidates file when it does not say"
    )
    pn.add_argument(
        "--budget", type=_positive_int, metavar="N", help="how many sites at most (the best N)"
    )
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
    _out_arg(
        pn, "plan GeoJSON (default plan.geojson; - for standard output)", default="plan.geojson"
    )
    imp = _command(
        sub,
        "import",
        "turn OpenStreetMap or Amap data into facilities",
        "Turn an OpenStreetMap extract or an Amap POI export into facilities.geojson (and "
        "streets.geojson) for `livable evaluate`.",
    )
    kinds = imp.add_subparsers(dest="source", required=True, metavar="SOURCE")
    osm = _command(
        kinds,
        "osm",
        "an OpenStreetMap extract (.osm.pbf, .osm)",
        "Turn an OpenStreetMap extract (.osm.pbf or .osm XML) into facilities.geojson by the "
        "tag mapping, and its walkable ways into streets.geojson; list the tags that matched "
        "no mapping row. Needs the osm extra.",
    )
    osm.add_argument("file", help="FILE.osm.pbf or FILE.osm (- reads standard input)")
    osm.add_argument(
        "--tags",
        metavar="FILE",
        help="tag mapping TOML (extends or replaces the built-in one)",
    )
    osm.add_argument(
        "--keep-areas", action="store_true", help="keep parks, schools, ... as polygons"
    )
    osm.add_argument("--no-streets", action="store_true", help="do not write streets.geojson")
    amap = _command(
        kinds,
        "amap",
        "an Amap (高德) POI export (.json, .jsonl, .csv)",
        "Turn an Amap (高德) POI export (the JSON of the place API, JSON Lines or CSV) into "
        "facilities.geojson by the type-code table, converting GCJ-02 to WGS84; list the "
        "codes that matched no row.",
    )
    amap.add_argument("file", help="FILE.json, FILE.jsonl or FILE.csv (- reads standard input)")
    amap.add_argument(
        "--typecodes",
        metavar="FILE",
        help="type-code table TOML (extends or replaces the built-in one)",
    )
    amap.add_argument("--encoding", help="CSV text encoding (default UTF-8; e.g. gb18030)")
    amap.add_argument(
        "--datum",
        default="gcj02",
        choices=("gcj02", "wgs84", "bd09"),
        help="map datum of the export's coordinates (default gcj02, Amap's own; wgs84 for a "
        "re-projected export)",
    )
    osm.add_argument(
        "--format",
        choices=IMPORT_FORMATS["osm"],
        help="the format of FILE - (default pbf; osm is the XML format)",
    )
    amap.add_argument(
        "--format", choices=IMPORT_FORMATS["amap"], help="the format of FILE - (default json)"
    )
    _out_arg(
        osm,
        "folder for facilities.geojson and streets.geojson; - writes the facilities GeoJSON "
        "to standard output (with --no-streets)",
        required=True,
    )
    _out_arg(
        amap,
        "folder for facilities.geojson; - writes the facilities GeoJSON to standard output",
        required=True,
    )
    for kind in (osm, amap):
        kind.add_argument(
            "--dedupe-m",
            type=_positive_float,
            metavar="N",
            help="merge facilities of one type within N metres with similar names",
        )
        kind.add_argument(
            "--top",
            type=_whole(0),
            metavar="N",
            default=20,
            help="how many unmatched tags/codes, rejected rows and merges to list (default 20)",
        )
    mp = _command(
        sub,
        "map",
        "draw the convenience-service map (P7) of a report",
        "Draw the convenience-service map (P7) of a report: the whole city, or one "
        "community with its circle and nearest facilities.",
    )
    mp.add_argument("report", help="report.json (- for standard input)")
    mp.add_argument(
        "--community", metavar="ID", help="a community's id: its map (default: the whole city)"
    )
    _out_arg(
        mp,
        "FILE.png, FILE.svg or FILE.html (- writes to standard output, as --format says)",
        required=True,
        type=_suffix(".png", ".svg", ".html"),
    )
    mp.add_argument(
        "--format",
        choices=("png", "svg", "html"),
        help="the format for --out - (default svg)",
    )
    mp.add_argument(
        "--dpi",
        type=_whole(_MIN_DPI, _MAX_DPI),
        default=200,
        help=f"PNG resolution, {_MIN_DPI} to {_MAX_DPI} (default 200: A4)",
    )
    mp.add_argument(
        "--profile", help="profile id or TOML file (default: the report's; - for standard input)"
    )
    mp.add_argument(
        "--font",
        metavar="FILE",
        help="a .ttf/.otf font file with Chinese glyphs to use (default: the bundled Noto Sans "
        "SC of the maps extra)",
    )
    mp.add_argument(
        "--plan",
        metavar="FILE",
        help="plan.geojson of `livable plan`: draw its sites on the city map (- for standard "
        "input)",
    )
    _streets_args(mp, "draw them thin and grey under everything")
    mp.add_argument(
        "--baseline",
        metavar="BEFORE.json",
        help="an earlier report: mark the communities that moved up or down (city map)",
    )
    mp.add_argument(
        "--allow-different-profile",
        action="store_true",
        help="with --baseline: compare reports made with different profiles or providers",
    )
    mp.add_argument(
        "--interactive",
        action="store_true",
        help="FILE.html as an interactive Leaflet map (pan, zoom, layers; works offline)",
    )
    _add_tiles_args(mp)
    df = _command(
        sub,
        "diff",
        "compare two reports: grades, gaps and targets (P6, P8)",
        "Compare two reports of the same profile and distance provider: the communities "
        "whose grade moved, the gaps closed and opened, and the targets per district (P6, P8).",
    )
    df.add_argument("before", metavar="BEFORE", help="the earlier report.json")
    df.add_argument("after", metavar="AFTER", help="the later report.json")
    df.add_argument("--json", action="store_true", help="print JSON (diff.schema.json)")
    _out_arg(
        df,
        "also write the diff to FILE.json, FILE.md, FILE.csv or FILE.xlsx",
        type=_suffix(".json", ".md", ".csv", ".xlsx"),
    )
    df.add_argument(
        "--allow-different-profile",
        action="store_true",
        help="compare reports made with different profiles or distance providers",
    )
    hb = _command(
        sub,
        "handbook",
        "write the residents' handbook (P7) of a report",
        "Write the residents' handbook (P7) of one community, or a book of a subdistrict's "
        "communities, in Chinese or English.",
    )
    hb.add_argument("report", help="report.json (- for standard input)")
    which = hb.add_mutually_exclusive_group(required=True)
    which.add_argument("--community", metavar="ID", help="the community's id: its handbook")
    which.add_argument(
        "--subdistrict", metavar="NAME", help="a subdistrict's name: a book of its communities"
    )
    hb.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    _out_arg(
        hb,
        "FILE.md or FILE.html (- writes to standard output, as --format says)",
        required=True,
        type=_suffix(".md", ".html"),
    )
    hb.add_argument("--format", choices=("md", "html"), help="the format for --out - (default md)")
    hb.add_argument(
        "--profile", help="profile id or TOML file (default: the report's; - for standard input)"
    )
    hb.add_argument(
        "--font",
        metavar="FILE",
        help="a .ttf/.otf font file with Chinese glyphs to embed in the HTML (default: the "
        "bundled Noto Sans SC of the maps extra)",
    )
    _streets_args(hb, "name the street each listed facility is on")
    sv = _command(
        sub,
        "serve",
        "serve a report over HTTP: the API and the interactive map (P7)",
        "Serve a report (or communities and facilities, evaluated once at start) over HTTP on "
        "127.0.0.1: the JSON API for the city's app and the interactive map (P7).",
    )
    src = sv.add_mutually_exclusive_group(required=True)
    src.add_argument("--report", help="report.json to serve")
    src.add_argument("--communities", help="communities GeoJSON (evaluated once at start)")
    sv.add_argument(
        "--facilities",
        help="facilities GeoJSON (with --communities; with --report, default the report's)",
    )
    sv.add_argument("--streets", help="streets GeoJSON (network distance; drawn on the map)")
    sv.add_argument("--profile", help="profile id or TOML file (default: the report's)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sv.add_argument("--port", type=_whole(0, 65535), default=8000, help="port (default 8000)")
    sv.add_argument(
        "--workers",
        type=_whole(1, 64),
        default=1,
        help="worker processes, each with its own copy of the index (default 1)",
    )
    sv.add_argument(
        "--cors",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser calls from ORIGIN (repeatable; default: CORS off)",
    )
    _add_tiles_args(sv)
    for command in sub.choices.values():
        command.set_defaults(usage_parser=command)
    return parser


def _add_tiles_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tiles", metavar="URL", help="base-map tile URL .../{z}/{x}/{y}.png")
    p.add_argument(
        "--tiles-datum",
        choices=("wgs84", "gcj02"),
        default="wgs84",
        help="datum of the tiles (gcj02: Amap; the overlays are shifted to match)",
    )


def _suffix(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value != STDIO and Path(value).suffix.lower() not in allowed:
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
    _stdin_layers(args)
    args.profile = _profile_arg(args, pm)
    bar = terminal_progress(quiet=args.quiet)
    to_stdout = args.out == STDIO
    try:
        with paused_gc():  # a run's objects are acyclic: collections would only rescan them
            report, notes = _evaluate_and_write(args, evaluate, bar, out, pm)
    finally:
        bar.close()
    if not args.quiet:  # the table is the product, unless the report itself goes to stdout
        print(format_summary(report), file=sys.stderr if to_stdout else out)
    for line in [] if args.quiet else notes:  # --quiet: errors only (the report keeps them)
        print(line, file=sys.stderr)
    if report.skipped:
        from livable.models.serialize import dump_with

        for skip in report.skipped:
            print(f"livable: warning: skipped {_skipped_line(dump_with(skip))}", file=sys.stderr)
    where = "standard output" if to_stdout else escape(args.out)
    _status(args, f"report written to {where} in {time.perf_counter() - started:.2f} s")
    return 0


def _status(args: argparse.Namespace, line: str) -> None:
    """A status line ("... written to ..."): on standard error, so that standard output
    carries only the products (a report, a map, a table)."""
    if not getattr(args, "quiet", False):
        print(line, file=sys.stderr)


_STDIN_READERS: dict[str, tuple[str, ...]] = {
    "evaluate": ("communities", "facilities", "streets", "residents", "profile"),
    "summary": ("report",),
    "plan": ("report", "candidates"),
    "map": ("report", "plan", "profile", "streets"),
    "handbook": ("report", "profile", "streets"),
    "import": ("file",),
}
"""The arguments of each command that may name ``-`` (standard input)."""


def _one_stdin(args: argparse.Namespace) -> None:
    """At most one argument of a command reads standard input (there is only one)."""
    named = [
        name for name in _STDIN_READERS.get(args.command, ()) if getattr(args, name, None) == STDIO
    ]
    if len(named) > 1:
        shown = ", ".join(name if name in ("report", "file") else f"--{name}" for name in named)
        raise _UsageError(f"only one input can be read from standard input, not {shown}")


def _stdin_layers(args: argparse.Namespace) -> None:
    """Replace an input layer named ``-`` with the bytes of standard input."""
    for layer in ("communities", "facilities", "streets", "residents"):
        if getattr(args, layer, None) == STDIO:
            setattr(args, layer, _read_stdin())


def _profile_arg(args: argparse.Namespace, pm: PluginManager | None = None) -> Any:
    """The ``--profile`` argument: an id or a file as given, or the profile TOML of standard
    input for ``-`` (which may extend a built-in or a plugin's profile id, not a file)."""
    if args.profile != STDIO:
        return args.profile
    import tomllib

    from livable.errors import ProfileError
    from livable.profile import profile_from_mapping

    try:
        data = tomllib.loads(_read_stdin().decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"<stdin>: not a profile TOML ({exc})") from None
    registered = (pm or _plugin_manager(args)).profiles()
    return profile_from_mapping(data, source="<stdin>", registered=registered)


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
        as_of=getattr(args, "as_of", None),
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
        if args.out == STDIO:
            _write_stdout(report.to_json().encode("utf-8"))
        elif target.suffix.lower() in (".parquet", ".geoparquet"):
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
    from livable.io.sample import SAMPLE_AS_OF, write_sample_city

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
        as_of=args.as_of or SAMPLE_AS_OF,
        quiet=args.quiet,
        out=str(report_path),
        debug=getattr(args, "debug", False),
    )
    code = _cmd_evaluate(ns, out)
    lines, products = _demo_products(folder, report_path)
    if not args.quiet:
        print(
            "\nSynthetic sample city (not real places). Rerun it yourself with:\n"
            f"  livable evaluate --communities {communities} --facilities {facilities} "
            f"--as-of {ns.as_of} --out {report_path}",
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


def _streets_args(p: argparse.ArgumentParser, what: str) -> None:
    """``--streets FILE`` and ``--no-streets`` of ``map`` and ``handbook``."""
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--streets",
        metavar="FILE",
        help=f"a streets GeoJSON to {what} (default: the streets file the report records, "
        "for a --distance network run, if its bytes are unchanged; - for standard input)",
    )
    g.add_argument("--no-streets", action="store_true", help="use no streets")


def _streets_arg(args: argparse.Namespace) -> Any:
    """The ``streets`` of ``render_map``/the handbook: a file, the GeoJSON bytes of standard
    input, ``False`` or ``None`` (the report's)."""
    if args.streets == STDIO:
        args.streets = _read_stdin()
    return False if args.no_streets else args.streets


@contextlib.contextmanager
def _streets_warnings() -> Iterator[None]:
    """A :class:`~livable.report.streets.StreetsWarning` as one ``livable: warning:`` line."""
    from livable.report.streets import StreetsWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StreetsWarning)
        try:
            yield
        finally:
            for w in caught:
                if issubclass(w.category, StreetsWarning):
                    print(f"livable: warning: {w.message}", file=sys.stderr)
                else:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _report_source(args: argparse.Namespace) -> Any:
    """The ``report`` argument: its path, or the data of standard input for ``-``."""
    if args.report == STDIO:
        return _read_report(Path(STDIO))
    return args.report


def _same_format(out: str, format: str | None) -> None:
    """``--format`` is for ``--out -``; with a file it must agree with the file's suffix."""
    if format is not None and Path(out).suffix.lower() != f".{format}":
        raise _UsageError(f"argument --format: {format} does not match --out {show(out)}")


def _plan_arg(args: argparse.Namespace) -> Any:
    """The ``--plan`` argument of ``map``: its path, or the plan GeoJSON of standard input."""
    if args.plan != STDIO:
        return args.plan
    from livable.report.planner import Plan

    try:
        loaded = json.loads(_read_stdin().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LivableError(f"<stdin>: not a readable plan GeoJSON ({exc})") from None
    return Plan.from_geojson(loaded, where="<stdin>")


def _cmd_map(args: argparse.Namespace, out: TextIO) -> int:
    import tempfile

    from livable.report.maps import render_map

    if args.interactive or args.tiles:
        return _interactive_map(args)
    if args.baseline is not None and args.community is not None:
        raise _UsageError("--baseline marks changes on the city map: leave out --community")
    if args.allow_different_profile and args.baseline is None:
        raise _UsageError("--allow-different-profile goes with --baseline")
    report, profile, plan = _report_source(args), _profile_arg(args), _plan_arg(args)
    streets = _streets_arg(args)

    def draw(target: str | Path) -> Path:
        with _streets_warnings():
            return render_map(
                report,
                target,
                community=args.community,
                profile=profile,
                dpi=args.dpi,
                font=args.font,
                plan=plan,
                baseline=args.baseline,
                allow_different_profile=args.allow_different_profile,
                streets=streets,
            )

    if args.out != STDIO:
        _same_format(args.out, args.format)
        _status(args, f"map written to {draw(args.out)}")
    else:
        with tempfile.TemporaryDirectory(prefix="livable-map-") as tmp:
            path = draw(Path(tmp, f"map.{args.format or 'svg'}"))
            _write_stdout(path.read_bytes())
    hint = None if args.quiet else _isochrone_hint(report)
    if hint:
        print(f"livable: {hint}", file=sys.stderr)
    return 0


def _interactive_map(args: argparse.Namespace) -> int:
    from livable.report import as_report
    from livable.report.streets import report_streets
    from livable.serve import write_map_page

    if not args.interactive:
        raise _UsageError("--tiles draws under the interactive map: add --interactive")
    if Path(args.out).suffix.lower() != ".html":
        raise _UsageError("--interactive writes an HTML page: --out FILE.html")
    if args.community or args.plan or args.baseline:
        raise _UsageError(
            "--interactive draws the whole city: drop --community, --plan and --baseline"
        )
    report = as_report(_report_source(args))
    with _streets_warnings():
        layer = report_streets(report, _streets_arg(args))
    streets = () if layer is None else tuple(layer.lines)
    path = write_map_page(
        report, args.out, streets=streets, tiles=args.tiles, tiles_datum=args.tiles_datum
    )
    _status(args, f"interactive map written to {path}")
    return 0


def _cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    import gc

    try:
        import uvicorn

        from livable.serve import create_app
    except ImportError as exc:
        raise LivableError(
            f"livable serve needs the serve extra: pip install 'livable[serve]' ({exc})"
        ) from None
    if args.communities is not None and args.facilities is None:
        raise _UsageError("--communities needs --facilities")
    settings = {
        "report": args.report,
        "communities": args.communities,
        "facilities": args.facilities,
        "streets": args.streets,
        "profile": args.profile,
        "cors_origins": args.cors,
        "tiles": args.tiles,
        "tiles_datum": args.tiles_datum,
    }
    run = {"host": args.host, "port": args.port, "log_level": "warning", "server_header": False}
    if args.workers > 1:  # each worker process loads and indexes on its own
        from livable.serve.app import SETTINGS_ENV

        os.environ[SETTINGS_ENV] = json.dumps(settings)
        print(
            f"livable serve: http://{args.host}:{args.port}/ ({args.workers} workers; "
            "Ctrl-C stops)",
            file=out,
            flush=True,
        )
        uvicorn.run(
            "livable.serve.app:app_from_environment", factory=True, workers=args.workers, **run
        )
        return 0
    app = create_app(**settings)
    # the report and the index live as long as the process: move them out of the garbage
    # collector's reach, so that a full collection between requests does not walk them
    gc.collect()
    gc.freeze()
    print(f"livable serve: http://{args.host}:{args.port}/ (Ctrl-C stops)", file=out, flush=True)
    uvicorn.run(app, **run)
    return 0


def _isochrone_hint(report: Any) -> str | None:
    """How to get the walking areas a network report's map would draw, when it has none.

    ``report`` is a report.json path or the report's data (read from standard input)."""
    data = _read_report(Path(report)) if isinstance(report, str) else report
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
    from livable.report.handbook import handbook_html, handbook_markdown, write_handbook

    options: dict[str, Any] = {
        "community": args.community,
        "subdistrict": args.subdistrict,
        "lang": args.lang,
        "profile": _profile_arg(args),
        "streets": _streets_arg(args),
    }
    if args.format == "html" or Path(args.out).suffix.lower() == ".html":
        options["font"] = args.font
    report = _report_source(args)
    if args.out != STDIO:
        _same_format(args.out, args.format)
        with _streets_warnings():
            path = write_handbook(report, args.out, **options)
        _status(args, f"handbook written to {path}")
        return 0
    make = handbook_html if args.format == "html" else handbook_markdown
    with _streets_warnings():
        text = make(report, **options)
    _write_stdout(text.encode("utf-8"))
    return 0


def _iso_date(text: str) -> datetime.date:
    from livable.engine import as_of_date

    try:
        day = as_of_date(text)
    except InputError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(
            f"{show(text)} is not a date: give YYYY-MM-DD (e.g. 2021-06-30)"
        )
    return day


def _cmd_summary(args: argparse.Namespace, out: TextIO) -> int:
    if args.csv == STDIO:
        raise _UsageError("argument --csv: a folder of CSV files, not standard output")
    to_stdout = args.xlsx == STDIO
    if to_stdout and args.json:
        raise _UsageError("argument --xlsx: - and --json both write to standard output")
    if (args.baseline or args.date) and not args.assessment:
        raise _UsageError("--baseline and --date go with --assessment")
    if args.assessment and (not args.xlsx or to_stdout):
        raise _UsageError("--assessment writes a workbook: give --xlsx FILE")
    if args.residents and not (args.coverage or args.equity or args.assessment):
        raise _UsageError("--residents goes with --coverage, --equity or --assessment")
    data = _read_report(Path(args.report))
    residents = None
    if args.residents is not None:
        from livable.engine import EvaluationSettings, as_resident_layer

        residents = as_resident_layer(_residents(args)["residents"], EvaluationSettings())
    table = sys.stderr if to_stdout else out  # stdout carries the workbook alone
    if args.json:
        print(json.dumps(data["summary"], ensure_ascii=False, indent=2), file=out)
    elif not (to_stdout and args.quiet):
        print(format_summary(data), file=table)
    if args.assessment:
        from livable.models.results import as_report
        from livable.report.assessment import plan_stage, write_assessment_xlsx

        report = as_report(data)
        if args.date:
            date = args.date
        elif report.as_of is not None:
            date = report.as_of
        elif args.report == STDIO:
            date = datetime.date.today()
        else:
            date = datetime.date.fromtimestamp(Path(args.report).stat().st_mtime)
        baseline = None if args.baseline is None else as_report(args.baseline)
        path = write_assessment_xlsx(
            report,
            args.xlsx,
            date=date,
            baseline=baseline,
            allow_different_profile=args.allow_different_profile,
            residents=residents,
        )
        stage = plan_stage(date)
        _status(
            args,
            f"考核 workbook written to {path} ({date.isoformat()}: {stage.label_zh} "
            f"{stage.label_en})",
        )
    if args.coverage:
        from livable.report.coverage import coverage, format_coverage

        print("\n" + format_coverage(coverage(data, residents=residents)), file=out)
    if args.equity:
        from livable.report.equity import equity, format_equity

        print("\n" + format_equity(equity(data, residents=residents)), file=out)
    xlsx = None if args.assessment else args.xlsx  # the 考核 workbook took its place
    if args.csv or xlsx:
        from livable.report.export import write_csv, write_xlsx

        if args.csv:
            written = write_csv(data, args.csv)
            _status(args, f"CSV tables written to {args.csv} ({len(written)} files)")
        if to_stdout:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="livable-xlsx-") as tmp:
                _write_stdout(write_xlsx(data, Path(tmp, "summary.xlsx")).read_bytes())
        elif xlsx:
            _status(args, f"workbook written to {write_xlsx(data, xlsx)}")
    return 0


def _cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    from livable.models import read_report
    from livable.models.serialize import dumps
    from livable.report.diff import diff
    from livable.report.diff_output import format_diff, write_diff

    result = diff(
        read_report(Path(args.before)),
        read_report(Path(args.after)),
        allow_different_profile=args.allow_different_profile,
    )
    if args.json:
        out.write(dumps(result.to_dict()))
    else:
        print(format_diff(result), file=out)
    if args.out:
        path = write_diff(result, args.out)
        _status(args, f"diff written to {path}")
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
        source = _read_stdin() if args.candidates == STDIO else args.candidates
        candidates = read_candidates(source, crs=args.candidates_crs)
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
    check_outputs(
        [] if args.out == STDIO else [args.out], inputs
    )  # the layers the report was made from are inputs too
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
    if args.out == STDIO:
        _write_stdout(dumps(data).encode("utf-8"))
    else:
        _write(Path(args.out), dumps(data))
    p = data["plan"]
    if args.out == STDIO:  # the lines below are for people; the plan itself is on stdout
        out = sys.stderr
    if args.quiet:
        return 0
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
    _status(args, f"plan written to {'standard output' if args.out == STDIO else args.out}")
    return 0


def _read_report(path: Path) -> dict[str, Any]:
    try:
        if str(path) == STDIO:
            path = Path("<stdin>")
            data = json.loads(_read_stdin().decode("utf-8"))
        else:
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
    "serve": _cmd_serve,
    "diff": _cmd_diff,
}


_Writes = tuple[list[Any], list[Any], list[Any]]
"""What a command writes: its output files, its input files and its output folders."""


def _writes_evaluate(args: argparse.Namespace) -> _Writes:
    layers = (args.communities, args.facilities, args.streets, args.residents)
    return [args.out], [*layers, args.profile], []


def _writes_demo(args: argparse.Namespace) -> _Writes:
    if args.out == STDIO:
        raise _UsageError(
            "argument -o/--out: the demo writes a folder of files (the sample city, "
            "report.json, a map, a handbook), not one for standard output; give a folder"
        )
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
    inputs = [args.report, args.baseline, args.residents]
    return [*csv, *xlsx], inputs, [] if args.csv is None else [args.csv]


def _writes_plan(args: argparse.Namespace) -> _Writes:
    return [args.out], [args.report, args.candidates], []


def _writes_import(args: argparse.Namespace) -> _Writes:
    mapping = getattr(args, "tags", None) or getattr(args, "typecodes", None)
    if args.out == STDIO:
        return [], [args.file, mapping], []
    folder = Path(args.out)
    names = ["facilities.geojson"]
    if args.source == "osm" and not args.no_streets:
        names.append("streets.geojson")
    return [folder / n for n in names], [args.file, mapping], [folder]


def _writes_map(args: argparse.Namespace) -> _Writes:
    return (
        [args.out],
        [args.report, args.profile, args.font, args.plan, args.baseline, args.streets],
        [],
    )


def _writes_handbook(args: argparse.Namespace) -> _Writes:
    return [args.out], [args.report, args.profile, args.font, args.streets], []


def _writes_diff(args: argparse.Namespace) -> _Writes:
    return [] if args.out is None else [args.out], [args.before, args.after], []


WRITERS: dict[str, Callable[[argparse.Namespace], _Writes]] = {
    "evaluate": _writes_evaluate,
    "demo": _writes_demo,
    "summary": _writes_summary,
    "plan": _writes_plan,
    "import": _writes_import,
    "map": _writes_map,
    "handbook": _writes_handbook,
    "diff": _writes_diff,
}
"""Every command that writes a file, and what it reads and writes (for :func:`_check_writes`)."""


def _check_writes(args: argparse.Namespace) -> None:
    """The output-path guard, run before every command that writes: never overwrite an input."""
    writes = WRITERS.get(args.command)
    if writes is not None:
        outputs, inputs, folders = writes(args)
        check_outputs(
            [o for o in outputs if o != STDIO],
            [i for i in inputs if i != STDIO],
            folders=[f for f in folders if f != STDIO],
        )


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
        _one_stdin(args)
        _check_writes(args)
        return _COMMANDS[args.command](args, sys.stdout)
    except _UsageError as exc:
        args.usage_parser.error(str(exc))  # prints the usage and exits with status 2
        raise  # pragma: no cover (error() does not return)
    except LivableError as exc:
        if getattr(args, "debug", False):
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
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(
            f"livable: internal error: {_one_line(repr(exc))} (run with --debug for the "
            "traceback and please report it)",
            file=sys.stderr,
        )
        return 1
