"""Hot-issue detection (未诉先办): terms rising in a place and groups of similar requests."""

from reports.hotspots.detect import detect_hotspots
from reports.hotspots.model import Hotspot, HotspotConfig, Message

__all__ = ["Hotspot", "HotspotConfig", "Message", "detect_hotspots"]
