"""Small helpers of the hostile-input and message tests: a client per service and a freshly routed case."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sec_platform import Platform
from sec_seed import eventually

from servicekit.auth.roles import Role


def client(p: Platform, service: str, role: Role | None = Role.PLATFORM_ADMIN, node: str | None = None,
           **kw: Any) -> httpx.Client:
    """A client of one service, signed in as `role` (None: anonymous)."""
    headers = p.headers(role, node, **kw) if role is not None else {}
    return httpx.Client(base_url=p.url(service), headers=headers, timeout=60)


def fresh_case(p: Platform, text: str = "3号楼电梯坏了，老人上下楼很困难", building: str = "3") -> dict[str, Any]:
    """Submit a request as a resident in 金湖花园 and wait until the router has routed it."""
    body = {"compound_id": "qc-jh-jh-hy", "text": f"{text}（{uuid.uuid4().hex[:6]}）", "location": {"building": building}}
    with client(p, "intake", None) as intake, client(p, "router") as router:
        submitted = intake.post("/v1/requests", json=body).json()

        def routed() -> Any:
            cases = router.get("/v1/cases", params={"community_id": "qc-jh-jh", "limit": 500}).json()
            return next((c for c in cases if submitted["id"] in c["request_ids"]), None)

        return {**eventually(routed, "the fresh case routed"), "request": submitted}
