"""System tests: make the local runner (deploy/local) importable."""

import sys
from pathlib import Path

LOCAL_RUNNER = Path(__file__).resolve().parents[1] / "deploy" / "local"
if str(LOCAL_RUNNER) not in sys.path:
    sys.path.insert(0, str(LOCAL_RUNNER))
