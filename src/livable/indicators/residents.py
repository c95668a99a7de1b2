"""Population-weighted access: the share of residents who reach each service category.

Beyond the plan. The plan judges a community from one point, the geometric centre of its
circle (``P6.circle``); current 15-minute-city research weights access by where people
live instead. Given residential points with a population and their community (a
:class:`~livable.io.ResidentLayer`, e.g. buildings with resident counts), this module
measures from every point, with the evaluation's own distance provider, whether each
service category is within its walk tier (``P6.tiers``: any facility of a type serving the
category within the tier distance), and reports per community the population-weighted
share of residents who reach it. It never changes the grade.

>>> import numpy as np
>>> from livable.geometry.access import FacilityColumns
>>> from livable.geometry.crs import Projector, choose_working_crs
>>> from livable.geometry.providers import EuclideanProvider
>>> from livable.io.readers import ResidentLayer
>>> from livable.models import FACILITY_TYPES
>>> from livable.profile import load_profile
>>> proj = Projector.for_crs(choose_working_crs([108.94], [34.26]))
>>> fx, fy = proj.forward([108.94], [34.26])
>>> types = tuple(FACILITY_TYPES)
>>> shop = FacilityColumns(fx, fy, [types.index("convenience_store")], types)
>>> people = ResidentLayer(lon=np.array([108.9405, 108.95]), lat=np.array([34.26, 34.26]),
...                        population=np.array([300.0, 100.0]),
...                        community=np.array(["c1", "c1"], dtype=object))
>>> shares, rejected = resident_access(people, ["c1"], projector=proj,
...     provider=EuclideanProvider(), facilities=shop, profile=load_profile("xian-2020"),
...     facility_types=FACILITY_TYPES)
>>> shares[0]["shopping"], shares[0]["medical"], rejected
(0.75, 0.0, ())
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from livable._text import show
from livable.geometry.access import AccessQuery, FacilityColumns, Origins
from livable.geometry.crs import Projector
from livable.geometry.providers import DistanceProvider
from livable.io.readers import Rejection, ResidentLayer
from livable.models import FacilityType
from livable.profile import Profile

__all__ = ["resident_access"]


def resident_access(
    residents: ResidentLayer,
    community_ids: Sequence[str],
    *,
    projector: Projector,
    provider: DistanceProvider,
    facilities: FacilityColumns,
    profile: Profile,
    facility_types: Mapping[str, FacilityType],
) -> tuple[list[dict[str, float] | None], tuple[Rejection, ...]]:
    """Per community (in ``community_ids`` order), ``{category: share of residents}``.

    A community with no resident point, or whose points all have population 0, gets
    ``None``. Points naming a community that was not evaluated are returned as rejections.
    One bulk provider pass over all points; the aggregation is a few ``numpy.bincount``.
    """
    position = {cid: i for i, cid in enumerate(community_ids)}
    owner = np.fromiter(
        (position.get(c, -1) for c in residents.community), dtype=np.int64, count=len(residents)
    )
    known = owner >= 0
    feature_index = (
        residents.feature_index
        if residents.feature_index is not None
        else np.arange(len(residents), dtype=np.int64)
    )
    rejected = tuple(
        Rejection(
            None,
            f"{residents.source.path}#{int(feature_index[i])}",
            f"community {show(residents.community[i])} is not among the evaluated communities",
        )
        for i in np.flatnonzero(~known)
    )
    n = len(community_ids)
    categories = tuple(profile.category_tiers)
    type_ids = facilities.type_ids
    x, y = projector.forward(residents.lon[known], residents.lat[known])
    pop = residents.population[known]
    owner = owner[known]
    tiers = tuple(sorted({profile.tier_distance_m(c) for c in categories}))
    reach = np.zeros((x.shape[0], len(categories)), dtype=bool)
    if x.shape[0] and tiers:
        query = AccessQuery(
            type_ids=type_ids,
            tier_radii_m=tiers,
            circle_radii_m=np.full(x.shape[0], tiers[-1]),
            search_radius_m=tiers[-1],
            k=1,
        )
        table = provider.measure(Origins(x, y), facilities, query)
        for c, category in enumerate(categories):
            codes = [j for j, t in enumerate(type_ids) if facility_types[t].category == category]
            if codes:
                j = tiers.index(profile.tier_distance_m(category))
                reach[:, c] = (table.count_within[:, codes, j] > 0).any(axis=1)
    total = np.bincount(owner, weights=pop, minlength=n)
    reached = (
        np.stack(
            [
                np.bincount(owner, weights=pop * reach[:, c], minlength=n)
                for c in range(len(categories))
            ],
            axis=1,
        )
        if categories
        else np.zeros((n, 0))
    )
    shares: list[dict[str, float] | None] = []
    for i in range(n):
        if total[i] > 0:
            shares.append(
                {cat: float(reached[i, c] / total[i]) for c, cat in enumerate(categories)}
            )
        else:
            shares.append(None)
    return shares, rejected
