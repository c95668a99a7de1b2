"""A deterministic synthetic sample city: the data behind ``livable demo``.

The city has 70 synthetic communities in four districts of Xi'an, two central (碑林区,
雁塔区) and two peripheral (长安区, 临潼区), and about 1,100 facilities of all 18
built-in facility types. Nothing in it is a real place: names are made up and positions are
random. Both feature collections say so in a top-level ``metadata`` member (a foreign
member, allowed by RFC 7946).

Every community is *designed* to get a known grade under the default ``xian-2020``
profile, recorded in :attr:`SampleCity.expected_grades` for tests:

- ``happy``: its circle holds every one of the 12 ones at one more than its size class
  requires, every category within its walk tier, all 18 types and a quality breakfast
  outlet; its attributes pass.
- ``livable`` fails a chosen happy criterion on purpose: a low or missing attribute, no
  bank within 400 m, no quality breakfast outlet in the circle, only the required count of
  fitness venues, or fewer than 15 kinds of facility.
- ``not_livable`` lacks one or two of the 12 ones in its circle, or (a medium community)
  has only the small community's count of one of them.

A deliberate shortfall is protected by an exclusion zone: no other community's facility of
that type is ever placed inside it, so neighbours cannot mend it by accident. Everything a
community needs it either finds already placed (well inside the distance that counts) or
places itself. Every facility also keeps at least ``20 m`` away from every community's
400 m, 800 m, 1,200 m and circle boundaries, so the grades do not hinge on rounding, on the
projection an engine works in or on a small error in the frame below (the brief asks for
5 m; 20 m also covers the frame's error against pyproj, about 0.3 % of a distance).

Special cases exercise the rules: a U-shaped community whose area-weighted centroid lies
outside it, a community of two parts (a MultiPolygon), a community given as a Point, an
extra-large community (population 32,000 and more than 3 km²) that is livable only with
the enlarged 1.6 km circle, parks and a school campus given as areas (distance to the
nearest edge), two communities without a population, four without survey attributes, and at
the end of the communities three features an engine must reject: two sharing the id
``DUP-001`` and one, ``NOGEOM-001``, without a geometry.

Geometry is laid out in a local metric frame (x east, y north, metres) around an origin in
Xi'an (lon 108.94, lat 34.26) and converted to WGS84 lon/lat with a local equirectangular
approximation, ``dlon = dx / (111320 * cos(lat0))`` and ``dlat = dy / 110574``, which is
plenty for synthetic data. Coordinates are rounded to 7 decimals (about 1 cm).

>>> city = generate_sample_city()
>>> city.communities["metadata"]["synthetic"]
True
>>> sorted(set(city.expected_grades.values()))
['happy', 'livable', 'not_livable']
"""

from __future__ import annotations

import datetime
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.polygon import orient

__all__ = [
    "SAMPLE_AS_OF",
    "SAMPLE_SEED",
    "SampleCity",
    "generate_sample_city",
    "write_sample_city",
]

SAMPLE_SEED: Final = 2020
"""The seed of the sample shipped with ``livable demo``."""

SAMPLE_AS_OF: Final = datetime.date(2021, 6, 30)
"""The date ``livable demo`` evaluates the sample city as of (``--as-of``): mid-way through
the plan's stage 2 (基本宜居, ``P6``), 184 days before the targets' deadline, so the demo's
summary shows a stage with a target and the days left; fixed, so the demo's report has
the same bytes whatever the day."""

_FloatArray = npt.NDArray[np.float64]
_BoolArray = npt.NDArray[np.bool_]

# --- the local metric frame -------------------------------------------------------------
_LON0: Final = 108.94
_LAT0: Final = 34.26
_M_PER_DEG_LON: Final = 111_320.0 * math.cos(math.radians(_LAT0))
_M_PER_DEG_LAT: Final = 110_574.0
_DECIMALS: Final = 7

