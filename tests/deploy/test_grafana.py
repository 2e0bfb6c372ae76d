"""Grafana: provisioned dashboards parse, every panel uses the provisioned data source and a valid query."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_support import DEPLOY, load_yaml, tool
from promql_check import structure_errors, substitute_grafana

GRAFANA = DEPLOY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


def datasource_uid() -> str:
    (source,) = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert source["type"] == "prometheus"
    return source["uid"]


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, including those nested in collapsed rows."""
    out = []
    for panel in board["panels"]:
        out.append(panel)
        out += panel.get("panels", [])
    return out


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def dashboard_exprs() -> list[tuple[str, str, str]]:
    """(dashboard file, panel title, expression) for every query target."""
    return [(p.name, panel["title"], target["expr"]) for p in DASHBOARDS for panel in panels(load(p))
            if panel["type"] != "row" for target in panel["targets"]]


def test_the_dashboards_for_flow_latency_queues_sla_and_health_exist():
    uids = [load(p)["uid"] for p in DASHBOARDS]
    assert sorted(uids) == ["whistle-flow", "whistle-latency", "whistle-queues", "whistle-services", "whistle-sla"]
    sla = load(GRAFANA / "dashboards" / "whistle-sla.json")
    assert "street" in {v["name"] for v in sla["templating"]["list"]}
    assert any("by (street)" in t["expr"] for panel in panels(sla) for t in panel.get("targets", []))


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_panel_reads_the_provisioned_prometheus_with_a_wellformed_query(path):
    uid = datasource_uid()
    board = load(path)
    ids = [panel["id"] for panel in panels(board)]
    assert len(ids) == len(set(ids))
    for panel in panels(board):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
        assert panel["targets"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs))
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"]
            assert structure_errors(substitute_grafana(target["expr"])) == [], (panel["title"], target["expr"])
    for variable in board["templating"]["list"]:
        assert variable["datasource"]["uid"] == uid


def test_promtool_parses_every_dashboard_query(tmp_path):
    path = tool("promtool")
    if path is None:
        pytest.skip("promtool is not installed (apt-get install -y prometheus); structure checks still ran")
    rules = [{"record": f"dashboard:query_{i}", "expr": substitute_grafana(expr)}
             for i, (_, _, expr) in enumerate(dashboard_exprs())]
    file = tmp_path / "dashboard_queries.yml"
    file.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}, allow_unicode=True),
                    encoding="utf-8")
    done = subprocess.run([path, "check", "rules", str(file)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_grafana_provisioning_loads_the_dashboards_from_where_compose_mounts_them():
    (provider,) = load_yaml(GRAFANA / "provisioning" / "dashboards" / "whistle.yml")["providers"]
    compose = load_yaml(DEPLOY / "compose" / "compose.yaml")
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"../grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert "../grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
    (source,) = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert source["url"] == "http://prometheus:9090" and "prometheus" in compose["services"]
