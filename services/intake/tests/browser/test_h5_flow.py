"""The H5 flow in headless Chromium: QR target → form → tracking code → status → rating, with screenshots."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aio_pika
import httpx
import pytest
import uvicorn
from PIL import Image

from contracts.envelope import new_event
from contracts.events.cases import CaseResolved, CaseRouted
from contracts.events.common import Actor, CategoryRef, Place, UnitRef
from intake.config import IntakeSettings
from intake.entrypoints.api import create_app

pytestmark = [pytest.mark.browser, pytest.mark.rabbitmq]
REPO = Path(__file__).resolve().parents[4]
OUTPUT = REPO / "tests" / "output" / "intake"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=375,812")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path, rabbitmq_url, record_store) -> Iterator[IntakeSettings]:
    """intake served by uvicorn in a thread on a free port (real broker, unique prefix)."""
    record_store("sqlite")
    port = free_port()
    settings = IntakeSettings(data_dir=tmp_path, rabbitmq_url=rabbitmq_url, port=port,
                              amqp_prefix=f"t-{uuid.uuid4().hex[:8]}", org_file=REPO / "deploy/demo/org.yaml",
                              mongodb_url=None, outbox_poll_s=0.1)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None,
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "intake did not start"
        time.sleep(0.05)
    yield settings
    server.should_exit = True
    thread.join(timeout=20)
    asyncio.run(_delete_topology(rabbitmq_url, settings))


async def _delete_topology(url: str, settings: IntakeSettings) -> None:
    topo = settings.topology
    conn = await aio_pika.connect(url)
    async with conn:
        ch = await conn.channel()
        for purpose in topo.queues:
            await ch.queue_delete(topo.queue_name(purpose))
        await ch.queue_delete(topo.dead_letter_queue)
        await ch.exchange_delete(topo.events_exchange)
        await ch.exchange_delete(topo.dead_letter_exchange)


@pytest.fixture
def browser():
    if not CHROMIUM or not DRIVER:
        pytest.skip("chromium/chromedriver not installed (apt-get install -y chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_window_size(375, 812)
    yield driver
    driver.quit()


def shot(driver, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


async def _resolve(settings: IntakeSettings, request_id: str) -> None:
    now = datetime.now(UTC)
    routed = CaseRouted(case_id="case-b1", request_ids=[request_id], place=Place(community_id="qc-jh-jh"),
                        category=CategoryRef(class_code="safety", sub_category="fire"), classified_by="resident",
                        tier=1, units=[UnitRef(unit_id="u1", kind="property", name="金湖物业服务有限公司")],
                        sla_policy="safety", routed_at=now)
    resolved = CaseResolved(case_id="case-b1", community_id="qc-jh-jh", from_status="accepted", status="resolved",
                            tier=1, actor=Actor(kind="staff", id="u1"), occurred_at=now,
                            resolution="物业已清理楼道杂物，消防通道恢复畅通")
    conn = await aio_pika.connect(settings.rabbitmq_url)
    async with conn:
        ch = await conn.channel()
        exchange = await ch.get_exchange(settings.topology.events_exchange)
        for data in (routed, resolved):
            env = new_event(data, source="/whistle/router", subject="case-b1")
            await exchange.publish(aio_pika.Message(env.model_dump_json().encode()), routing_key=env.type)


def wait_until(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_a_resident_scans_submits_follows_and_rates_on_a_375px_phone(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base = server.base_url()
    form_url = httpx.get(f"{base}/v1/compounds/qc-jh-jh-hy").json()["form_url"]
    d = browser
    d.get(f"{base}/h5/?compound=qc-jh-jh-hy")                          # step 1: the plain link forwards …
    wait_until(lambda: d.current_url == form_url)                      # … to the QR target, the signed form
    wait_until(lambda: len(d.find_elements(By.CSS_SELECTOR, "#class_code option")) > 1)
    assert "金湖花园" in d.find_element(By.ID, "compound-name").text
    assert d.execute_script("return document.documentElement.scrollWidth") <= 375
    shot(d, "01-form")
    d.find_element(By.ID, "submit").click()                            # step 2: empty submit → error by the field
    error = d.find_element(By.CSS_SELECTOR, '[data-error-for="text"]')
    assert error.text == "请填写诉求内容"
    assert d.find_element(By.ID, "text").get_attribute("aria-invalid") == "true"
    shot(d, "02-form-error")
    Select(d.find_element(By.ID, "class_code")).select_by_value("safety")     # step 3: fill in
    Select(d.find_element(By.ID, "sub_category")).select_by_value("fire")
    d.find_element(By.ID, "text").send_keys("3号楼2单元楼道里堆满纸箱和旧家具，消防通道被堵住了。")
    d.find_element(By.ID, "building").send_keys("3")
    d.find_element(By.ID, "unit").send_keys("2")
    photo = tmp_path / "楼道.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buf, format="JPEG")
    photo.write_bytes(buf.getvalue())
    d.find_element(By.ID, "photos").send_keys(str(photo))
    wait_until(lambda: len(d.find_elements(By.CSS_SELECTOR, "#thumbs img")) == 1)
    d.find_element(By.ID, "name").send_keys("王女士")
    d.find_element(By.ID, "phone").send_keys("13812341234")
    shot(d, "03-form-filled")
    d.find_element(By.ID, "submit").click()                            # step 4: submit → tracking page
    wait_until(lambda: "track.html" in d.current_url)
    wait_until(lambda: d.find_element(By.ID, "tracking-code").text != "")
    code = d.find_element(By.ID, "tracking-code").text
    assert re.fullmatch(r"WS-\d{8}-000001", code)
    shot(d, "04-tracking-code")
    d.find_element(By.ID, "status-link").click()                       # step 5: status page
    wait_until(lambda: d.find_element(By.ID, "status").text == "已受理")
    assert "已受理" in d.find_element(By.ID, "timeline").text
    assert code[3:7] + "-" + code[7:9] + "-" + code[9:11] in d.find_element(By.ID, "timeline").text  # civil date
    shot(d, "05-status-submitted")
    found = re.search(r"id=([^&]+)", d.current_url)
    assert found is not None
    request_id = found.group(1)
    asyncio.run(_resolve(server, request_id))                          # step 6: the case is resolved
    def resolved() -> bool:
        d.find_element(By.ID, "refresh").click()
        time.sleep(0.2)
        return d.find_element(By.ID, "status").text == "已办结"
    wait_until(resolved)
    assert "金湖物业服务有限公司" in d.find_element(By.ID, "unit").text
    assert "物业已清理楼道杂物" in d.find_element(By.ID, "timeline").text
    shot(d, "06-status-resolved")
    d.find_element(By.ID, "rate-link").click()                         # step 7: rate
    wait_until(lambda: "rate.html" in d.current_url)
    d.find_element(By.ID, "rate-submit").click()
    assert d.find_element(By.CSS_SELECTOR, '[data-error-for="satisfied"]').text == "请选择满意或不满意"
    d.find_element(By.ID, "satisfied-yes").click()
    Select(d.find_element(By.ID, "rating")).select_by_value("5")
    d.find_element(By.ID, "comment").send_keys("处理很及时，谢谢！")
    d.find_element(By.ID, "rate-submit").click()
    wait_until(lambda: d.find_element(By.ID, "thanks").is_displayed())
    shot(d, "07-rated")
    d.get(form_url[:-4] + "abcd")                                      # step 8: a forged QR target
    assert "二维码无效" in d.find_element(By.ID, "token-error").text
    assert not d.find_elements(By.ID, "request-form")
    shot(d, "08-forged-token")
    assert len(list(OUTPUT.glob("0*.png"))) >= 8