# --- the xian-2020 numbers the design relies on (hard-coded to stay independent) --------
_TWELVE_ONES: Final = (
    "transit_stop",
    "convenience_store",
    "vegetable_store",
    "fitness_venue",
    "leisure_space",
    "community_library",
    "kindergarten",
    "clinic",
    "elderly_care_station",
    "government_service_station",
    "breakfast_outlet",
    "restaurant",
)
_EXTRA_TYPES: Final = (
    "bank",
    "hotel",
    "attraction",
    "entertainment_venue",
    "school",
    "parcel_point",
)
_ALL_TYPES: Final = _TWELVE_ONES + _EXTRA_TYPES
# category -> (tier in metres, its facility types, the first one placed when missing)
_CATEGORIES: Final[Mapping[str, tuple[float, tuple[str, ...]]]] = {
    "shopping": (400.0, ("convenience_store", "vegetable_store")),
    "leisure": (400.0, ("leisure_space",)),
    "finance": (400.0, ("bank",)),
    "catering": (800.0, ("breakfast_outlet", "restaurant")),
    "reading": (800.0, ("community_library",)),
    "government": (800.0, ("government_service_station",)),
    "accommodation": (800.0, ("hotel",)),
    "medical": (1200.0, ("clinic",)),
    "elderly_care": (1200.0, ("elderly_care_station",)),
    "education": (1200.0, ("kindergarten", "school")),
    "transport": (1200.0, ("transit_stop",)),
    "tourism": (1200.0, ("attraction",)),
    "fitness": (1200.0, ("fitness_venue",)),
    "entertainment": (1200.0, ("entertainment_venue",)),
}
_TIER_OF: Final[Mapping[str, float]] = {
    ftype: tier for tier, types in _CATEGORIES.values() for ftype in types
}
# required counts of the 12 ones and of the further categories of medium and large
# communities (P4 大、中型社区适当增加保障品类): (small, medium, large)
_REQUIRED: Final[Mapping[str, tuple[int, int, int]]] = {
    "transit_stop": (1, 2, 3),
    "convenience_store": (1, 2, 3),
    "vegetable_store": (1, 2, 3),
    "fitness_venue": (1, 2, 3),
    "leisure_space": (1, 2, 3),
    "community_library": (1, 1, 2),
    "kindergarten": (1, 2, 3),
    "clinic": (1, 2, 2),
    "elderly_care_station": (1, 1, 2),
    "government_service_station": (1, 1, 1),
    "breakfast_outlet": (1, 2, 3),
    "restaurant": (2, 3, 5),
    "parcel_point": (0, 1, 2),
    "school": (0, 0, 1),
    "bank": (0, 0, 1),
}
_POPULATION_BANDS: Final = ((1_800, 4_700), (5_400, 11_500), (12_600, 21_000))
_RADIUS_M: Final = 1200.0
_ENLARGED_RADIUS_M: Final = 1600.0
_TIERS_M: Final = (400.0, 800.0, 1200.0)
_MARGIN_M: Final = 20.0
_QUALITY_TYPES: Final = ("convenience_store", "breakfast_outlet")

# --- placement ----------------------------------------------------------------------------
_FIRST_BATCH: Final = 16  # candidates drawn at once; doubles on a miss, up to _MAX_BATCH
_MAX_BATCH: Final = 512
_BATCHES_PER_BAND: Final = 40
_WIDE_BAND_M: Final = _RADIUS_M - 2 * _MARGIN_M

_NOTE_EN: Final = "Synthetic data generated for demonstration; not real places in Xi'an."
_NOTE_ZH: Final = "演示用的合成数据，并非西安的真实地点。"
_BAD_IDS: Final = ("DUP-001", "NOGEOM-001")

_STEM_TEXT: Final = (
    "翠华 云杉 锦园 兴善 长青 枫林 雅荷 丰庆 青松 明德 和平 康乐 永宁 芙蓉 曲池 含光 "
    "太白 瑞祥 金桥 紫薇 春晓 秋实 星河 嘉园 桂香 兰亭 竹园 梅苑 柳营 杏园 桃源 荷塘 "
    "松鹤 鹤鸣 凤栖 龙首 虹桥 彩虹 朝阳 晨光 晓月 明月 清泉 碧水 绿洲 翠微 锦绣 华庭 "
    "安居 乐居 宜家 幸福 和谐 友谊 团结 建设 光明 新华 兴庆 永乐 长乐 安康 福寿 吉祥 "
    "如意 丰收 三友 四季 五福 六和 七贤 八仙 九华 十里 文昌 文景 书香 墨香 雁鸣 鸿雁 "
    "秦川 渭滨 沣惠 樊川 杜陵 丈八 金花 白桦 银杏 玉兰 海棠 丁香 石榴 樱桃 葡萄 红枫"
)
_STEMS: Final = tuple(_STEM_TEXT.split())

_BRANDS: Final = ("好邻居", "美宜佳", "每一天", "见福", "唐久")
_BANKS: Final = ("工商银行", "建设银行", "农业银行", "西安银行", "长安银行")
_NAMES: Final[Mapping[str, tuple[str, ...]]] = {
    "transit_stop": ("{s}公交站", "{s}东口公交站", "{s}西口公交站", "{s}地铁站"),
    "convenience_store": ("{s}便民超市", "{s}小卖部", "{s}百货店"),
    "vegetable_store": ("{s}便民蔬菜店", "{s}菜篮子平价店", "{s}生鲜店"),
    "fitness_venue": ("{s}全民健身广场", "{s}健身苑", "{s}社区体育场"),
    "leisure_space": ("{s}口袋公园", "{s}休闲广场", "{s}街心花园"),
    "community_library": ("{s}社区书屋", "{s}阅览室"),
    "kindergarten": ("{s}幼儿园", "{s}第二幼儿园", "{s}实验幼儿园"),
    "clinic": ("{s}社区卫生服务站", "{s}社区诊所"),
    "elderly_care_station": ("{s}居家养老服务站", "{s}日间照料中心"),
    "government_service_station": ("{s}政务便民服务站",),
    "breakfast_outlet": ("{s}放心早餐", "{s}包子铺", "{s}豆浆油条"),
    "restaurant": ("{s}肉夹馍", "{s}泡馍馆", "{s}凉皮店", "{s}油泼面", "{s}饺子馆", "{s}葫芦头"),
    "bank": ("{b}{s}支行",),
    "hotel": ("{s}宾馆", "{s}快捷酒店"),
    "attraction": ("{s}遗址公园", "{s}文化街区", "{s}民俗博物馆"),
    "entertainment_venue": ("{s}影城", "{s}文化活动中心", "{s}KTV"),
    "school": ("{s}小学", "{s}中学"),
    "parcel_point": ("{s}快递驿站", "{s}快递柜"),
}
_PARK_NAMES: Final = ("{s}公园", "{s}绿地公园", "{s}湿地公园")


