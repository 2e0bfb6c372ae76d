"""Weak labels for the department domains from official replies: the unit a reply names gives the domain."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from router.classifier.data import DataError, Examples
from router.classifier.model import as_doc

# Names of handling units (as replies on the 问政 platform write them) → department domain. Written for
# Whistle; a reply counts only when it names units of exactly one domain and no unit outside the seven.
UNITS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("住建", "住房和城乡建设", "住房城乡建设", "城乡建设局", "建设局", "城管", "城市管理", "城乡规划",
             "规划局", "规划分局", "自然资源和规划", "房产局", "房地产管理", "住房保障", "物业办", "物管办",
             "公积金管理中心", "公积金中心", "征收办", "房屋征收", "燃气公司", "自来水公司", "供水公司", "建管",
             "建筑工程管理"),
    "教育文体": ("教育局", "教育厅", "教育体育局", "教体局", "文体局", "体育局", "文化局", "文广新", "文化广电",
             "招生考试", "教育部门", "我校"),
    "劳动和社会保障": ("人社", "人力资源和社会保障", "人力资源社会保障", "社保局", "社保中心", "社保处", "社会保险",
                "医保局", "医保中心", "医疗保障", "劳动监察", "劳动保障", "就业服务", "人事局", "劳动局"),
    "卫生计生": ("卫健", "卫生健康", "卫计", "卫生局", "卫生和计划生育", "疾控", "疾病预防控制", "我院", "计生",
             "卫生监督", "食药监", "食品药品监督"),
    "交通运输": ("交通运输局", "交通局", "交通运输厅", "交通运输部门", "运管", "道路运输", "公路局", "公路管理",
             "公交公司", "公交集团", "邮政管理", "港航", "海事", "客运", "交通建设"),
    "环境保护": ("环保局", "环境保护局", "生态环境局", "生态环境厅", "生态环境部门", "生态环境分局", "环保厅",
             "环境监测", "环境监察", "环保部门", "环境保护部门"),
    "商贸旅游": ("商务局", "商务厅", "旅游局", "旅游发展委", "工商局", "工商部门", "工商行政", "市场监督管理",
             "市场监管", "质监", "质量技术监督", "商务部门", "旅游部门"),
}
# Units whose cases fall outside the seven domains (police, civil affairs, land, farming …).
OTHER_UNITS = ("公安", "交警", "派出所", "民政", "国土", "林业", "水利", "农业", "纪委", "监察委", "财政", "税务",
               "信访", "司法", "法院", "检察", "供电", "电力")


def domains_named(reply: str) -> set[str]:
    """The domains whose units the reply names."""
    return {domain for domain, names in UNITS.items() if any(name in reply for name in names)}


def weak_label(reply: str) -> str | None:
    """The domain of the one kind of unit a reply names, or None when it names none, several or others."""
    named = domains_named(reply)
    if len(named) != 1 or any(name in reply for name in OTHER_UNITS):
        return None
    return named.pop()


def read_weak_replies(path: Path) -> tuple[Examples, Counter[str]]:
    """Messages (title, body) labelled by their reply, and how many rows got each label (or none)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DataError(f"{path}: cannot open ({exc.strerror})") from exc
    docs: list[str] = []
    labels: list[str] = []
    tally: Counter[str] = Counter()
    with handle:
        reader = csv.DictReader(handle)
        if not {"title", "body", "reply"} <= set(reader.fieldnames or []):
            raise DataError(f"{path}: needs 'title', 'body' and 'reply' columns")
        for row in reader:
            label = weak_label(row.get("reply") or "")
            tally[label or "(no label)"] += 1
            if label:
                docs.append(as_doc(f"{row.get('title') or ''}\n{row.get('body') or ''}"))
                labels.append(label)
    return Examples(docs, labels), tally
