"""Schemathesis against every service's OpenAPI document (production mode, as a platform admin): a bounded
number of generated and of deliberately invalid requests per operation; no 5xx, answers conform to the schema."""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)
from sec_counts import COUNTS
from sec_platform import SERVICES, Platform

from servicekit.auth.roles import Role

pytestmark = pytest.mark.rabbitmq
# Examples per operation and mode; WHISTLE_FUZZ_EXAMPLES raises it for a longer run.
EXAMPLES = {GenerationMode.POSITIVE: int(os.environ.get("WHISTLE_FUZZ_EXAMPLES", "10")),
            GenerationMode.NEGATIVE: max(1, int(os.environ.get("WHISTLE_FUZZ_EXAMPLES", "10")) // 2)}
CHECKS = {GenerationMode.POSITIVE: [not_a_server_error, response_schema_conformance, content_type_conformance,
                                    response_headers_conformance],
          GenerationMode.NEGATIVE: [not_a_server_error]}
# Sign-in would spend an Argon2 verification per example; the table and explicit tests cover it.
SKIP = {("router", "POST", "/v1/auth/token")}


@pytest.mark.parametrize("service", SERVICES)
def test_fuzzed_requests_never_cause_a_server_error_or_break_the_schema(platform: Platform, service: str) -> None:
    base = platform.url(service)
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    headers = platform.headers(Role.PLATFORM_ADMIN)
    failures: list[str] = []
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (service, operation.method.upper(), operation.path) in SKIP:
            continue
        for mode, examples in EXAMPLES.items():
            if mode is GenerationMode.NEGATIVE and not _has_inputs(operation):
                continue  # only string path parameters: nothing can be made invalid
            count += _fuzz(operation, mode, examples, base, headers, failures)
    COUNTS["fuzz"][service] = count
    assert not failures, json.dumps(failures[:20], ensure_ascii=False, indent=1)


def _has_inputs(operation) -> bool:  # type: ignore[no-untyped-def]
    """True when the operation takes a body or query parameters (what invalid data is made of here)."""
    locations = {str(getattr(p, "location", "")).rsplit(".", 1)[-1].lower() for p in operation.iter_parameters()}
    return bool(operation.get_request_payload_content_types()) or "query" in locations


def _fuzz(operation, mode, examples, base, headers, failures) -> int:  # type: ignore[no-untyped-def]
    calls = [0]

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        calls[0] += 1
        response = case.call(base_url=base, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS[mode])
        except (Exception, FailureGroup) as exc:  # collected, not raised: one report per operation and mode
            label = f"{operation.label} [{mode.value}]"
            if not any(f.startswith(label) for f in failures):
                failures.append(f"{label}: {str(exc)[:700]}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
        pass
    return calls[0]
