"""The service process (API, consumer, hot-issue scheduling) never loads the detector's heavy libraries."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "scipy", "sklearn", "jieba", "openpyxl")


def test_starting_the_service_imports_none_of_the_detectors_libraries():
    code = ("import sys, reports.__main__, reports.entrypoints.api, reports.hotspot_job; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


def test_the_package_still_offers_the_detector_by_name():
    code = "import sys, reports.hotspots as h; f = h.detect_hotspots; print('jieba' in sys.modules, f.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "detect_hotspots"]
