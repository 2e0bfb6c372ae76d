"""The table's rows: every endpoint of every service, with its kind, roles and a request against the targets."""

from __future__ import annotations

import uuid
from typing import Any

from sec_platform import OPEN311_KEY
from sec_seed import Targets
from sec_table import Caller, Kind, Rule

from servicekit.auth.roles import ADMINS, ALL_ROLES, DEPARTMENTS, OPERATORS, STAFF, SUPERVISORS, Role

OK = frozenset({200})
ACTED = frozenset({200, 409})  # a state change, or a conflict once an earlier caller changed the state
REGISTRARS = tuple(r for r in STAFF if r is not Role.GRID_WORKER)
ACTOR = {"actor_id": "sec-actor", "actor_name": "安全测试"}
NEIGHBOUR_GRID = {Role.GRID_WORKER: "g-jh-xh-xy-1"}  # community-level records: a grid in another community


def get(path: str, **params: Any):  # type: ignore[no-untyped-def]
    """A GET with fixed query parameters; `{…}` in path and params are filled from the targets."""
    def build(t: Targets, _c: Caller) -> dict[str, Any]:
        values = vars(t)
        return {"path": path.format(**values), "params": {k: str(v).format(**values) for k, v in params.items()}}
    return build


def send(method_path: str, body: Any = None, **extra: Any):  # type: ignore[no-untyped-def]
    """A request with a JSON body (callables get the targets)."""
    def build(t: Targets, c: Caller) -> dict[str, Any]:
        payload = body(t, c) if callable(body) else body
        return {"path": method_path.format(**vars(t)), "json": payload, **extra}
    return build


def ops(service: str) -> list[Rule]:
    """Health, readiness, metrics and the API documents: public on every service."""
    paths = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
    rules = [Rule(service, "GET", p, Kind.PUBLIC, get(p), ok=frozenset({200, 503})) for p in paths]
    rules.append(Rule(service, "GET", "/v1/audit", Kind.ROLES, get("/v1/audit"), roles=OPERATORS))
    return rules


def router_rules() -> list[Rule]:
    """The router: cases, staff actions, triage, departments, admin, sign-in."""
    r = "router"
    return [*ops(r),
        Rule(r, "POST", "/v1/auth/token", Kind.PUBLIC, lambda t, c: {"path": "/v1/auth/token",
             "data": {"grant_type": "password"}}, ok=frozenset({400})),
        Rule(r, "GET", "/.well-known/jwks.json", Kind.PUBLIC, get("/.well-known/jwks.json")),
        Rule(r, "GET", "/v1/auth/me", Kind.ROLES, get("/v1/auth/me"), roles=ALL_ROLES),
        Rule(r, "GET", "/v1/cases/{case_id}", Kind.SCOPED, get("/v1/cases/{case_id}"), roles=(*STAFF, *DEPARTMENTS)),
        Rule(r, "GET", "/v1/cases", Kind.FILTERED, get("/v1/cases", limit=500), roles=STAFF,
             reached=lambda body, t: any(c["case_id"] == t.case_id for c in body)),
        Rule(r, "GET", "/v1/units/{unit_id}/cases", Kind.SCOPED, get("/v1/units/u-g-jh-jh-hy-1/cases"), roles=STAFF),
        Rule(r, "GET", "/v1/triage", Kind.FILTERED, get("/v1/triage"), roles=SUPERVISORS,
             reached=lambda body, t: any(c["case_id"] == t.triage_case_id for c in body)),
        Rule(r, "GET", "/v1/triage/decisions.csv", Kind.ROLES, get("/v1/triage/decisions.csv"), roles=OPERATORS),
        Rule(r, "GET", "/v1/departments/cases", Kind.FILTERED, get("/v1/departments/cases"), roles=DEPARTMENTS,
             reached=lambda body, t: any(c["case_id"] == t.case_id for c in body)),
        Rule(r, "GET", "/v1/admin/directory", Kind.ROLES, get("/v1/admin/directory"), roles=OPERATORS),
        Rule(r, "GET", "/v1/admin/units", Kind.ROLES, get("/v1/admin/units"), roles=OPERATORS),
        *[Rule(r, "POST", f"/v1/cases/{{case_id}}/{action}", Kind.SCOPED,
               send(f"/v1/cases/{{case_id}}/{action}", body), roles=STAFF, ok=ACTED)
          for action, body in (("accept", ACTOR), ("progress", {**ACTOR, "note": "已到现场"}),
                               ("escalate", ACTOR), ("hand-back", {**ACTOR, "reason": "非本网格"}))],
        Rule(r, "POST", "/v1/cases/{case_id}/reassign", Kind.SCOPED,
             send("/v1/cases/{case_id}/reassign", {**ACTOR, "unit_ids": ["u-jh-jh-cadre1"]}), roles=SUPERVISORS,
             ok=ACTED),
        Rule(r, "POST", "/v1/departments/cases/{case_id}/{reply}", Kind.SCOPED,
             send("/v1/departments/cases/{case_id}/progress", {"note": "已派员"}), roles=DEPARTMENTS, ok=ACTED),
        Rule(r, "POST", "/v1/triage/{case_id}", Kind.SCOPED, send("/v1/triage/{triage_case_id}", {
             "actor_id": "sec-actor", "class_code": "dispute", "sub_category": "neighbour"}), roles=SUPERVISORS,
             ok=ACTED),
        Rule(r, "POST", "/v1/cases/{case_id}/resolve", Kind.SCOPED,
             send("/v1/cases/{case_id}/resolve", {**ACTOR, "resolution": "已清理"}), roles=STAFF, ok=ACTED),
        Rule(r, "POST", "/v1/admin/reload", Kind.ROLES, send("/v1/admin/reload"), roles=ADMINS),
        Rule(r, "PUT", "/v1/admin/organisation", Kind.ROLES, lambda t, c: {
             "path": "/v1/admin/organisation", "content": _org_text(), "headers": {"Content-Type": "text/plain"}},
             roles=ADMINS),
        Rule(r, "PUT", "/v1/admin/rules", Kind.ROLES, lambda t, c: {
             "path": "/v1/admin/rules", "content": b"classes: {}", "headers": {"Content-Type": "text/plain"}},
             roles=ADMINS, ok=frozenset({409})),
    ]


