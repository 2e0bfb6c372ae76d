"""Hot-issue detection (未诉先办): groups of similar requests at a place ranked by heat, and terms rising
in a place.

The detector and the grouping are imported on first use: they load numpy, scipy and jieba's dictionary, which
the reports service keeps out of its own process (see `reports.hotspots.worker`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from reports.hotspots.model import Hotspot, HotspotConfig, IssueConfig, Message

if TYPE_CHECKING:
    from reports.hotspots.detect import detect_hotspots
    from reports.hotspots.issues import find_issues

__all__ = ["Hotspot", "HotspotConfig", "IssueConfig", "Message", "detect_hotspots", "find_issues"]
_LAZY = {"detect_hotspots": "reports.hotspots.detect", "find_issues": "reports.hotspots.issues"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