@attrs.frozen
class SampleCity:
    """The generated sample: two GeoJSON FeatureCollections and the designed grades.

    ``communities`` and ``facilities`` are RFC 7946 FeatureCollection mappings (lon/lat
    WGS84, coordinates rounded to 7 decimals, a top-level ``metadata`` member).
    ``expected_grades`` maps each valid community id to the grade it was designed to get
    under the ``xian-2020`` profile (``"not_livable"``, ``"livable"`` or ``"happy"``); the
    deliberately bad features are not in it.

    >>> city = generate_sample_city()
    >>> city.expected_grades["BL-001"]
    'happy'
    """

    communities: dict[str, Any]
    facilities: dict[str, Any]
    expected_grades: Mapping[str, str]


# --- the layout -----------------------------------------------------------------------
# A row is whitespace-separated cells; a cell is "." (empty), "a|b" (two communities side by
# side) or [shape ":"] role, with shape M (two parts), C (U-shaped) or P (a Point). Roles:
#   H happy; livable: La low attribute, Lx attributes missing, Lp population missing (and a
#   low attribute), Lb no bank within 400 m, Lq no quality breakfast, Lf only the required
#   fitness venues, Lk fewer than 15 kinds; not livable: N-<types> none of those types in
#   the circle, S-<type> a medium community with the small community's count of a type.
#   A trailing "~" leaves the attributes out.
@attrs.frozen
class _Extra:
    token: str
    shape: str  # "X" extra-large, "V" village
    offset: tuple[float, float]
    subdistrict: str


@attrs.frozen
class _District:
    code: str
    name: str
    central: bool
    subdistricts: tuple[str, str, str, str]
    origin: tuple[float, float]  # centre of the top-left cell
    pitch: float
    rows: tuple[str, ...]
    extras: tuple[_Extra, ...] = ()


_DISTRICTS: Final = (
    _District(
        code="BL",
        name="碑林区",
        central=True,
        subdistricts=("南院门街道", "柏树林街道", "文艺路街道", "太乙路街道"),
        origin=(-1300.0, 2800.0),
        pitch=840.0,
        rows=(
            "H   H    La  N-kindergarten",
            "H   M:H  H   N-kindergarten",
            "Lb  H    Lq  H",
            "Lx  H    H   S-transit_stop",
        ),
    ),
    _District(
        code="YT",
        name="雁塔区",
        central=True,
        subdistricts=("小寨路街道", "长延堡街道", "丈八沟街道", "电子城街道"),
        origin=(-1200.0, -4000.0),
        pitch=880.0,
        rows=(
            "H   H    H|Lx  .",
            "H   C:H  H     La",
            "Lb  H    Lf    H",
            "H   La   H     N-clinic",
            "Lk  H    N-kindergarten  N-kindergarten",
        ),
    ),
    _District(
        code="CA",
        name="长安区",
        central=False,
        subdistricts=("韦曲街道", "兴隆街道", "滦镇街道", "郭杜街道"),
        origin=(-1500.0, -14000.0),
        pitch=900.0,
        rows=(
            "H   La  Lb  .",
            "La  H   Lp  Lq",
            "Lx  La  H   S-kindergarten",
            "Lf  H   La  N-government_service_station",
        ),
        extras=(
            _Extra("H", "X", (3900.0, 900.0), "郭杜街道"),
            _Extra("N-kindergarten", "V", (300.0, -6200.0), "王曲街道"),
            _Extra("N-kindergarten", "V", (1050.0, -6350.0), "王曲街道"),
        ),
    ),
    _District(
        code="LT",
        name="临潼区",
        central=False,
        subdistricts=("骊山街道", "秦陵街道", "斜口街道", "代王街道"),
        origin=(24000.0, 11000.0),
        pitch=900.0,
        rows=(
            "H   La  Lx  H   P:H",
            "Lb  H   Lp  La",
            "Lk  H   La  S-restaurant",
        ),
        extras=(
            _Extra("N-kindergarten", "V", (1200.0, -5400.0), "新丰街道"),
            _Extra("N-kindergarten", "V", (1950.0, -5250.0), "新丰街道"),
            _Extra("N-kindergarten,clinic~", "V", (1550.0, -5950.0), "新丰街道"),
        ),
    ),
)


@attrs.frozen
class _Site:
    """One community before it gets a plan: where it is and what it is meant to be."""

    cid: str
    district: _District
    subdistrict: str
    token: str
    shape: str  # R rectangle, h half of a split cell, M, C, P, X, V
    centre: tuple[float, float]
    size: tuple[float, float]


