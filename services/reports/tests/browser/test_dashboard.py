"""The dashboard in headless Chromium: rates, trend, breakdown, overdue list, hot issues and filters."""

from __future__ import annotations

import logging
import random
import shutil
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn

from reports.adapters.org_file import load_org
from reports.adapters.sqlite_repository import SqliteReportsRepository
from reports.bootstrap import Container
from reports.config import ReportsSettings
from reports.entrypoints.api import create_app
from reports.handlers import project_event
from reports.hotspot_job import to_envelope
from reports.metrics import ReportsMetrics

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[4]
ORG_FILE = ROOT / "deploy" / "demo" / "org.yaml"
SHOTS = ROOT / "var" / "screenshots" / "reports"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
PLACES = [("qc-jh-jh", "qc-jh-jh-hy", "g-jh-jh-hy-1", "u-jh-jh-hy-pm"),
          ("qc-jh-xh", "qc-jh-xh-xy", "g-jh-xh-xy-1", "u-g-jh-xh-xy-1"),
          ("qc-sl-sl", "qc-sl-sl-ms", "g-sl-sl-ms-2", "u-sl-sl-ms-pm"),
          ("qc-sl-dq", "qc-sl-dq-dq", "g-sl-dq-dq-1", "u-g-sl-dq-dq-1"),
          ("qc-wj-bh", "qc-wj-bh-hw", "g-wj-bh-hw-1", "u-wj-bh-hw-pm")]
KINDS = [("dispute", "leak"), ("dispute", "noise"), ("safety", "elevator"), ("safety", "fire"),
         ("livelihood", "sanitation"), ("livelihood", "parking")]


def demo_events(story) -> list:
    rng = random.Random(3)
    events = []
    for i in range(90):
        community, compound, grid, unit = rng.choice(PLACES)
        class_code, category = rng.choice(KINDS)
        start = NOW - timedelta(days=rng.uniform(0.2, 56))
        s = story(f"WS{i:04d}", community=community, compound=compound, grid=grid, class_code=class_code,
                  category=category, unit=unit, start=start)
        events += [s.routed(0), s.scheduled(0, response_in=60, resolution_in=60 * 24)]
        fate = rng.random()
        if fate < 0.15:
            if start < NOW - timedelta(days=1):
                events.append(s.breached("response", 60))
            continue
        events.append(s.transition("accepted", rng.uniform(5, 90)))
        if fate < 0.3:
            if start < NOW - timedelta(days=1):
                events.append(s.breached("resolution", 60 * 24))
            continue
        events.append(s.transition("resolved", rng.uniform(120, 60 * 40)))
        events.append(s.feedback(60 * 41, satisfied=rng.random() < 0.85))
        events.append(s.transition("closed", 60 * 42))
    return events


class Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # runs in a thread
        pass


@pytest.fixture
def dashboard_url(tmp_path, story):
    import asyncio
    settings = ReportsSettings(data_dir=tmp_path, org_file=ORG_FILE)
    org = load_org(ORG_FILE)
    repo = SqliteReportsRepository(settings.sqlite_path)
    spot = {"hotspot_id": "hs-1", "community_id": "qc-jh-jh", "community": "金湖社区", "place_id": "qc-jh-jh-hy",
            "place": "金湖花园", "kind": "term", "terms": ["电梯", "困人"], "request_ids": ["r1", "r2", "r3", "r4"],
            "score": 8.2, "detected_at": NOW.isoformat(), "window_start": (NOW - timedelta(days=7)).isoformat(),
            "window_end": NOW.isoformat()}

    async def fill() -> None:
        await repo.ensure_indexes()
        for env in demo_events(story):
            await project_event(repo, org, env)
        await repo.save_hotspots([spot], [to_envelope(spot, NOW)])

    app = create_app(settings, clock=lambda: NOW)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(fill())
    app.state.container = Container(settings, repo, org, None, ReportsMetrics(),  # type: ignore[arg-type]
                                    logging.getLogger("test"))
    thread = threading.Thread(target=lambda: loop.run_until_complete(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    loop.run_until_complete(repo.close())
    loop.close()


@pytest.fixture
def browser():
    if not CHROMIUM or not DRIVER:
        pytest.skip("chromium/chromedriver not installed (apt-get install -y chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1400,1800",
                "--lang=zh-CN"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def wait_ready(driver, timeout: float = 15.0) -> None:
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.body.dataset.ready") in ("1", "error"))
    assert driver.execute_script("return document.body.dataset.ready") == "1", driver.find_element(
        "id", "error").text


def test_the_dashboard_shows_rates_trend_breakdown_overdue_and_hot_issues(dashboard_url, browser):
    from selenium.webdriver.common.by import By
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.get(dashboard_url + "/dashboard")
    wait_ready(browser)
    kpi = browser.find_element(By.CSS_SELECTOR, '[data-kpi="响应率"] .value').text
    assert kpi.endswith("%") and 0 < float(kpi[:-1]) <= 100
    assert browser.find_element(By.CSS_SELECTOR, '[data-kpi="案件总数"] .value').text == "90"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#trend-chart polyline")) >= 3
    names = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#breakdown-table tr td:first-child")]
    assert set(names) == {"金湖街道", "松林街道", "望江街道"}
    assert len(browser.find_elements(By.CSS_SELECTOR, "#overdue-table tr")) > 1
    assert "电梯" in browser.find_element(By.ID, "hotspots").text
    browser.save_screenshot(str(SHOTS / "dashboard-overview.png"))

    from selenium.webdriver.support.ui import Select
    Select(browser.find_element(By.ID, "f-street")).select_by_visible_text("松林街道")
    browser.execute_script("document.body.dataset.ready = ''")
    browser.find_element(By.CSS_SELECTOR, "#filters button").click()
    wait_ready(browser)
    names = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#breakdown-table tr td:first-child")]
    assert set(names) <= {"松林社区", "东桥社区"} and names
    assert "street=qc-sl" in browser.find_element(By.ID, "export-xlsx").get_attribute("href")
    browser.save_screenshot(str(SHOTS / "dashboard-street.png"))


def test_a_bad_filter_is_shown_to_the_user(dashboard_url, browser):
    from selenium.webdriver.common.by import By
    browser.get(dashboard_url + "/dashboard")
    wait_ready(browser)
    browser.execute_script("document.getElementById('f-from').type='text';"
                           "document.getElementById('f-from').value='2026-99-01';"
                           "document.body.dataset.ready = ''")
    browser.find_element(By.CSS_SELECTOR, "#filters button").click()
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.body.dataset.ready") == "error")
    assert "from" in browser.find_element(By.ID, "error").text
