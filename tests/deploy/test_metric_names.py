"""Every metric the alert rules and dashboards read is one the services expose (or one asked of them)."""

from __future__ import annotations

import json

from deploy_support import DEPLOY, SERVICES, exposed_metrics, load_yaml
from promql_check import metric_names

# Series the rules and dashboards already use but no service's metrics.py declares yet; docs/operations.md
# ("Metrics the services still owe") explains each. Remove an entry when its service starts exposing it.
PENDING = {
    "reports_sla_compliance_ratio": "reports: gauge of SLA compliance per street (label street)",
    "reports_cases_overdue": "reports: gauge of overdue open cases per street (label street)",
    "intake_outbox_pending": "intake: gauge of outbox entries not yet published",
    "reports_outbox_pending": "reports: gauge of outbox entries not yet published",
    **{f"{s}_http_requests_total": f"{s}: counter of HTTP requests by method, route, status" for s in SERVICES},
    **{f"{s}_http_request_duration_seconds_bucket": f"{s}: histogram of HTTP latency by route" for s in SERVICES},
}
# From the rabbitmq_prometheus plugin (per-object metrics on) and from Prometheus itself.
EXTERNAL = {
    "up", "scrape_duration_seconds",
    "rabbitmq_queue_messages", "rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked",
    "rabbitmq_queue_consumers", "rabbitmq_global_messages_received_total", "rabbitmq_global_messages_delivered_total",
    "rabbitmq_global_messages_redelivered_total", "rabbitmq_global_messages_dead_lettered_delivery_limit_total",
    "rabbitmq_global_messages_unroutable_dropped_total",
}


def referenced() -> dict[str, set[str]]:
    """Metric name -> where it is read (rule or dashboard panel)."""
    out: dict[str, set[str]] = {}
    for group in load_yaml(DEPLOY / "prometheus" / "rules.yml")["groups"]:
        for rule in group["rules"]:
            for name in metric_names(rule["expr"]):
                out.setdefault(name, set()).add(f"rule {rule.get('alert') or rule.get('record')}")
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                for name in metric_names(target["expr"]):
                    out.setdefault(name, set()).add(f"{path.name}: {panel['title']}")
    return out


def recorded() -> set[str]:
    groups = load_yaml(DEPLOY / "prometheus" / "rules.yml")["groups"]
    return {rule["record"] for group in groups for rule in group["rules"] if "record" in rule}


def test_every_service_declares_its_metrics_with_its_own_prefix():
    exposed = exposed_metrics()
    assert set(exposed) == set(SERVICES)
    for service, names in exposed.items():
        assert names and all(n.startswith(f"{service}_") for n in names), service


def test_rules_and_dashboards_read_only_metrics_that_exist_or_are_listed_as_owed():
    exposed = set().union(*exposed_metrics().values())
    known = exposed | set(PENDING) | EXTERNAL | recorded()
    unknown = {name: sorted(where) for name, where in referenced().items() if name not in known}
    assert unknown == {}


def test_the_dashboards_read_every_service_and_the_broker():
    names = set(referenced())
    for prefix in (*SERVICES, "rabbitmq"):
        assert any(n.startswith(f"{prefix}_") and n not in PENDING for n in names), prefix
