"""Reading the organisation file (YAML) into the index reports uses for names and parents."""

from __future__ import annotations

from pathlib import Path

import yaml

from reports.domain.org import OrgIndex, org_from_tree


def load_org(path: Path) -> OrgIndex:
    """The index of the file, or an empty index (ids shown as they are) when the file is absent."""
    if not path.exists():
        return OrgIndex()
    return org_from_tree(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
