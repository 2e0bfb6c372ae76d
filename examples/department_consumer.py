"""A department system's consumer: receive whistles (吹哨) from its own queue and reply over AMQP.

Run (needs only `aio-pika`):

    python examples/department_consumer.py --dept huanwei \
        --url amqp://whistle-dept-huanwei:PASSWORD@127.0.0.1:5672/

Every `whistle.issued.v1` on `<prefix>.whistle.<dept>` is printed and answered with
`dept.case.accepted.v1` (报到). Replies are published persistently with publisher confirms; the
whistle is acknowledged only after the reply was confirmed, so nothing is lost if this process dies.
The contract is in docs/departments.md and docs/asyncapi.yaml.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from datetime import UTC, datetime

import aio_pika


def reply_envelope(whistle: dict, dept: str, kind: str, note: str) -> dict:
    """A CloudEvents envelope with a dept.case.<kind>.v1 payload answering the whistle."""
    now = datetime.now(UTC).isoformat()
    case_id = whistle["data"]["case_id"]
    return {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": f"/departments/{dept}",
        "type": f"dept.case.{kind}.v1", "time": now, "subject": case_id,
        "datacontenttype": "application/json",
        "correlationid": whistle.get("correlationid") or whistle["id"], "causationid": whistle["id"],
        "data": {"case_id": case_id, "dept_code": dept, "note": note, "handler": "值班员", "occurred_at": now},
    }


async def run(url: str, dept: str, prefix: str, once: bool, kind: str, note: str) -> int:
    """Consume whistles until interrupted (or after the first one with --once)."""
    connection = await aio_pika.connect_robust(url)
    handled = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=10)
        queue = await channel.declare_queue(f"{prefix}.whistle.{dept}", passive=True)
        exchange = await channel.get_exchange(f"{prefix}.events", ensure=False)
        async with queue.iterator() as messages:
            async for message in messages:
                whistle = json.loads(message.body)
                data = whistle["data"]
                print(json.dumps({"received": whistle["type"], "case_id": data["case_id"], "tier": data["tier"],
                                  "summary": data["summary"][:60], "contact": data.get("contact")},
                                 ensure_ascii=False), flush=True)
                reply = reply_envelope(whistle, dept, kind, note)
                await exchange.publish(
                    aio_pika.Message(json.dumps(reply, ensure_ascii=False).encode(), message_id=reply["id"],
                                     content_type="application/json",
                                     delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=reply["type"])
                await message.ack()
                print(json.dumps({"replied": reply["type"], "case_id": data["case_id"]}), flush=True)
                handled += 1
                if once:
                    break
    return handled


def main() -> None:
    """Parse arguments and consume."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="amqp://<user>:<password>@host:5672/")
    parser.add_argument("--dept", required=True, help="department code, e.g. huanwei")
    parser.add_argument("--prefix", default="whistle", help="the platform's AMQP prefix")
    parser.add_argument("--reply", default="accepted", choices=["accepted", "progress", "resolved", "returned"])
    parser.add_argument("--note", default="已收到，正在安排人员处理")
    parser.add_argument("--once", action="store_true", help="exit after the first whistle")
    args = parser.parse_args()
    asyncio.run(run(args.url, args.dept, args.prefix, args.once, args.reply, args.note))


if __name__ == "__main__":
    main()
