"""The harness's own pieces: percentiles, the HTTP client and pool, the open-loop schedule, the seeds."""

import asyncio
import random
from collections import Counter

from bench.district import scaled_org
from bench.loadgen import Run
from bench.payloads import ORG_FILE, compounds, whistle_bodies
from bench.rawhttp import Pool, encode_request
from bench.reports_seed import _placed, build_rows, org_index, synthetic_fact
from bench.stats import percentile, summary_ms
from reports.domain.rollups import MEASURES, rollup_delta


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([], 99) is None
    assert summary_ms([0.001, 0.002, 0.003])["max_ms"] == 3.0


async def _serve(counts: Counter) -> asyncio.AbstractServer:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counts["connections"] += 1
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            counts["requests"] += 1
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length")), 0)
            await reader.readexactly(length)
            status = b"201 Created" if head.startswith(b"POST") else b"200 OK"
            body = b'{"id": "r1"}'
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_the_pool_reuses_keep_alive_connections_and_reads_bodies():
    counts: Counter = Counter()
    server = await _serve(counts)
    port = server.sockets[0].getsockname()[1]
    pool = Pool("127.0.0.1", port, limit=4)
    for _ in range(5):
        conn = await pool.acquire()
        status, body, reusable = await conn.exchange(encode_request("GET", f"127.0.0.1:{port}", "/x"))
        pool.release(conn, reusable=reusable)
        assert (status, body) == (200, b'{"id": "r1"}')
    pool.close()
    server.close()
    assert counts == Counter(connections=1, requests=5)


async def test_an_open_loop_run_sends_every_request_and_times_it_from_its_scheduled_instant():
    counts: Counter = Counter()
    server = await _serve(counts)
    port = server.sockets[0].getsockname()[1]
    requests = [encode_request("POST", f"127.0.0.1:{port}", "/v1/requests", b"{}")] * 40
    run = Run(f"http://127.0.0.1:{port}/v1/requests", requests, rate=200, warmup_n=10, timeout_s=5,
              connections=8, extract="id")
    span = await run.run()
    report = run.report(span, records=True)
    server.close()
    assert counts["requests"] == 40
    assert report["sent"] == 30 and report["ok"] == 30 and report["errors"] == 0
    assert report["warmup_ok"] == 10
    assert [r[1:] for r in report["records"]] == [[201, "r1"]] * 30
    assert 0.15 <= span <= 1.0  # 40 requests at 200/s leave over 0.2 s


def test_the_fast_rollup_seed_equals_the_services_own_deltas():
    org = org_index(ORG_FILE)
    rows = build_rows(3000, org)
    rng, grids = random.Random(1), sorted(n for n, level in org.levels.items() if level == "grid")
    expected: dict = {}
    for i in range(3000):
        fact = _placed(synthetic_fact(i, rng, grids), org)
        for key, inc in rollup_delta(None, fact, org).items():
            expected.setdefault(key, Counter()).update(inc)
    got = {key: +Counter(dict(zip(MEASURES, vector.tolist(), strict=True))) for key, vector in rows.items()}
    assert got == {key: +c for key, c in expected.items()}


def test_the_scaled_district_copies_every_compound_with_its_own_ids(tmp_path):
    org = scaled_org(3)
    ids = [c["id"] for s in org["district"]["streets"] for cm in s["communities"] for c in cm["compounds"]]
    assert len(ids) == 3 * len(compounds()) and len(set(ids)) == len(ids)
    grids = [g["id"] for s in org["district"]["streets"] for cm in s["communities"] for c in cm["compounds"]
             for g in c.get("grids", [])]
    assert len(set(grids)) == len(grids)


def test_whistle_bodies_each_name_their_own_building():
    import json

    buildings = [json.loads(b)["location"]["building"] for b in whistle_bodies(50, offset=100)]
    assert len(set(buildings)) == 50
