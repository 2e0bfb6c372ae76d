"""Hot-issue detection (未诉先办): groups of similar requests at a place ranked by heat, and terms rising
in a place."""

from reports.hotspots.detect import detect_hotspots
from reports.hotspots.issues import find_issues
from reports.hotspots.model import Hotspot, HotspotConfig, IssueConfig, Message

__all__ = ["Hotspot", "HotspotConfig", "IssueConfig", "Message", "detect_hotspots", "find_issues"]
