"""Prometheus: scrape configurations and alert rules parse, pass promtool, and cover what operators watch."""

from __future__ import annotations

import subprocess

import pytest
from deploy_support import DEPLOY, PORTS, REPO, SERVICES, load_yaml, tool
from promql_check import structure_errors

PROM = DEPLOY / "prometheus"
RULES = PROM / "rules.yml"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    path = tool("promtool")
    if path is None:
        pytest.skip("promtool is not installed (apt-get install -y prometheus); the Python checks still ran")
    return subprocess.run([path, *args], capture_output=True, text=True, timeout=60, check=False)


def all_rules() -> list[dict]:
    return [rule for group in load_yaml(RULES)["groups"] for rule in group["rules"]]


def test_promtool_accepts_the_compose_scrape_config_and_the_rules():
    done = promtool("check", "config", str(PROM / "prometheus.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    done = promtool("check", "rules", str(RULES))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_alerts_fire_as_their_promtool_unit_tests_expect():
    done = promtool("test", "rules", str(REPO / "tests" / "deploy" / "promtool" / "rules_test.yml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_rejects_a_broken_rule(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(x[5m])\n",
                      encoding="utf-8")
    assert promtool("check", "rules", str(broken)).returncode != 0


def test_every_rule_is_well_formed():
    names = []
    for rule in all_rules():
        assert ("alert" in rule) != ("record" in rule)
        assert structure_errors(rule["expr"]) == [], rule
        if "alert" in rule:
            names.append(rule["alert"])
            assert rule["labels"]["severity"] in ("page", "ticket"), rule["alert"]
            assert rule["annotations"]["summary"].strip(), rule["alert"]
    assert len(names) == len(set(names))


def test_the_rules_cover_what_the_operations_guide_says_to_watch():
    exprs = {rule["alert"]: rule["expr"] for rule in all_rules() if "alert" in rule}
    expected = {
        "WhistleSLABreachRateHigh": "whistle:sla_breaches:rate1h",
        "WhistleOverdueBacklogHigh": "reports_cases_overdue",
        "WhistleDeadLetters": 'queue="whistle.dead-letter"',
        "WhistleConsumerLag": "rabbitmq_queue_messages_ready",
        "WhistleOutboxBacklog": "_outbox_pending",
        "WhistleHTTPErrorRate": 'status=~"5.."',
        "WhistleRouterEventErrors": 'outcome="error"',
        "WhistleServiceDown": 'up{job="whistle"} == 0',
    }
    for alert, fragment in expected.items():
        assert fragment in exprs[alert], alert
    guide = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    assert [a for a in exprs if a not in guide] == []


def test_the_compose_scrape_config_reaches_every_service_and_rabbitmq():
    config = load_yaml(PROM / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {t: group["labels"]["service"] for group in jobs["whistle"]["static_configs"] for t in group["targets"]}
    assert targets == {f"{name}:{PORTS[name]}": name for name in SERVICES}
    assert jobs["rabbitmq"]["static_configs"][0]["targets"] == ["rabbitmq:15692"]
    assert config["rule_files"] == ["rules.yml"]


def test_the_kubernetes_scrape_config_keeps_whistle_pods_and_labels_them_by_service():
    # The Debian promtool is built without Kubernetes discovery, so this file is checked here only.
    config = load_yaml(PROM / "prometheus-k8s.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"whistle", "rabbitmq"}
    relabel = jobs["whistle"]["relabel_configs"]
    assert {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], "regex": "true",
            "action": "keep"} in relabel
    assert any(r.get("target_label") == "service" for r in relabel)
    assert config["rule_files"] == ["rules.yml"]
    deployment = (DEPLOY / "k8s" / "base" / "intake" / "deployment.yaml").read_text(encoding="utf-8")
    assert 'prometheus.io/scrape: "true"' in deployment