@attrs.frozen
class _Plan:
    """The design of one community: geometry, attributes and what it must (not) have."""

    site: _Site
    name: str
    stem: str
    geometry: Any
    centre: tuple[float, float]
    radius: float
    population: int | None
    attributes: Mapping[str, float | int] | None
    grade: str
    size: int  # 0 small, 1 medium, 2 large: the counts its own facilities supply
    exact: Mapping[str, tuple[tuple[int, float, float], ...]]  # own items (count, rmin, rmax)
    excluded: Mapping[str, float]  # key -> boundary no one else's facility may cross
    more: bool
    skip_tiers: frozenset[str]
    kinds: bool
    quality: bool


def _sites() -> list[_Site]:
    sites: list[_Site] = []
    for district in _DISTRICTS:
        n = 0
        x0, y0 = district.origin
        street = 80.0
        cell = district.pitch - street
        nrows = len(district.rows)
        for r, row in enumerate(district.rows):
            cells = row.split()
            for c, token in enumerate(cells):
                quadrant = 2 * (2 * r >= nrows) + (2 * c >= len(cells))
                sub = district.subdistricts[quadrant]
                cx, cy = x0 + c * district.pitch, y0 - r * district.pitch
                if token == ".":
                    continue
                if "|" in token:
                    half = (cell - street) / 2
                    for side, part in zip((-1.0, 1.0), token.split("|"), strict=True):
                        n += 1
                        sites.append(
                            _Site(
                                f"{district.code}-{n:03d}",
                                district,
                                sub,
                                part,
                                "h",
                                (cx + side * (half + street) / 2, cy),
                                (half, cell),
                            )
                        )
                    continue
                shape, _, role = token.rpartition(":")
                n += 1
                sites.append(
                    _Site(
                        f"{district.code}-{n:03d}",
                        district,
                        sub,
                        role,
                        shape or "R",
                        (cx, cy),
                        (cell, cell),
                    )
                )
        for extra in district.extras:
            n += 1
            size = (2000.0, 1700.0) if extra.shape == "X" else (560.0, 520.0)
            sites.append(
                _Site(
                    f"{district.code}-{n:03d}",
                    district,
                    extra.subdistrict,
                    extra.token,
                    extra.shape,
                    (x0 + extra.offset[0], y0 + extra.offset[1]),
                    size,
                )
            )
    return sites


def _quad(rng: np.random.Generator, cx: float, cy: float, w: float, h: float, jitter: float) -> Any:
    """An irregular quadrilateral of about ``w`` x ``h`` metres around (cx, cy), CCW."""
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    corners += rng.uniform(-jitter, jitter, size=(4, 2)) + np.array([cx, cy])
    return shapely.Polygon(corners)


def _geometry(rng: np.random.Generator, site: _Site) -> Any:
    (cx, cy), (w, h) = site.centre, site.size
    if site.shape == "P":
        return shapely.Point(cx + rng.uniform(-60, 60), cy + rng.uniform(-60, 60))
    if site.shape == "M":
        gap = 90.0
        top_h = 0.55 * (h - gap)
        bottom_h = h - gap - top_h
        top = _quad(rng, cx, cy + h / 2 - top_h / 2, w, top_h, 25.0)
        bottom = _quad(rng, cx + 40.0, cy - h / 2 + bottom_h / 2, w - 80.0, bottom_h, 25.0)
        return shapely.MultiPolygon([top, bottom])
    if site.shape == "C":
        # a U open to the north: the notch holds the area-weighted centroid
        a, t = 0.6 * w, 0.22 * h
        ring = [
            (-w / 2, -h / 2),
            (w / 2, -h / 2),
            (w / 2, h / 2),
            (a / 2, h / 2),
            (a / 2, -h / 2 + t),
            (-a / 2, -h / 2 + t),
            (-a / 2, h / 2),
            (-w / 2, h / 2),
        ]
        return shapely.Polygon([(cx + x, cy + y) for x, y in ring])
    jitter = {"X": 40.0, "V": 45.0, "h": 25.0}.get(site.shape, 35.0)
    return _quad(rng, cx, cy, w, h, jitter)


def _with_framework(
    attributes: dict[str, float | int] | None, token: str, population: int | None
) -> dict[str, float | int] | None:
    """Add the attributes of the 136 framework's scored indicators (P2.C2-C6).

    Drawn from a generator of their own, keyed by the site token, so the geometry and
    the grades the rest of the city was designed for do not move. About one community in
    six leaves them out, so "not assessed" shows in the demo.
    """
    if attributes is None:
        return None
    sub = np.random.default_rng([SAMPLE_SEED, *token.encode("utf-8")])
    if sub.random() < 1 / 6:
        return attributes
    strong = sub.random() < 0.6
    residents = population or 4000
    extra: dict[str, float | int] = {
        "property_management": round(
            float(sub.uniform(0.85, 1.0) if strong else sub.uniform(0.3, 0.7)), 2
        ),
        "low_carbon_measures": int(sub.integers(2, 5)) if strong else 0,
        "digital_platform": bool(strong or sub.random() < 0.3),
        "sensing_coverage": round(
            float(sub.uniform(0.6, 0.95) if strong else sub.uniform(0.1, 0.45)), 2
        ),
        "community_workers": round(
            residents / 1000 * float(sub.uniform(2.0, 3.5) if strong else sub.uniform(0.8, 1.5))
        ),
        "emergency_plan": bool(strong or sub.random() < 0.5),
        "survey_held": bool(strong or sub.random() < 0.4),
        "employment_service_point": bool(strong and sub.random() < 0.8),
    }
    return {**attributes, **extra}