def _org_text() -> bytes:
    from sec_platform import ORG_FILE

    return ORG_FILE.read_bytes()


def hotline_csv(t: Targets, c: Caller) -> dict[str, Any]:
    """One 12345 order for the fire compound with a fresh order number."""
    text = f"order_no,compound_id,text,building\nSEC-{uuid.uuid4().hex[:10]},qc-jh-jh-hy,东门路灯不亮,2\n"
    return {"path": "/v1/imports/hotline", "content": text.encode(), "headers": {"Content-Type": "text/csv"}}


def intake_rules() -> list[Rule]:
    """Intake: the resident API (access token), staff endpoints (bearer), compounds, photos, Open311, H5."""
    i = "intake"
    staff_body = {"compound_id": "qc-jh-jh-hy", "text": "工作人员代录：1号楼门禁损坏", "channel": "staff_proxy",
                  "location": {"building": "1"}}
    o311 = {"api_key": OPEN311_KEY}
    return [*ops(i),
        Rule(i, "POST", "/v1/requests", Kind.SCOPED, send("/v1/requests", staff_body), roles=STAFF,
             ok=frozenset({201}), anonymous=403),  # a resident may not use the staff channel
        Rule(i, "GET", "/v1/requests/{request_id}", Kind.RESIDENT, get("/v1/requests/{request_id}")),
        Rule(i, "POST", "/v1/requests/{request_id}/feedback", Kind.RESIDENT,
             send("/v1/requests/{request_id}/feedback", {"satisfied": True})),
        Rule(i, "POST", "/v1/requests/{request_id}/cancel", Kind.RESIDENT, send("/v1/requests/{request_id}/cancel")),
        Rule(i, "POST", "/v1/imports/hotline", Kind.FILTERED, hotline_csv, roles=SUPERVISORS,
             reached=lambda body, t: body["imported"] == 1),
        Rule(i, "GET", "/v1/staff/requests/{request_id}", Kind.SCOPED, get("/v1/staff/requests/{request_id}"),
             roles=STAFF),
        Rule(i, "GET", "/v1/requests/{request_id}/photos/{photo_id}", Kind.SCOPED,
             get("/v1/requests/{request_id}/photos/{photo_id}"), roles=STAFF, anonymous=403),
        Rule(i, "POST", "/v1/photos", Kind.ROLES, lambda t, c: {"path": "/v1/photos", "files": {
             "file": ("p.png", __import__("sec_seed").png(), "image/png")}}, roles=STAFF, ok=frozenset({201}),
             anonymous=201),
        *[Rule(i, "GET", path, Kind.PUBLIC, get(path.replace("{compound_id}", "qc-jh-jh-hy")), ok=ok)
          for path, ok in (("/v1/categories", OK), ("/v1/compounds", OK), ("/v1/compounds/{compound_id}", OK),
                           ("/v1/compounds/{compound_id}/qrcode.svg", OK), ("/v1/compounds/{compound_id}/qrcode.png", OK),
                           ("/v1/compounds/{compound_id}/poster.pdf", frozenset({200, 503})))],
        Rule(i, "GET", "/h5/c/{token}", Kind.PUBLIC, get("/h5/c/{compound_token}")),
        Rule(i, "MOUNT", "/h5", Kind.PUBLIC, lambda t, c: {"path": "/h5/track.html", "method": "GET"}),
        Rule(i, "GET", "/open311/v2/discovery.{fmt}", Kind.PUBLIC, get("/open311/v2/discovery.json")),
        Rule(i, "GET", "/open311/v2/services.{fmt}", Kind.PUBLIC, get("/open311/v2/services.json")),
        Rule(i, "GET", "/open311/v2/services/{code}.{fmt}", Kind.PUBLIC, get("/open311/v2/services/fire.json")),
        Rule(i, "POST", "/open311/v2/requests.{fmt}", Kind.PUBLIC, lambda t, c: {
             "path": "/open311/v2/requests.json", "data": {**o311, "service_code": "fire", "description": "楼道堆物", "address_string": "金湖花园2号楼",
                                                           "attribute[compound]": "qc-jh-jh-hy"}},
             ok=frozenset({201})),
        Rule(i, "GET", "/open311/v2/requests.{fmt}", Kind.PUBLIC, get("/open311/v2/requests.json", **o311)),
        Rule(i, "GET", "/open311/v2/requests/{request_id}.{fmt}", Kind.PUBLIC,
             get("/open311/v2/requests/{request_id}.json", **o311)),
        Rule(i, "GET", "/open311/v2/tokens/{token}.{fmt}", Kind.PUBLIC,
             get("/open311/v2/tokens/{tracking_code}.json", **o311)),
    ]


