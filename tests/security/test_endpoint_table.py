"""Every endpoint of every service against every caller (anonymous, forged, expired, each role inside and
outside the target's subtree): allowed or denied as the table says; a new endpoint without a row fails."""

from __future__ import annotations

import json

import httpx
import pytest
from sec_counts import COUNTS
from sec_platform import SERVICES, Platform
from sec_rules import RULES
from sec_seed import Targets
from sec_table import app_routes, callers, expected

pytestmark = pytest.mark.rabbitmq


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_of_the_app_has_a_row_in_the_table(platform: Platform, service: str) -> None:
    declared = {rule.key for rule in RULES[service]}
    actual = app_routes(platform.app(service))
    assert not actual - declared, f"{service}: endpoints without a row in tests/security/sec_rules.py"
    assert not declared - actual, f"{service}: rows for endpoints the app does not have"


@pytest.mark.parametrize("service", SERVICES)
def test_every_endpoint_allows_and_denies_every_caller_as_the_table_says(
        platform: Platform, targets: Targets, service: str) -> None:
    failures: list[str] = []
    checks = 0
    with httpx.Client(base_url=platform.url(service), timeout=30) as client:
        for rule in RULES[service]:
            for caller in callers(platform, targets, rule.outside):
                request = rule.request(targets, caller)
                method = request.pop("method", rule.method)
                headers = {**request.pop("headers", {}), **caller.headers}
                answer = client.request(method, request.pop("path"), headers=headers, **request)
                want = expected(rule, caller)
                checks += 1
                if answer.status_code not in want.statuses:
                    failures.append(f"{rule.method} {rule.route} as {caller.name}: {answer.status_code} "
                                    f"(want {sorted(want.statuses)}) {answer.text[:160]}")
                elif want.reached is not None and rule.reached is not None and \
                        rule.reached(answer.json(), targets) is not want.reached:
                    failures.append(f"{rule.method} {rule.route} as {caller.name}: target "
                                    f"{'missing' if want.reached else 'visible outside the scope'}")
    COUNTS["endpoints"][service], COUNTS["checks"][service] = len(RULES[service]), checks
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)