def _attributes(rng: np.random.Generator, kind: str) -> dict[str, float | int] | None:
    if kind == "missing":
        return None
    good: dict[str, float | int] = {
        "green_ratio": round(float(rng.uniform(0.31, 0.45)), 2),
        "governance_score": int(rng.integers(82, 98)),
        "vitality_score": int(rng.integers(81, 97)),
        "satisfaction": round(float(rng.uniform(0.86, 0.97)), 2),
    }
    low: dict[str, float | int] = {
        "green_ratio": round(float(rng.uniform(0.15, 0.27)), 2),
        "governance_score": int(rng.integers(58, 78)),
        "vitality_score": int(rng.integers(55, 78)),
        "satisfaction": round(float(rng.uniform(0.60, 0.82)), 2),
    }
    if kind == "low":
        key = list(good)[int(rng.integers(0, len(good)))]
        return {k: low[k] if k == key else v for k, v in good.items()}
    if kind == "mixed":
        pick = rng.random(len(good)) < 0.5
        return {k: low[k] if p else good[k] for k, p in zip(good, pick, strict=True)}
    return good


def _plan(rng: np.random.Generator, site: _Site, stem: str) -> _Plan:
    geometry = _geometry(rng, site)
    centre_geom = geometry if site.shape == "P" else geometry.centroid
    centre = (float(centre_geom.x), float(centre_geom.y))
    radius = _ENLARGED_RADIUS_M if site.shape == "X" else _RADIUS_M
    role = site.token.rstrip("~")
    probs = (0.25, 0.45, 0.30) if site.district.central else (0.40, 0.40, 0.20)
    if site.shape == "V":
        probs = (0.6, 0.4, 0.0)
    size = int(rng.choice(3, p=probs))
    exact: dict[str, tuple[tuple[int, float, float], ...]] = {}
    excluded: dict[str, float] = {}
    more, kinds, quality = False, True, True
    skip_tiers: frozenset[str] = frozenset()
    attr_kind = "good"
    grade = "livable"
    if role == "H":
        grade, more = "happy", True
    elif role in ("La", "Lp"):
        attr_kind = "low"
    elif role == "Lx":
        attr_kind = "missing"
    elif role == "Lb":
        excluded["bank"] = 400.0
        skip_tiers = frozenset({"finance"})
    elif role == "Lq":
        excluded["breakfast_outlet+q"] = radius
        quality = False
    elif role == "Lf":
        exact["fitness_venue"] = ((_REQUIRED["fitness_venue"][size], 0.0, _band("fitness_venue")),)
        excluded["fitness_venue"] = radius
    elif role == "Lk":
        size = 0  # a small community: school and parcel_point are further categories above it
        for ftype in ("school", "parcel_point", "attraction", "entertainment_venue"):
            exact[ftype] = ()
            excluded[ftype] = radius
    elif role.startswith("N-"):
        grade, attr_kind = "not_livable", "mixed"
        for ftype in role[2:].split(","):
            exact[ftype] = ()
            excluded[ftype] = radius
    elif role.startswith("S-"):
        grade, attr_kind, size = "not_livable", "mixed", 1
        ftype = role[2:]
        small, medium, _ = _REQUIRED[ftype]
        if not small < medium:  # pragma: no cover - a layout error
            raise ValueError(f"{ftype}: the small count is not short for a medium community")
        exact[ftype] = ((small, 0.0, _band(ftype)),)
        excluded[ftype] = radius
    else:  # pragma: no cover - a layout error
        raise ValueError(f"unknown role {role!r}")
    if site.token.endswith("~"):
        attr_kind = "missing"
    population: int | None
    if site.shape == "X":
        size, population = 2, 32_000
        # livable only with the enlarged circle: two kindergartens within 1.2 km, two more
        # between 1.2 and 1.6 km, and no one else's within 1.2 km
        exact["kindergarten"] = ((2, 0.0, _band("kindergarten")), (2, 1240.0, 1560.0))
        excluded["kindergarten"] = _RADIUS_M
    elif role == "Lp":
        size, population = 2, None  # supplies a large community's counts, whatever its class
    else:
        lo, hi = _POPULATION_BANDS[size]
        population = int(rng.integers(lo, hi)) // 10 * 10
    return _Plan(
        site=site,
        name=f"{stem}社区",
        stem=stem,
        geometry=geometry,
        centre=centre,
        radius=radius,
        population=population,
        attributes=_with_framework(_attributes(rng, attr_kind), site.token, population),
        grade=grade,
        size=size,
        exact=exact,
        excluded=excluded,
        more=more,
        skip_tiers=skip_tiers,
        kinds=kinds,
        quality=quality,
    )


