"""Request bodies for the load: residents' messages written for the benchmark, spread over the demo district.

`whistle_bodies` are problems the routing rules send to a city department (so every accepted request
ends in a whistle a department consumer can time); each names its own building, so no request is merged
into another as a duplicate (a merged request opens no case and blows no new whistle).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
ORG_FILE = REPO / "deploy" / "demo" / "org.yaml"

# (text, department the rules whistle) — no emergency words, so the tier and departments stay predictable.
WHISTLE_TEXTS = (
    ("楼道里有人用飞线给电动车充电，电线从窗户垂下来，消防通道也堆满了纸箱", "xiaofang"),
    ("单元门口的消防栓箱被锁死了，里面的灭火器也过期好久了，请尽快检查", "xiaofang"),
    ("地下车库烟雾报警器一直在响，物业说是坏了不处理，消防设施形同虚设", "xiaofang"),
    ("电梯按键失灵，经常停错楼层，里面贴的年检合格证已经过期半年了", "fangguan"),
    ("外墙瓷砖空鼓，上周又有一块掉下来砸在自行车棚上，下面常有孩子玩", "fangguan"),
    ("楼下新开的烧烤店油烟直排，熏得家里窗户都不敢开，晚上也不停", "chengguan"),
    ("小区门口饭店的排烟管道正对着住户阳台，炒菜油烟呛人，老人咳嗽不止", "chengguan"),
    ("老楼电线老化，这个月已经跳闸四次了，电表箱外壳也破了一个大洞", "gongdian"),
    ("有人冒充社区工作人员上门推销，还让老人扫码转账，怀疑是诈骗团伙", "paichusuo"),
)
DEPARTMENTS = tuple(sorted({dept for _, dept in WHISTLE_TEXTS}))

MIXED_TEXTS = (
    "楼上卫生间漏水已经三天了，我家天花板一直在滴水，墙皮都泡起来了",
    "隔壁装修每天早上七点就开始电钻，周末也不停，家里老人受不了",
    "小区东门垃圾桶三天没人清运，已经溢出来了，气味很大",
    "想咨询一下灵活就业人员怎么在社区办理医保参保，需要带哪些材料",
    "物业费今年突然涨了三成，没有开业主大会也没有公示",
    "门口长期停着一辆落满灰的僵尸车，占了两个车位",
    "楼下路灯坏了一个多月，晚上一片漆黑，老人走路摔过好几次",
    "独居老人腿脚不便，想咨询社区有没有助餐服务和上门探访",
    *(text for text, _ in WHISTLE_TEXTS),
)


def compounds(org_file: Path = ORG_FILE) -> list[str]:
    """Compound ids of the demo district (intake accepts only known compounds)."""
    org = yaml.safe_load(org_file.read_text(encoding="utf-8"))
    found: list[str] = []
    for street in org["district"]["streets"]:
        for community in street["communities"]:
            found.extend(compound["id"] for compound in community.get("compounds", []))
    return found


def _body(text: str, compound: str, building: str, i: int, rng: random.Random) -> dict[str, Any]:
    body: dict[str, Any] = {"compound_id": compound, "text": text, "location": {"building": building},
                            "channel": rng.choice(("qr_h5", "api"))}
    if rng.random() < 0.4:  # some residents leave a number (encrypted at rest, sealed in the event)
        body["contact"] = {"name": rng.choice(("王女士", "李先生", "张阿姨", "刘师傅")), "phone": f"139{i:08d}"}
    elif rng.random() < 0.2:
        body["anonymous"] = True
    return body


def mixed_bodies(n: int, *, seed: int = 7, offset: int = 0, org_file: Path = ORG_FILE) -> list[bytes]:
    """Everyday requests of every kind (for intake alone)."""
    rng, places = random.Random(seed), compounds(org_file)
    return [json.dumps(_body(rng.choice(MIXED_TEXTS), rng.choice(places), str(rng.randint(1, 12)), offset + i, rng),
                       ensure_ascii=False).encode() for i in range(n)]


def whistle_bodies(n: int, *, seed: int = 11, offset: int = 0, org_file: Path = ORG_FILE) -> list[bytes]:
    """Requests that each end in a whistle to a department; every one names its own building."""
    rng, places = random.Random(seed), compounds(org_file)
    return [json.dumps(_body(rng.choice(WHISTLE_TEXTS)[0], rng.choice(places), f"{offset + i + 1}", offset + i, rng),
                       ensure_ascii=False).encode() for i in range(n)]


def classifier_texts() -> list[str]:
    """Messages for the classifier benchmark (the mixed texts with small variations)."""
    rng = random.Random(3)
    prefixes = ("", "您好，", "社区你好，", "反映个问题：", "紧急情况，")
    return [rng.choice(prefixes) + rng.choice(MIXED_TEXTS) for _ in range(2000)]