def notifier_rules() -> list[Rule]:
    """The notifier: a case's timers and notifications, subscriptions, asset registers."""
    n = "notifier"
    register = "asset_id,kind,title,community_id,last_done,unit_ids\nSEC-EL-1,elevator_inspection,2号楼电梯年检," \
               "qc-jh-jh,2026-01-15,u-g-jh-jh-hy-1\n"
    return [*ops(n),
        Rule(n, "GET", "/v1/timers", Kind.SCOPED, get("/v1/timers", case_id="{case_id}"), roles=STAFF),
        Rule(n, "GET", "/v1/notifications", Kind.SCOPED, get("/v1/notifications", case_id="{case_id}"), roles=STAFF),
        Rule(n, "POST", "/v1/subscriptions", Kind.SCOPED, send("/v1/subscriptions", lambda t, c: {
             "case_id": t.case_id, "channel": "sms", "address": "13700000000"}), roles=STAFF, ok=frozenset({201})),
        Rule(n, "POST", "/v1/assets/import", Kind.SCOPED, lambda t, c: {
             "path": "/v1/assets/import", "content": register.encode(), "headers": {"Content-Type": "text/csv"}},
             roles=REGISTRARS),
        Rule(n, "POST", "/v1/assets/{asset_id}/done", Kind.SCOPED,
             send("/v1/assets/{asset_id}/done", {"done_on": "2026-02-01"}), roles=STAFF),
        Rule(n, "GET", "/v1/assets/{asset_id}", Kind.SCOPED, get("/v1/assets/{asset_id}"), roles=STAFF),
    ]


def reports_rules() -> list[Rule]:
    """Reports: every figure and export filtered to the fire case's grid; hot issues; the filter list."""
    p = "reports"
    grid = {"grid": "g-jh-jh-hy-1"}
    return [*ops(p),
        Rule(p, "GET", "/v1/reports/summary", Kind.SCOPED, get("/v1/reports/summary", **grid), roles=STAFF),
        Rule(p, "GET", "/v1/reports/breakdown", Kind.SCOPED, get("/v1/reports/breakdown", by="unit", **grid),
             roles=STAFF),
        Rule(p, "GET", "/v1/reports/trend", Kind.SCOPED, get("/v1/reports/trend", **grid), roles=STAFF),
        Rule(p, "GET", "/v1/reports/top-categories", Kind.SCOPED, get("/v1/reports/top-categories", **grid),
             roles=STAFF),
        Rule(p, "GET", "/v1/reports/overdue", Kind.SCOPED, get("/v1/reports/overdue", **grid), roles=STAFF),
        Rule(p, "GET", "/v1/reports/query", Kind.SCOPED, get("/v1/reports/query", format="csv", **grid), roles=STAFF),
        Rule(p, "GET", "/v1/reports/hotspots", Kind.FILTERED, get("/v1/reports/hotspots"), roles=STAFF,
             reached=lambda body, t: any(r["community_id"] == "qc-jh-jh" for r in body["rows"]),
             outside=NEIGHBOUR_GRID),
        Rule(p, "GET", "/v1/reports/org", Kind.FILTERED, get("/v1/reports/org"), roles=STAFF,
             reached=lambda body, t: any(c["id"] == "qc-jh-jh" for c in body["communities"]),
             outside=NEIGHBOUR_GRID),
        Rule(p, "GET", "/dashboard", Kind.PUBLIC, get("/dashboard")),
        Rule(p, "GET", "/dashboard/assets/{name}", Kind.PUBLIC, get("/dashboard/assets/dashboard.js")),
    ]


RULES: dict[str, list[Rule]] = {"router": router_rules(), "intake": intake_rules(), "notifier": notifier_rules(),
                                "reports": reports_rules()}