def _band(ftype: str) -> float:
    """How far from a centre a facility of ``ftype`` goes when placed for its tier."""
    return _TIER_OF.get(ftype, _RADIUS_M) - 2 * _MARGIN_M


class _Placer:
    """Places facilities by rejection sampling, keeping every distance off every boundary.

    Each candidate is checked against all community centres at once (numpy), so no loop runs
    over community x facility pairs. ``dist`` holds each placed facility's distances to all
    centres, which is what the communities placed later count.
    """

    def __init__(self, rng: np.random.Generator, plans: Sequence[_Plan]) -> None:
        self.rng = rng
        self.plans = plans
        n = len(plans)
        self.centres = np.array([p.centre for p in plans], dtype=np.float64)
        self.centre_points = shapely.points(self.centres)
        radii = np.array([p.radius for p in plans], dtype=np.float64)
        self.radii = radii
        self.bounds = np.column_stack([np.full(n, t) for t in _TIERS_M] + [radii])
        keys = {k for p in plans for k in p.excluded}
        self.exclusions: dict[str, _FloatArray] = {}
        for key in sorted(keys):
            boundary = np.full(n, -np.inf)
            for i, p in enumerate(plans):
                if key in p.excluded:
                    boundary[i] = p.excluded[key]
            self.exclusions[key] = boundary
        self.size = 0
        self.dist = np.empty((256, n), dtype=np.float64)
        self.codes = np.empty(256, dtype=np.int64)
        self.qualified = np.empty(256, dtype=np.bool_)
        self.types: list[str] = []
        self.geoms: list[Any] = []
        self.owner_of: list[int] = []

    def _store(self, dist: _FloatArray, ftype: str, q: bool, owner: int, geom: Any) -> None:
        if self.size == len(self.codes):
            grow = len(self.codes)
            self.dist = np.vstack([self.dist, np.empty_like(self.dist[:grow])])
            self.codes = np.concatenate([self.codes, np.empty_like(self.codes[:grow])])
            self.qualified = np.concatenate([self.qualified, np.empty_like(self.qualified)])
        self.dist[self.size] = dist
        self.codes[self.size] = _ALL_TYPES.index(ftype)
        self.qualified[self.size] = q
        self.size += 1
        self.types.append(ftype)
        self.geoms.append(geom)
        self.owner_of.append(owner)

    def count(self, owner: int, types: Sequence[str], within: float, *, q: bool = False) -> int:
        """How many facilities of ``types`` lie within ``within`` of ``owner``'s centre."""
        n = self.size
        codes = self.codes[:n]
        mask = np.zeros(n, dtype=np.bool_)
        for ftype in types:
            mask |= codes == _ALL_TYPES.index(ftype)
        mask &= self.dist[:n, owner] <= within
        if q:
            mask &= self.qualified[:n]
        return int(mask.sum())

    def _candidates(
        self, owner: int, rmin: float, rmax: float, area: tuple[float, float] | None, k: int
    ) -> tuple[Any, _FloatArray]:
        rng = self.rng
        cx, cy = self.centres[owner]
        reach = rmax if area is None else rmax + 0.5 * math.hypot(*area)
        inner = rmin if area is None else 0.0
        r = np.sqrt(rng.uniform(inner**2, reach**2, k))
        theta = rng.uniform(0.0, 2 * math.pi, k)
        xy = np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)])
        if area is None:
            diff = xy[:, None, :] - self.centres[None, :, :]
            return xy, np.hypot(diff[..., 0], diff[..., 1])
        w, h = area
        local = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
        phi = rng.uniform(0.0, math.pi, k)
        cos, sin = np.cos(phi)[:, None], np.sin(phi)[:, None]
        ring = np.stack(
            [cos * local[:, 0] - sin * local[:, 1], sin * local[:, 0] + cos * local[:, 1]],
            axis=-1,
        )
        polys = shapely.polygons(ring + xy[:, None, :])
        dist = shapely.distance(polys[:, None], self.centre_points[None, :])
        return polys, np.asarray(dist, dtype=np.float64)

    def _valid(self, dist: _FloatArray, owner: int, keys: Sequence[str]) -> _BoolArray:
        near = np.abs(dist[:, :, None] - self.bounds[None, :, :]) <= _MARGIN_M
        ok: _BoolArray = ~near.any(axis=(1, 2))
        for key in keys:
            boundary = self.exclusions.get(key)
            if boundary is None:
                continue
            boundary = boundary.copy()
            boundary[owner] = -np.inf  # a community's own shortfall is placed by itself
            ok &= (dist > boundary[None, :] + _MARGIN_M).all(axis=1)
        return ok

    def place(
        self,
        owner: int,
        ftype: str,
        variants: Sequence[tuple[bool, float, float]],
        area: tuple[float, float] | None = None,
    ) -> None:
        """Place one facility for ``owner``: the first variant (quality, rmin, rmax) that fits."""
        for q, rmin, rmax in variants:
            keys = (ftype, f"{ftype}+q") if q else (ftype,)
            k = _FIRST_BATCH
            for _ in range(_BATCHES_PER_BAND):
                geoms, dist = self._candidates(owner, rmin, rmax, area, k)
                k = min(2 * k, _MAX_BATCH)
                own = dist[:, owner]
                ok = self._valid(dist, owner, keys) & (own >= rmin) & (own <= rmax)
                hits = np.flatnonzero(ok)
                if hits.size:
                    i = int(hits[0])
                    geom = shapely.Point(geoms[i]) if area is None else geoms[i]
                    self._store(dist[i], ftype, q, owner, geom)
                    return
        cid = self.plans[owner].site.cid
        raise RuntimeError(f"cannot place a {ftype} for {cid}: the sample layout is infeasible")


