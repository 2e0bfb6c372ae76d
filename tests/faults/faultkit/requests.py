"""Varied, realistic request bodies for the load: Chinese text, real compounds of the demo district."""

from __future__ import annotations

import random

COMPOUNDS = ("qc-jh-jh-hy", "qc-jh-jh-ly", "qc-jh-xh-xy", "qc-jh-xh-lc", "qc-sl-sl-ms", "qc-sl-sl-hj",
             "qc-sl-dq-dq", "qc-wj-bh-hw", "qc-wj-bh-yj")

TEMPLATES = (
    "{b}号楼{r}室卫生间漏水，楼下天花板一直滴水，已经影响到电路",
    "{b}号楼楼上每天晚上十一点以后还在拖动家具，噪音很大，孩子睡不着",
    "{b}号楼一楼餐馆油烟直排，窗户都不敢开，希望尽快处理",
    "小区{b}号楼门口垃圾桶满了两天没人清运，气味很大",
    "{b}号楼楼道里堆满纸箱杂物，堵住了消防通道，存在火灾隐患",
    "{b}号楼电梯这周第三次停在半层，老人被困了二十分钟",
    "小区东门外道路被车辆长期占道停放，救护车进不来",
    "想咨询一下灵活就业人员怎么参加医保，需要准备哪些材料",
    "{b}号楼和隔壁楼之间下水道堵塞，污水冒到路面上",
    "{b}号楼{r}室邻居装修，早上七点就开始电钻，周末也不停",
    "物业把{b}号楼前的绿地改成了停车位，业主不同意",
    "有人冒充社区工作人员打电话让老人转账，{b}号楼已经有两户接到",
    "{b}号楼路灯坏了一个多月，晚上出入很不安全",
    "{b}号楼单元门禁坏了，陌生人随意进出",
)


def request_body(serial: int, *, run: str, rng: random.Random) -> dict[str, object]:
    """One request; the serial and run tag make every text distinct, so the router has nothing to merge."""
    building = str(rng.randint(1, 30))
    room = f"{rng.randint(1, 18)}0{rng.randint(1, 4)}"
    text = rng.choice(TEMPLATES).format(b=building, r=room)
    return {
        "compound_id": rng.choice(COMPOUNDS),
        "text": f"{text}（测试批次{run}第{serial}号）",
        "location": {"building": building, "room": room},
    }
