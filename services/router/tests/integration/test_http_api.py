"""The HTTP API on a running router: triage, staff actions with their rejections, admin reload and upload."""

from __future__ import annotations

import asyncio
import shutil

import httpx
import pytest

from ..conftest import ORG_FILE
from .broker_helpers import delete_topology, make_settings, running
from .test_routing_over_rabbitmq import ALL_DEPTS, publish

pytestmark = pytest.mark.rabbitmq


async def test_triage_staff_actions_and_admin_reload(tmp_path, rabbitmq_url, submitted):
    org_file = tmp_path / "org.yaml"
    shutil.copy(ORG_FILE, org_file)
    settings = make_settings(tmp_path, rabbitmq_url, org_file=org_file, admin_api_key="staff-key")
    staff = {"X-API-Key": "staff-key"}
    try:
        async with running(settings) as app:
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router", headers=staff)
            async with client:
                await publish(rabbitmq_url, settings, submitted("我们这栋楼的情况大家都知道，希望社区领导来看看"))
                queue: list = []

                async def poll() -> None:
                    queue[:] = (await client.get("/v1/triage")).json()

                for _ in range(200):
                    await poll()
                    if queue:
                        break
                    await asyncio.sleep(0.05)
                case_id = queue[0]["case_id"]
                assert (await client.get("/v1/triage", headers={"X-API-Key": "wrong"})).status_code == 401
                bad = await client.post(f"/v1/triage/{case_id}", json={"actor_id": "op", "class_code": "weather"})
                assert bad.status_code == 422 and "class_code" in bad.text
                decided = await client.post(f"/v1/triage/{case_id}", json={
                    "actor_id": "op", "class_code": "dispute", "sub_category": "neighbour"})
                assert decided.status_code == 200 and decided.json()["status"] == "assigned"
                assert (await client.get("/v1/triage")).json() == []
                csv_rows = (await client.get("/v1/triage/decisions.csv")).text.splitlines()
                assert csv_rows[0] == "title,body,label" and csv_rows[1].endswith(",矛盾纠纷/邻里纠纷")

                worker = decided.json()["units"][0]["unit_id"]
                mine = (await client.get(f"/v1/units/{worker}/cases")).json()
                assert [c["case_id"] for c in mine] == [case_id]
                actor = {"actor_id": worker, "actor_name": "陈刚"}
                too_early = await client.post(f"/v1/cases/{case_id}/resolve", json={**actor, "resolution": ""})
                assert too_early.status_code == 422
                ok = await client.post(f"/v1/cases/{case_id}/accept", json=actor)
                again = await client.post(f"/v1/cases/{case_id}/accept", json=actor)
                assert ok.status_code == 200 and again.status_code == 409 and "cannot accept" in again.json()["detail"]
                note = {**actor, "note": "已上门了解情况", "photo_refs": ["photo://1.jpg"]}
                assert (await client.post(f"/v1/cases/{case_id}/progress", json=note)).json()["status"] == "in_progress"
                moved = await client.post(f"/v1/cases/{case_id}/reassign", json={**actor, "unit_ids": ["u-none"]})
                assert moved.status_code == 422
                done = await client.post(f"/v1/cases/{case_id}/resolve", json={**actor, "resolution": "已调解"})
                assert done.json()["status"] == "resolved"
                assert [h["to"] for h in done.json()["history"]] == [
                    "triage", "assigned", "accepted", "in_progress", "resolved"]

                org_file.write_text(org_file.read_text(encoding="utf-8").replace("          name: 金湖社区\n", ""),
                                    encoding="utf-8")
                broken = await client.post("/v1/admin/reload")
                assert broken.status_code == 422
                errors = [d["msg"] for d in broken.json()["detail"]]
                assert any(e.startswith(f"{org_file}:") and "communities.0.name: Field required" in e for e in errors)
                assert (await client.get("/v1/admin/directory")).json()["communities"] == 5
                upload = ORG_FILE.read_text(encoding="utf-8").replace("name: 金湖社区", "name: 金湖新社区")
                put = await client.put("/v1/admin/organisation", content=upload.encode(),
                                       headers={"Content-Type": "text/plain"})
                assert put.status_code == 200 and "金湖新社区" in org_file.read_text(encoding="utf-8")
                rules = await client.put("/v1/admin/rules", content=b"classes: {}",
                                         headers={"Content-Type": "text/plain"})
                assert rules.status_code == 409  # packaged defaults are read-only
    finally:
        await delete_topology(rabbitmq_url, settings, ALL_DEPTS)