def _area_for(rng: np.random.Generator, ftype: str) -> tuple[float, float] | None:
    if ftype == "leisure_space" and rng.random() < 0.25:
        return (float(rng.uniform(120, 320)), float(rng.uniform(100, 240)))
    if ftype == "school" and rng.random() < 0.5:
        return (float(rng.uniform(160, 260)), float(rng.uniform(120, 200)))
    return None


def _supply(placer: _Placer, owner: int) -> None:
    """Place what community ``owner`` still lacks for its design."""
    plan = placer.plans[owner]
    rng = placer.rng
    radius = plan.radius
    wide = (0.0, _WIDE_BAND_M)

    def add(ftype: str, *, tier_only: bool = False, q: bool | None = None) -> None:
        band = (0.0, _band(ftype))
        if q is None:
            q = (
                ftype in _QUALITY_TYPES
                and f"{ftype}+q" not in plan.excluded
                and bool(rng.random() < 0.4)
            )
        variants: list[tuple[bool, float, float]] = [(q, *band)]
        if q:
            variants.append((False, *band))
        if not tier_only:
            variants.append((False, *wide))
        placer.place(owner, ftype, variants, _area_for(rng, ftype))

    for ftype, bands in plan.exact.items():
        for count, rmin, rmax in bands:
            for _ in range(count):
                placer.place(owner, ftype, [(False, rmin, rmax)], _area_for(rng, ftype))
    if plan.quality:
        for ftype in _QUALITY_TYPES:
            if not placer.count(owner, [ftype], radius, q=True):
                placer.place(owner, ftype, [(True, 0.0, _band(ftype)), (True, *wide)])
    for category, (tier, types) in _CATEGORIES.items():
        own = [t for t in types if t not in plan.exact and t not in plan.excluded]
        if category in plan.skip_tiers or not own:
            continue
        if not placer.count(owner, types, tier):
            add(own[0], tier_only=True)
    for ftype, counts in _REQUIRED.items():
        # a type kept out of the whole circle is a designed gap; one kept out of a tier only
        # (Lb: no bank within 400 m) is still placed farther out
        if ftype in plan.exact or plan.excluded.get(ftype, 0.0) >= radius or not counts[plan.size]:
            continue
        need = counts[plan.size] + plan.more
        for _ in range(need - placer.count(owner, [ftype], radius)):
            add(ftype)
    if plan.kinds:
        for ftype in _ALL_TYPES:
            if ftype in plan.exact or ftype in plan.excluded:
                continue
            if not placer.count(owner, [ftype], radius):
                add(ftype)


# --- GeoJSON --------------------------------------------------------------------------
def _to_lonlat(xy: _FloatArray) -> _FloatArray:
    lon = _LON0 + xy[:, 0] / _M_PER_DEG_LON
    lat = _LAT0 + xy[:, 1] / _M_PER_DEG_LAT
    return np.column_stack([lon, lat]).round(_DECIMALS)


def _rings(polygon: Any) -> list[list[list[float]]]:
    polygon = orient(polygon, sign=1.0)  # RFC 7946: exterior counterclockwise
    rings = [polygon.exterior, *polygon.interiors]
    return [_to_lonlat(np.asarray(ring.coords, dtype=np.float64)).tolist() for ring in rings]


def _geojson(geom: Any) -> dict[str, Any]:
    kind = geom.geom_type
    if kind == "Point":
        lon, lat = _to_lonlat(np.array([[geom.x, geom.y]], dtype=np.float64))[0].tolist()
        return {"type": "Point", "coordinates": [lon, lat]}
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _rings(geom)}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [_rings(p) for p in geom.geoms]}
    raise TypeError(f"unexpected geometry {kind}")  # pragma: no cover


def _metadata(seed: int, **extra: Any) -> dict[str, Any]:
    return {
        "synthetic": True,
        "generator": "livable.sample",
        "seed": seed,
        "note_en": _NOTE_EN,
        "note_zh": _NOTE_ZH,
        **extra,
    }


def _community_feature(
    cid: str, name: str, plan: _Plan, geometry: dict[str, Any] | None
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": cid,
        "name": name,
        "district": plan.site.district.name,
        "subdistrict": plan.site.subdistrict,
    }
    if plan.population is not None:
        props["population"] = plan.population
    props.update(plan.attributes or {})
    return {"type": "Feature", "id": cid, "geometry": geometry, "properties": props}


