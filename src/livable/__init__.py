"""livable: does each urban community meet the 15-minute convenience service circle?

Evaluate communities against a city's policy (the Xi'an 2020 plan by default) from
geometry and rules, say what each lacks, and roll the answer up for the whole city.

>>> import livable
>>> from livable.testing import community, facility
>>> report = livable.evaluate([community("c1", 108.94, 34.26)],
...                           [facility("s1", "convenience_store", 108.941, 34.26)])
>>> report.communities[0].grade
<Grade.NOT_LIVABLE: 'not_livable'>
>>> round(report.communities[0].access_to("convenience_store").nearest_m, 1)
92.1
"""

from livable._version import __version__
from livable.engine import LayerSpec, evaluate, grade_from_results
from livable.errors import (
    CRSError,
    InputError,
    LivableError,
    PluginError,
    ProfileError,
    ReportError,
    ResourceLimitError,
)
from livable.geometry.datums import Datum
from livable.indicators.base import CommunityContext, Indicator
from livable.io.readers import (
    CommunityLayer,
    FacilityLayer,
    Limits,
    Rejection,
    ResidentLayer,
    SourceInfo,
    read_communities,
    read_facilities,
    read_residents,
)
from livable.models import (
    CATEGORIES,
    FACILITY_TYPES,
    KEY_CONTENTS,
    REQUIREMENTS,
    TWELVE_ONES,
    Community,
    Facility,
    FacilityType,
    Grade,
    KeyContent,
    Requirement,
    ServiceCategory,
    SizeClass,
    Zone,
)
from livable.plugins import PluginContributions, PluginManager, hookimpl
from livable.profile import (
    CircleRules,
    FrameworkCriteria,
    HappyCriteria,
    Profile,
    Targets,
    load_profile,
)
from livable.models import (
    ClosestCommunity,
    CommunityResult,
    CommunityScore,
    Gap,
    GapCount,
    IndicatorResult,
    NearbyFacility,
    PluginInfo,
    Report,
    Skipped,
    Summary,
    TypeAccess,
    ZoneSummary,
    read_report,
)

__all__ = [
    "CATEGORIES",
    "FACILITY_TYPES",
    "KEY_CONTENTS",
    "REQUIREMENTS",
    "TWELVE_ONES",
    "CRSError",
    "CircleRules",
    "ClosestCommunity",
    "Community",
    "CommunityContext",
    "CommunityLayer",
    "CommunityResult",
    "CommunityScore",
    "Datum",
    "Facility",
    "FacilityLayer",
    "FacilityType",
    "FrameworkCriteria",
    "Gap",
    "GapCount",
    "Grade",
    "HappyCriteria",
    "Indicator",
    "IndicatorResult",
    "InputError",
    "KeyContent",
    "Limits",
    "LivableError",
    "NearbyFacility",
    "PluginContributions",
    "PluginError",
    "PluginInfo",
    "PluginManager",
    "Profile",
    "ProfileError",
    "Rejection",
    "Report",
    "ReportError",
    "Requirement",
    "ResidentLayer",
    "ResourceLimitError",
    "ServiceCategory",
    "SizeClass",
    "Skipped",
    "SourceInfo",
    "Summary",
    "Targets",
    "TypeAccess",
    "Zone",
    "ZoneSummary",
    "__version__",
    "evaluate",
    "grade_from_results",
    "hookimpl",
    "load_profile",
    "read_communities",
    "read_facilities",
    "read_report",
    "read_residents",
    "LayerSpec",
]
