"""`make run` / `make demo`: start the four services, run the demo, print the summary (and keep serving)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo import run_demo
from processes import DEFAULT_PORTS, REPO, SERVICES, Platform


def port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def print_summary(result: dict[str, Any], urls: dict[str, str]) -> None:
    """The closing summary a person reads."""
    reports = result["reports"]
    print("\n==================== 吹哨 Whistle 演示结果 summary ====================")
    print(f"诉求 requests: submitted {result['submitted']}, accepted {result['accepted']}, "
          f"new cases {result['cases']}, merged into existing cases {result['merged']}")
    print("分级 tiers:     " + ", ".join(f"{k} {v}" for k, v in sorted(result["tiers"].items())))
    print("吹哨 whistles:  " + (", ".join(f"{k} {v}" for k, v in result["whistles"].most_common()) or "none"))
    print(f"计时 SLA timers running for {result['timers']} cases")
    if result["sla"]:
        print("时限 deadlines: " + ", ".join(f"{k} {v}" for k, v in sorted(result["sla"].items())))
    totals, figures = reports.get("totals", {}), reports.get("figures", {})
    print(f"报表 reports:   cases {totals.get('cases')}, open {totals.get('open')}, overdue {totals.get('overdue')}; "
          f"by status {reports.get('by_status')}")
    print(f"               by class {reports.get('by_class')}")
    communities = ", ".join(f"{c['name']} {c['cases']}" for c in reports.get("by_community", []))
    print(f"               by community {communities}")
    rates = {k: v for k, v in figures.items() if k.endswith("rate")}
    print(f"               rates {rates}")
    compound = result["first_compound"]
    print(f"\n二维码 QR code of {compound['name']}: {urls['intake']}/v1/compounds/{compound['id']}/qrcode.svg")
    print(f"H5 表单 form:   {urls['intake']}/h5/?compound={compound['id']}")
    for name in SERVICES:
        print(f"API docs {name:9}{urls[name]}/docs")
    print(f"看板 dashboard: {urls['reports']}/dashboard")


def main() -> int:
    """Start, demo, summarise; with --serve keep serving until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", action="store_true", help="keep serving after the summary (make run)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each stage")
    parser.add_argument("--clock-speed", type=float, default=None,
                        help="notifier clock speed (default: 1440, a day per minute, for make demo; 1 for make run)")
    parser.add_argument("--watch", type=float, default=45.0, help="seconds to watch the fast clock (make demo)")
    args = parser.parse_args()
    busy = [f"{n}:{p}" for n, p in DEFAULT_PORTS.items() if not port_free(p)]
    if busy:
        print(f"run: ports already in use ({', '.join(busy)}); is Whistle already running? Stop it first.")
        return 1
    rabbitmq_url = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    prefix = os.environ.get("WHISTLE_AMQP_PREFIX") or ("whistle" if args.serve else f"whistle-demo-{int(time.time())}")
    data_dir = Path(os.environ.get("WHISTLE_DATA_DIR") or REPO / ("var/data" if args.serve else f"var/{prefix}"))
    store = "MongoDB at MONGODB_URL" if os.environ.get("MONGODB_URL") else f"embedded SQLite under {data_dir}"
    print(f"run: starting intake, router, notifier, reports on 127.0.0.1:8000-8003 (store: {store}; "
          f"broker: {rabbitmq_url.split('@')[-1]}; exchange prefix: {prefix})")
    # The demo submits every resident request from one address; real residents come from many.
    speed = args.clock_speed if args.clock_speed is not None else (1.0 if args.serve else 1440.0)
    env = {"WHISTLE_AMQP_PREFIX": prefix, "WHISTLE_DEV_MODE": "true", "INTAKE_RATE_LIMIT_PER_IP": "10000",
           "NOTIFIER_CLOCK_SPEED": str(speed)}
    platform = Platform(data_dir=data_dir, env=env)
    urls = {name: platform.url(name) for name in SERVICES}
    try:
        platform.start()
        platform.wait_ready(timeout=90)
        print("run: all four services are ready")
        watch = args.watch if speed > 1 else 0.0
        result = asyncio.run(run_demo(urls, rabbitmq_url, f"{prefix}.events", timeout=args.timeout, fast_clock_s=watch))
        print_summary(result, urls)
        if args.serve:
            print("\nrun: serving — press Ctrl-C to stop all services")
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        print(f"\nrun: failed: {exc}", file=sys.stderr)
        return 1
    finally:
        print("run: stopping the services ...")
        platform.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