def _facility_feature(
    rng: np.random.Generator, fid: str, ftype: str, q: bool, stem: str, geom: Any
) -> dict[str, Any]:
    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(0, len(options)))]

    templates = _PARK_NAMES if ftype == "leisure_space" and geom.geom_type != "Point" else None
    name = pick(templates or _NAMES[ftype]).format(s=stem, b=pick(_BANKS))
    props: dict[str, Any] = {"id": fid, "type": ftype, "name": name}
    if ftype == "convenience_store":  # P4: 品牌便利店, every store of the city is a chain's
        brand = pick(_BRANDS)
        props["name"] = f"{brand}便利店 {stem}店"
        props["brand"] = brand
    elif ftype == "restaurant":  # P4: 特色餐馆, Xi'an dishes all
        props["specialty"] = True
    elif ftype == "breakfast_outlet":  # P4: 放心早餐网点, all in the programme
        props["certified"] = True
        if q:
            props["quality"] = int(rng.integers(4, 6))
        elif rng.random() < 0.6:
            props["quality"] = int(rng.integers(1, 4))
    return {"type": "Feature", "id": fid, "geometry": _geojson(geom), "properties": props}


def generate_sample_city(seed: int = SAMPLE_SEED) -> SampleCity:
    """Generate the synthetic sample city; the same seed always gives the same city.

    The layout (districts, shapes, designed grades) is fixed; the seed draws positions,
    sizes, populations, attributes and names with ``numpy.random.default_rng(seed)``.

    >>> city = generate_sample_city()
    >>> len(city.expected_grades), city.communities["features"][-1]["properties"]["id"]
    (70, 'NOGEOM-001')
    >>> generate_sample_city(7) == generate_sample_city(7)
    True
    """
    rng = np.random.default_rng(seed)
    sites = _sites()
    stems = [_STEMS[i] for i in rng.permutation(len(_STEMS))]
    plans = [_plan(rng, site, stems[i]) for i, site in enumerate(sites)]
    placer = _Placer(rng, plans)
    for owner in range(len(plans)):
        _supply(placer, owner)

    features = [_community_feature(p.site.cid, p.name, p, _geojson(p.geometry)) for p in plans]
    # deliberately bad features: a duplicated id (both copies must be rejected) and no geometry
    bad_stem, nogeom_stem = stems[len(plans)], stems[len(plans) + 1]
    dup_site = _Site(
        "DUP-001", _DISTRICTS[1], "小寨路街道", "H", "R", (1440.0, -4000.0), (830.0, 830.0)
    )
    dup_plan = _plan(rng, dup_site, bad_stem)
    dup_geometry = _geojson(dup_plan.geometry)
    features.append(_community_feature("DUP-001", dup_plan.name, dup_plan, dup_geometry))
    dup_twin = attrs.evolve(dup_plan, population=(dup_plan.population or 0) + 120)
    features.append(_community_feature("DUP-001", dup_plan.name, dup_twin, dup_geometry))
    nogeom_site = attrs.evolve(
        dup_site, cid="NOGEOM-001", district=_DISTRICTS[3], subdistrict="骊山街道"
    )
    nogeom_plan = _plan(rng, nogeom_site, nogeom_stem)
    features.append(_community_feature("NOGEOM-001", nogeom_plan.name, nogeom_plan, None))

    facilities = [
        _facility_feature(rng, f"F-{i + 1:06d}", ftype, q, plans[owner].stem, geom)
        for i, (ftype, q, owner, geom) in enumerate(
            zip(
                placer.types,
                placer.qualified[: placer.size].tolist(),
                placer.owner_of,
                placer.geoms,
                strict=True,
            )
        )
    ]
    return SampleCity(
        communities={
            "type": "FeatureCollection",
            "metadata": _metadata(seed, deliberately_bad=list(_BAD_IDS)),
            "features": features,
        },
        facilities={
            "type": "FeatureCollection",
            "metadata": _metadata(seed),
            "features": facilities,
        },
        expected_grades=MappingProxyType({p.site.cid: p.grade for p in plans}),
    )


def _dumps(collection: Mapping[str, Any]) -> str:
    """A FeatureCollection as JSON text, one feature a line, with a final newline."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    head = ",".join(f"{dump(k)}:{dump(v)}" for k, v in collection.items() if k != "features")
    body = ",\n".join(dump(f) for f in collection["features"])
    return f'{{{head},"features":[\n{body}\n]}}\n'


def write_sample_city(
    directory: str | os.PathLike[str], seed: int = SAMPLE_SEED
) -> tuple[Path, Path]:
    """Write ``communities.geojson`` and ``facilities.geojson`` into ``directory``.

    The directory is created if needed. Files are UTF-8 JSON (non-ASCII characters kept), one
    feature a line; the same seed writes byte-identical files. Returns both paths.

    >>> import json, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     communities, facilities = write_sample_city(tmp)
    ...     data = json.loads(communities.read_text(encoding="utf-8"))
    ...     (communities.name, facilities.name, data["metadata"]["seed"])
    ('communities.geojson', 'facilities.geojson', 2020)
    """
    city = generate_sample_city(seed)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "communities.geojson", out / "facilities.geojson")
    for path, collection in zip(paths, (city.communities, city.facilities), strict=True):
        path.write_bytes(_dumps(collection).encode("utf-8"))
    return paths
